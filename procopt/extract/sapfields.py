"""How SAP writes values in table exports, and how to read them back.

Stage: extract. SE16N, SE16H and SQL dumps of SAP tables share a few habits that break naive readers:

* document numbers carry leading zeros (``0000019068``) in one table and not in another (Excel strips them),
  so keys are compared after SAP's ALPHA conversion: all-digit keys lose their leading zeros;
* a ``MANDT`` (client) column comes first in every client-dependent table;
* an empty date is written ``00000000`` and an empty time ``000000`` next to a date;
* negative numbers put the minus sign at the end (``12,50-``) and many locales use a decimal comma;
* SE16N can write field labels ("Sales Document", "Created on") instead of technical names (VBELN, ERDAT).

The functions here are pure (one value or one column at a time) so they can be property-tested; the
DuckDB engine calls the same rules as SQL macros (see :data:`SQL_MACROS`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Fields holding document or item numbers: compared after ALPHA conversion (leading zeros dropped).
KEY_FIELDS: frozenset[str] = frozenset(
    {
        "VBELN", "VBELV", "POSNR", "POSNV", "POSNN", "VGBEL", "VGPOS", "AUBEL", "AUPOS",
        "EBELN", "EBELP", "BANFN", "BNFPO", "BELNR", "BUZEI", "AUGBL", "MBLNR", "ZEILE", "LBLNI",
        "KDAUF", "KDPOS", "AUFNR", "PRUEFLOS", "CHANGENR", "OBJECTID", "OBJKY", "KUNNR", "KUNAG", "LIFNR",
        "MATNR", "ERNAM_ID", "RE_BELNR", "LFBNR", "LFPOS", "SMBLN",
    }
)  # fmt: skip

#: SAP date fields (type DATS, ``YYYYMMDD``; ``00000000`` means empty).
DATE_FIELDS: frozenset[str] = frozenset(
    {
        "ERDAT", "AEDAT", "UDATE", "CPUDT", "BUDAT", "BLDAT", "WADAT", "WADAT_IST", "LFDAT", "FKDAT",
        "AUDAT", "VDATU", "BADAT", "BEDAT", "FRGDT", "AUGDT", "ZFBDT", "EINDT", "DATVR", "VDATUM",
        "ENSTEHDAT", "ERSTELDAT", "BUDAT_MKPF", "CPUDT_MKPF", "GLTRP", "GSTRP", "LDDAT", "KODAT", "TDDAT",
    }
)  # fmt: skip

#: SAP time fields (type TIMS, ``HHMMSS``).
TIME_FIELDS: frozenset[str] = frozenset(
    {"ERZET", "UTIME", "CPUTM", "UZEIT", "UHRVR", "VEZEITERF", "CPUTM_MKPF", "ENTSTEZEIT", "AEZET", "LDUHR", "KOUHR"}
)

#: Amount and quantity fields (trailing minus, decimal comma in many exports).
NUMBER_FIELDS: frozenset[str] = frozenset(
    {
        "NETWR", "NETPR", "KWMENG", "RFMNG", "RFWRT", "LFIMG", "FKIMG", "MENGE", "WRBTR", "DMBTR",
        "RMWWR", "BRTWR", "PREIS", "KZWI1", "ZMENG", "WMENG", "BMENG", "KBETR", "VALUE_NUM",
    }
)  # fmt: skip

_DIGITS = re.compile(r"^\d+$")


def alpha_out(value: str | None) -> str | None:
    """SAP's ALPHA output conversion: ``'0000019068'`` -> ``'19068'``; other text is only trimmed.

    An all-zero number stays ``'0'`` (``POSNR 000000`` is the header, not an empty value).
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if _DIGITS.match(text):
        return text.lstrip("0") or "0"
    return text


def parse_number(value: str | None) -> float | None:
    """Read an SAP-exported number: ``'1.234,50-'`` -> -1234.5, ``'12.5'`` -> 12.5, ``''`` -> None.

    The separator that comes last is the decimal separator when both appear; a lone comma followed by
    one to two digits, or by three digits with no other separator, is read as a decimal comma only when it
    is not a thousands group (``'1,234'`` stays 1234 only if a dot follows elsewhere; alone it is 1.234,
    as SE16N writes it in comma locales). Raises ValueError for text that is not a number.
    """
    if value is None:
        return None
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    sign = 1.0
    if text.endswith("-"):
        sign, text = -1.0, text[:-1]
    elif text.startswith("-"):
        sign, text = -1.0, text[1:]
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".") if text.count(",") == 1 else text.replace(",", "")
    if not re.fullmatch(r"\d*\.?\d+|\d+\.", text):
        raise ValueError(f"not a number: {value!r}")
    return sign * float(text)


@dataclass(frozen=True, slots=True)
class DateFormat:
    """One way a date column is written: a name, the regular expression it matches, the strptime pattern."""

    name: str
    pattern: re.Pattern[str]
    strptime: str


DATE_FORMATS: tuple[DateFormat, ...] = (
    DateFormat("YYYYMMDD", re.compile(r"^\d{8}$"), "%Y%m%d"),
    DateFormat("YYYY-MM-DD", re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    DateFormat("DD.MM.YYYY", re.compile(r"^\d{2}\.\d{2}\.\d{4}$"), "%d.%m.%Y"),
    DateFormat("MM/DD/YYYY", re.compile(r"^\d{2}/\d{2}/\d{4}$"), "%m/%d/%Y"),
)

#: Values that mean "no date" in SAP exports.
EMPTY_DATES: frozenset[str] = frozenset({"", "00000000", "0000-00-00", "00.00.0000", "00/00/0000"})


def detect_date_format(values: Iterable[str | None]) -> DateFormat | None | list[tuple[str, str]]:
    """The one format all non-empty ``values`` follow.

    Returns the :class:`DateFormat`, ``None`` when every value is empty, or a list of
    ``(format name, example)`` pairs when the values mix formats (the caller reports it) — including
    values that match no known format (``("unknown", value)``).
    """
    seen: dict[str, str] = {}
    for raw in values:
        text = "" if raw is None else str(raw).strip()
        if text in EMPTY_DATES:
            continue
        fmt = next((f for f in DATE_FORMATS if f.pattern.match(text)), None)
        name = fmt.name if fmt else "unknown"
        seen.setdefault(name, text)
        if len(seen) > 1:
            break
    if not seen:
        return None
    if len(seen) == 1 and "unknown" not in seen:
        name = next(iter(seen))
        return next(f for f in DATE_FORMATS if f.name == name)
    return sorted(seen.items())


def parse_time(value: str | None) -> int | None:
    """``'081257'`` or ``'08:12:57'`` -> seconds after midnight; empty -> None. Raises ValueError otherwise."""
    if value is None:
        return None
    text = str(value).strip().replace(":", "")
    if not text:
        return None
    if not text.isdigit() or len(text) > 6:
        raise ValueError(f"not a time: {value!r}")
    text = text.zfill(6)
    h, m, s = int(text[:2]), int(text[2:4]), int(text[4:])
    if h > 24 or m > 59 or s > 59:
        raise ValueError(f"not a time: {value!r}")
    return h * 3600 + m * 60 + s


#: DuckDB macros with the same rules, applied to whole columns inside the engine.
SQL_MACROS: tuple[str, ...] = (
    # Plain expressions only (no scalar subqueries): they run once per value of multi-million-row tables.
    "CREATE OR REPLACE MACRO sap_text(x) AS trim(CAST(x AS VARCHAR))",
    # ALPHA conversion: all-digit keys lose their leading zeros ('000000' stays '0'); other text is trimmed.
    """CREATE OR REPLACE MACRO sap_id(x) AS CASE
         WHEN regexp_full_match(sap_text(x), '[0-9]+') THEN coalesce(nullif(ltrim(sap_text(x), '0'), ''), '0')
         ELSE nullif(sap_text(x), '') END""",
    # Seconds after midnight from HHMMSS or HH:MM:SS.
    "CREATE OR REPLACE MACRO sap_hms(x) AS lpad(replace(sap_text(x), ':', ''), 6, '0')",
    """CREATE OR REPLACE MACRO sap_secs(x) AS CASE
         WHEN x IS NULL OR sap_text(x) = '' THEN NULL
         ELSE CAST(substr(sap_hms(x), 1, 2) AS INTEGER) * 3600 + CAST(substr(sap_hms(x), 3, 2) AS INTEGER) * 60
              + CAST(substr(sap_hms(x), 5, 2) AS INTEGER) END""",
    # A timestamp from an SAP date and time pair; an empty date gives NULL, an empty time midnight.
    """CREATE OR REPLACE MACRO sap_ts(d, t) AS
         CAST(d AS TIMESTAMP) + to_seconds(CAST(coalesce(sap_secs(t), 0) AS BIGINT))""",
    # The end of a date-only day (WADAT_IST, VDATU): the latest moment the date allows.
    """CREATE OR REPLACE MACRO sap_day_end(d) AS CAST(d AS TIMESTAMP) + INTERVAL 86399 SECOND""",
)


#: SE16N field labels (English, as the default SAP GUI writes them) -> technical names, per table.
#: Labels repeat across fields ("Time" is ERZET in VBAK but CPUTM in MKPF), so the map is per table.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "*": {"Client": "MANDT"},
    "VBFA": {
        "Preceding sales and distribution document": "VBELV",
        "Preceding Document": "VBELV",
        "Preceding item of an SD document": "POSNV",
        "Preceding Item": "POSNV",
        "Subsequent sales and distribution document": "VBELN",
        "Subsequent Document": "VBELN",
        "Subsequent item of an SD document": "POSNN",
        "Subsequent Item": "POSNN",
        "Document category of subsequent document": "VBTYP_N",
        "Subsequent Doc. Category": "VBTYP_N",
        "Document category of preceding SD document": "VBTYP_V",
        "Preceding Doc. Category": "VBTYP_V",
        "Referenced quantity in base unit of measure": "RFMNG",
        "Reference value": "RFWRT",
        "Created on": "ERDAT",
        "Time": "ERZET",
        "Material": "MATNR",
        "Movement Type": "BWART",
    },
    "VBAK": {
        "Sales Document": "VBELN",
        "Created on": "ERDAT",
        "Time": "ERZET",
        "Created by": "ERNAM",
        "Sales Organization": "VKORG",
        "Sold-to party": "KUNNR",
        "Net Value": "NETWR",
        "Document Currency": "WAERK",
        "Requested deliv.date": "VDATU",
        "Delivery block": "LIFSK",
        "Overall Credit Status": "CMGST",
        "Sales Document Type": "AUART",
    },
    "VBAP": {
        "Sales Document": "VBELN",
        "Item": "POSNR",
        "Sales Document Item": "POSNR",
        "Material": "MATNR",
        "Plant": "WERKS",
        "Net Value": "NETWR",
        "Order Quantity": "KWMENG",
        "Created on": "ERDAT",
        "Time": "ERZET",
        "Created by": "ERNAM",
    },
    "LIKP": {
        "Delivery": "VBELN",
        "Created on": "ERDAT",
        "Time": "ERZET",
        "Created by": "ERNAM",
        "Act. Gds Mvmnt Date": "WADAT_IST",
        "Actual Goods Movement Date": "WADAT_IST",
    },
    "VBRK": {
        "Billing Document": "VBELN",
        "Created on": "ERDAT",
        "Time": "ERZET",
        "Created by": "ERNAM",
        "Billing Date": "FKDAT",
        "Net Value": "NETWR",
    },
    "MKPF": {
        "Material Document": "MBLNR",
        "Material Doc. Year": "MJAHR",
        "Entry Date": "CPUDT",
        "Time of Entry": "CPUTM",
        "User Name": "USNAM",
        "Posting Date": "BUDAT",
    },
    "CDHDR": {
        "Change doc. object": "OBJECTCLAS",
        "Object value": "OBJECTID",
        "Document number": "CHANGENR",
        "User": "USERNAME",
        "User Name": "USERNAME",
        "Date": "UDATE",
        "Time": "UTIME",
        "Transaction code": "TCODE",
        "Change Indicator": "CHANGE_IND",
    },
    "CDPOS": {
        "Change doc. object": "OBJECTCLAS",
        "Object value": "OBJECTID",
        "Document number": "CHANGENR",
        "Table Name": "TABNAME",
        "Table Key": "TABKEY",
        "Field Name": "FNAME",
        "Change Indicator": "CHNGIND",
        "New value": "VALUE_NEW",
        "Old value": "VALUE_OLD",
    },
}


def technical_names(table: str, header: list[str]) -> dict[str, str]:
    """Renames that turn SE16N field labels in ``header`` into technical names (empty when none apply).

    A header that already holds technical names is left alone; a label is renamed only when it is
    known for this table (or for every table, like "Client") and its technical name is not in the header.
    """
    labels = {**FIELD_LABELS["*"], **FIELD_LABELS.get(table.upper(), {})}
    folded = {k.casefold(): v for k, v in labels.items()}
    present = {h.upper() for h in header}
    renames: dict[str, str] = {}
    for col in header:
        tech = folded.get(col.strip().casefold())
        if tech and tech not in present and tech not in renames.values():
            renames[col] = tech
    return renames
