"""The generated company as SAP tables: the ground truth for ``procopt extract``.

Stage: generate. Every activity instance of a generated log is written where SAP would record it,
with SAP's formats (leading-zero document numbers, ``MANDT``, ``YYYYMMDD`` dates and ``HHMMSS`` times,
user IDs), in the ECC layout (``MKPF``/``MSEG``, ``VBUK``) or the S/4HANA one (``MATDOC``, statuses on the
headers). Extracting these tables must give back the generated log: the same cases, activities and
completion times. SAP keeps no start times, so the tables hold completions only.

Where the recorded step has SAP's own name, :data:`O2C_ACTIVITY` and :data:`P2P_ACTIVITY` say which
generated activity it is (e.g. "Check Credit" is recorded as the release of the credit block).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from procopt._io import atomic_dir, write_csv
from procopt.errors import InputError
from procopt.generate import o2c, p2p
from procopt.generate.names import CUSTOMERS, SUPPLIERS
from procopt.generate.types import GeneratedLog
from procopt.log import columns as C

Release = Literal["ecc", "s4hana"]
CLIENT = "100"

#: generated O2C activity -> the activity ``--recipe sap-o2c`` names it.
O2C_ACTIVITY: dict[str, str] = {
    o2c.CREATE: "Create Sales Order",
    o2c.CREDIT: "Release Credit Block",
    o2c.APPROVE_SM: "Release Delivery Block (Sales Manager Approval)",
    o2c.REVISE: "Change Price",
    o2c.APPROVE_FD: "Release Delivery Block (Finance Director Approval)",
    o2c.STOCK: "Confirm Availability",
    o2c.PRODUCE: "Goods Receipt (Production Order)",
    o2c.INSPECT: "Record Usage Decision",
    o2c.REWORK: "Goods Receipt (Rework Order)",
    o2c.PICK: "Create Delivery",
    o2c.SHIP: "Post Goods Issue",
    o2c.INVOICE: "Create Billing Document",
}

#: generated P2P activity -> the activity ``--recipe sap-p2p`` names it.
P2P_ACTIVITY: dict[str, str] = {
    p2p.CREATE_PR: "Create Purchase Requisition",
    p2p.APPROVE_DH: "Release Requisition (Department Head)",
    p2p.APPROVE_PM: "Release Requisition (Procurement Manager)",
    p2p.APPROVE_CFO: "Release Requisition (CFO)",
    p2p.CREATE_PO: "Create Purchase Order",
    p2p.SEND_PO: "Send Purchase Order",
    p2p.RECEIVE_GOODS: "Goods Receipt for Purchase Order",
    p2p.RECEIVE_INVOICE: "Park Invoice",
    p2p.MATCH: "Check Invoice",
    p2p.RESOLVE: "Change Price",
    p2p.PAY: "Pay Invoice",
}


def user_id(name: object) -> str:
    """SAP user ID of a person: ``'Li Wei'`` -> ``'LI_WEI'`` (upper case, at most 12 characters)."""
    return "_".join(str(name).upper().split())[:12]


def case_number(case: str) -> int:
    """``'SO-100001'`` -> 100001: the number behind a generated case id."""
    return int(str(case).rsplit("-", 1)[1])


def _d(ts: pd.Timestamp) -> str:
    return str(ts.strftime("%Y%m%d"))


def _t(ts: pd.Timestamp) -> str:
    return str(ts.strftime("%H%M%S"))


def _n(number: int, width: int = 10) -> str:
    return f"{number:0{width}d}"


@dataclass
class _Tables:
    """Rows per table, each a dict of column -> text, as an export writes them."""

    rows: dict[str, list[dict[str, str]]] = field(default_factory=lambda: defaultdict(list))
    changenr: int = 0
    matdoc: int = 4900000000

    def add(self, table: str, **values: object) -> None:
        self.rows[table].append({"MANDT": CLIENT, **{k: "" if v is None else str(v) for k, v in values.items()}})

    def change(
        self,
        objectclas: str,
        objectid: str,
        ts: pd.Timestamp,
        user: str,
        tcode: str,
        items: list[tuple[str, str, str, str, str]],
        ind: str = "U",
    ) -> None:
        """One change document: header plus (table, key, field, old, new) items."""
        self.changenr += 1
        nr = _n(self.changenr)
        self.add(
            "CDHDR",
            OBJECTCLAS=objectclas,
            OBJECTID=objectid,
            CHANGENR=nr,
            USERNAME=user,
            UDATE=_d(ts),
            UTIME=_t(ts),
            TCODE=tcode,
            CHANGE_IND=ind,
        )
        for table, key, fname, old, new in items:
            self.add(
                "CDPOS",
                OBJECTCLAS=objectclas,
                OBJECTID=objectid,
                CHANGENR=nr,
                TABNAME=table,
                TABKEY=CLIENT + key,
                FNAME=fname,
                CHNGIND=ind,
                VALUE_NEW=new,
                VALUE_OLD=old,
            )

    def material_document(self, release: Release, ts: pd.Timestamp, user: str, lines: list[dict[str, object]]) -> str:
        """One material document (MKPF + MSEG in ECC, MATDOC in S/4HANA); returns its number."""
        self.matdoc += 1
        mblnr, year = str(self.matdoc), ts.strftime("%Y")
        if release == "ecc":
            self.add("MKPF", MBLNR=mblnr, MJAHR=year, CPUDT=_d(ts), CPUTM=_t(ts), USNAM=user, BUDAT=_d(ts))
        for i, line in enumerate(lines, start=1):
            if release == "ecc":
                self.add("MSEG", MBLNR=mblnr, MJAHR=year, ZEILE=_n(i, 4), **line)
            else:
                self.add(
                    "MATDOC",
                    MBLNR=mblnr,
                    MJAHR=year,
                    ZEILE=_n(i, 4),
                    CPUDT=_d(ts),
                    CPUTM=_t(ts),
                    USNAM=user,
                    BUDAT=_d(ts),
                    **line,
                )
        return mblnr


def _check(log: GeneratedLog, known: dict[str, str]) -> pd.DataFrame:
    ev = log.events
    if log.truth.language != "en":
        raise InputError(None, "--tables needs the English log", hint="Leave out --lang zh when writing --tables.")
    unknown = sorted(set(ev[C.ACTIVITY]) - set(known))
    if unknown:
        raise InputError(
            None, f"--tables cannot record activities {unknown} in SAP tables", hint="Use the as-is process."
        )
    return ev.sort_values([C.CASE, C.END, C.SOURCE_ROW], kind="stable")


def o2c_tables(log: GeneratedLog, release: Release = "ecc") -> dict[str, pd.DataFrame]:
    """The generated O2C company as SAP SD, MM, PP and QM tables."""
    ev = _check(log, O2C_ACTIVITY)
    if o2c.PICK in log.truth.intervention.get("remove_activities", ()):
        raise InputError(
            None,
            "--tables needs Pick Goods: the delivery is created when the goods are picked",
            hint="Write SAP tables for a process that keeps Pick Goods.",
        )
    tb = _Tables()
    customers = {name: _n(10000 + i) for i, (name, _) in enumerate(CUSTOMERS)}
    for name, number in customers.items():
        tb.add("KNA1", KUNNR=number, NAME1=name)
    for code, text in (
        ("Z1", "Sales Manager Approval"),
        ("Z2", "Finance Director Approval"),
        ("Z9", "Rejected, to Revise"),
    ):
        tb.add("TVLST", SPRAS="E", LIFSP=code, VTEXT=text)
    for code, text in (("PP01", "Production Order"), ("ZRWK", "Rework Order")):
        tb.add("T003P", SPRAS="E", AUART=code, TXT=text)
    status_table = "VBUK" if release == "ecc" else "VBAK"
    orders_done = 0
    aufnr = 1000000
    lot = 10000000
    for case, rows in ev.groupby(C.CASE, sort=True):
        num = case_number(str(case))
        vbeln, item = _n(num), "000010"
        first = rows.iloc[0]
        acts = list(rows[C.ACTIVITY])
        product, value = str(first["product"]), float(first["order_value"])
        matnr = f"FG-{product}"
        later_fd = o2c.APPROVE_FD in acts
        delivery = _n(80000000 + num)
        block = "Z1" if o2c.APPROVE_SM in acts else ("Z2" if later_fd else "")
        sm_seen = 0
        for pos, (_, r) in enumerate(rows.iterrows()):
            act, ts, user = str(r[C.ACTIVITY]), pd.Timestamp(r[C.END]), user_id(r[C.RESOURCE])
            if act == o2c.CREATE:
                orders_done += 1
                region = o2c.REGIONS.index(str(r["region"])) if str(r["region"]) in o2c.REGIONS else 0
                head = {
                    "VBELN": vbeln,
                    "AUART": "OR",
                    "ERDAT": _d(ts),
                    "ERZET": _t(ts),
                    "ERNAM": user,
                    "VKORG": f"{(region + 1) * 1000}",
                    "KUNNR": customers.get(str(r["customer"]), ""),
                    "NETWR": f"{value:.2f}",
                    "WAERK": "EUR",
                    "VDATU": _d(pd.Timestamp(r[C.DUE])),
                    "LIFSK": block,
                }
                if release == "s4hana":
                    head["CMGST"] = "B"
                else:
                    tb.add("VBUK", VBELN=vbeln, CMGST="B")
                tb.add("VBAK", **head)
                tb.add(
                    "VBAP",
                    VBELN=vbeln,
                    POSNR=item,
                    MATNR=matnr,
                    WERKS="1000",
                    NETWR=f"{value:.2f}",
                    KWMENG="1",
                    ERDAT=_d(ts),
                    ERZET=_t(ts),
                    ERNAM=user,
                )
            elif act == o2c.CREDIT:
                tb.change("VERKBELEG", vbeln, ts, user, "VKM3", [(status_table, vbeln, "CMGST", "B", "D")])
            elif act == o2c.APPROVE_SM:
                sm_seen += 1
                rejected = o2c.APPROVE_SM in acts[pos + 1 :]
                new = "Z9" if rejected else ("Z2" if later_fd else "")
                tb.change("VERKBELEG", vbeln, ts, user, "VA02", [("VBAK", vbeln, "LIFSK", "Z1", new)])
            elif act == o2c.REVISE:
                revised = value * (0.9**sm_seen)
                tb.change(
                    "VERKBELEG",
                    vbeln,
                    ts,
                    user,
                    "VA02",
                    [
                        ("VBAP", vbeln + item, "NETWR", f"{revised / 0.9:.2f}", f"{revised:.2f}"),
                        ("VBAK", vbeln, "LIFSK", "Z9", "Z1"),
                    ],
                )
            elif act == o2c.APPROVE_FD:
                tb.change("VERKBELEG", vbeln, ts, user, "VA02", [("VBAK", vbeln, "LIFSK", "Z2", "")])
            elif act == o2c.STOCK:
                tb.change("VERKBELEG", vbeln, ts, user, "V_V2", [("VBEP", vbeln + item + "0001", "BMENG", "0", "1")])
            elif act in (o2c.PRODUCE, o2c.REWORK):
                aufnr += 1
                order_type = "PP01" if act == o2c.PRODUCE else "ZRWK"
                tb.add("AUFK", AUFNR=_n(aufnr, 12), AUART=order_type, KDAUF=vbeln, KDPOS=item, WERKS="1000")
                tb.material_document(
                    release,
                    ts,
                    user,
                    [
                        {
                            "BWART": "101",
                            "MATNR": matnr,
                            "WERKS": "1000",
                            "AUFNR": _n(aufnr, 12),
                            "KDAUF": vbeln,
                            "KDPOS": item,
                            "MENGE": "1",
                        }
                    ],
                )
            elif act == o2c.INSPECT:
                lot += 1
                failed = pos + 1 < len(acts) and acts[pos + 1] == o2c.REWORK
                tb.add("QALS", PRUEFLOS=_n(lot, 12), KDAUF=vbeln, KDPOS=item, WERK="1000", MATNR=matnr)
                tb.add(
                    "QAVE",
                    PRUEFLOS=_n(lot, 12),
                    VDATUM=_d(ts),
                    VEZEITERF=_t(ts),
                    VNAME=user,
                    VCODE="R" if failed else "A",
                )
            elif act == o2c.PICK:
                tb.add("LIKP", VBELN=delivery, ERDAT=_d(ts), ERZET=_t(ts), ERNAM=user, WADAT_IST="00000000")
                tb.add("LIPS", VBELN=delivery, POSNR=item, VGBEL=vbeln, VGPOS=item, MATNR=matnr, LFIMG="1")
                tb.add(
                    "VBFA",
                    VBELV=vbeln,
                    POSNV=item,
                    VBELN=delivery,
                    POSNN=item,
                    VBTYP_V="C",
                    VBTYP_N="J",
                    RFMNG="1",
                    ERDAT=_d(ts),
                    ERZET=_t(ts),
                    MJAHR="",
                )
            elif act == o2c.SHIP:
                mblnr = tb.material_document(
                    release,
                    ts,
                    user,
                    [
                        {
                            "BWART": "601",
                            "MATNR": matnr,
                            "WERKS": "1000",
                            "AUFNR": "",
                            "KDAUF": vbeln,
                            "KDPOS": item,
                            "MENGE": "1",
                        }
                    ],
                )
                for likp in tb.rows["LIKP"][::-1]:
                    if likp["VBELN"] == delivery:
                        likp["WADAT_IST"] = _d(ts)
                        break
                tb.add(
                    "VBFA",
                    VBELV=delivery,
                    POSNV=item,
                    VBELN=mblnr,
                    POSNN="0001",
                    VBTYP_V="J",
                    VBTYP_N="R",
                    RFMNG="1",
                    ERDAT=_d(ts),
                    ERZET=_t(ts),
                    MJAHR=ts.strftime("%Y"),
                )
            elif act == o2c.INVOICE:
                billing = _n(90000000 + num)
                tb.add(
                    "VBRK",
                    VBELN=billing,
                    FKART="F2",
                    ERDAT=_d(ts),
                    ERZET=_t(ts),
                    ERNAM=user,
                    FKDAT=_d(ts),
                    NETWR=f"{value:.2f}",
                )
                tb.add(
                    "VBRP",
                    VBELN=billing,
                    POSNR=item,
                    VGBEL=delivery,
                    VGPOS=item,
                    AUBEL=vbeln,
                    AUPOS=item,
                    MATNR=matnr,
                    NETWR=f"{value:.2f}",
                )
                for prev, typ in ((vbeln, "C"), (delivery, "J")):
                    tb.add(
                        "VBFA",
                        VBELV=prev,
                        POSNV=item,
                        VBELN=billing,
                        POSNN=item,
                        VBTYP_V=typ,
                        VBTYP_N="M",
                        RFMNG="1",
                        ERDAT=_d(ts),
                        ERZET=_t(ts),
                        MJAHR="",
                    )
    return _frames(tb)


def _frames(tb: _Tables) -> dict[str, pd.DataFrame]:
    return {name: pd.DataFrame(rows).astype(str) for name, rows in sorted(tb.rows.items())}


def p2p_tables(log: GeneratedLog, release: Release = "ecc") -> dict[str, pd.DataFrame]:
    """The generated P2P company as SAP MM and FI tables."""
    ev = _check(log, P2P_ACTIVITY)
    tb = _Tables()
    suppliers = {name: _n(300000 + i) for i, (name, _) in enumerate(SUPPLIERS)}
    for name, number in suppliers.items():
        tb.add("LFA1", LIFNR=number, NAME1=name)
    codes = {p2p.APPROVE_DH: "D1", p2p.APPROVE_PM: "P1", p2p.APPROVE_CFO: "C1"}
    for code, text in (("D1", "Department Head"), ("P1", "Procurement Manager"), ("C1", "CFO")):
        tb.add("T16FD", SPRAS="E", FRGGR="PR", FRGCO=code, FRGCT=text)
    tb.add("T16FS", FRGGR="PR", FRGSX="S1", FRGC1="D1", FRGC2="P1", FRGC3="", FRGC4="")
    tb.add("T16FS", FRGGR="PR", FRGSX="S2", FRGC1="D1", FRGC2="P1", FRGC3="C1", FRGC4="")
    fi_doc = 5100000000
    for case, rows in ev.groupby(C.CASE, sort=True):
        num = case_number(str(case))
        banfn, item = _n(num), "00010"
        ebeln = _n(4500000000 + num - 200000)
        first = rows.iloc[0]
        amount = float(first["amount"])
        acts = list(rows[C.ACTIVITY])
        strategy = "S2" if p2p.APPROVE_CFO in acts or amount > p2p.THRESHOLD else "S1"
        released = ""
        invoice = _n(5105600000 + num - 200000)
        year = ""
        invoice_fi = ""
        status = "A"
        for pos, (_, r) in enumerate(rows.iterrows()):
            act, ts, user = str(r[C.ACTIVITY]), pd.Timestamp(r[C.END]), user_id(r[C.RESOURCE])
            if act == p2p.CREATE_PR:
                tb.add(
                    "EBAN",
                    BANFN=banfn,
                    BNFPO=item,
                    BADAT=_d(ts),
                    LFDAT=_d(pd.Timestamp(r[C.DUE])),
                    ERNAM=user,
                    MATKL=str(first["category"]),
                    PREIS=f"{amount:.2f}",
                    MENGE="1",
                    FRGGR="PR",
                    FRGST=strategy,
                    FRGZU="",
                    LIFNR=suppliers.get(str(first["supplier"]), ""),
                )
                tb.change("BANF", banfn, ts, user, "ME51N", [("EBAN", banfn + item, "KEY", "", "")], ind="I")
            elif act in codes:
                rejected = pos == len(acts) - 1 and act != p2p.APPROVE_PM and _rejected_end(log, str(case))
                if rejected:
                    tb.change("BANF", banfn, ts, user, "ME54N", [("EBAN", banfn + item, "FRGKZ", "2", "R")])
                else:
                    new = released + "X"
                    tb.change("BANF", banfn, ts, user, "ME54N", [("EBAN", banfn + item, "FRGZU", released, new)])
                    released = new
            elif act == p2p.CREATE_PO:
                tb.add(
                    "EKKO",
                    EBELN=ebeln,
                    BSART="NB",
                    AEDAT=_d(ts),
                    ERNAM=user,
                    LIFNR=suppliers.get(str(first["supplier"]), ""),
                    WAERS="EUR",
                )
                tb.add(
                    "EKPO",
                    EBELN=ebeln,
                    EBELP=item,
                    BANFN=banfn,
                    BNFPO=item,
                    NETPR=f"{amount:.2f}",
                    MENGE="1",
                    WERKS="1000",
                    MATKL=str(first["category"]),
                )
                tb.change("EINKBELEG", ebeln, ts, user, "ME21N", [("EKKO", ebeln, "KEY", "", "")], ind="I")
            elif act == p2p.SEND_PO:
                tb.add("NAST", KAPPL="EF", OBJKY=ebeln, KSCHL="NEU", DATVR=_d(ts), UHRVR=_t(ts), USNAM=user, VSTAT="1")
            elif act == p2p.RECEIVE_GOODS:
                mblnr = tb.material_document(
                    release, ts, user, [{"BWART": "101", "EBELN": ebeln, "EBELP": item, "MENGE": "1", "WERKS": "1000"}]
                )
                tb.add(
                    "EKBE",
                    EBELN=ebeln,
                    EBELP=item,
                    VGABE="1",
                    GJAHR=ts.strftime("%Y"),
                    BELNR=mblnr,
                    BUZEI="0001",
                    BUDAT=_d(ts),
                    CPUDT=_d(ts),
                    CPUTM=_t(ts),
                    MENGE="1",
                    ERNAM=user,
                )
            elif act == p2p.RECEIVE_INVOICE:
                year = ts.strftime("%Y")
                tb.add(
                    "RBKP",
                    BELNR=invoice,
                    GJAHR=year,
                    CPUDT=_d(ts),
                    CPUTM=_t(ts),
                    USNAM=user,
                    RBSTAT="A",
                    RMWWR=f"{amount:.2f}",
                    LIFNR=suppliers.get(str(first["supplier"]), ""),
                )
                tb.add(
                    "RSEG", BELNR=invoice, GJAHR=year, BUZEI="000001", EBELN=ebeln, EBELP=item, WRBTR=f"{amount:.2f}"
                )
            elif act == p2p.MATCH:
                posted = pos + 1 >= len(acts) or acts[pos + 1] != p2p.RESOLVE
                new = "5" if posted else ("B" if status == "A" else "A")
                tb.change(
                    "INCOMINGINVOICE",
                    invoice + year,
                    ts,
                    user,
                    "MIR4",
                    [("RBKP", invoice + year, "RBSTAT", status, new)],
                )
                status = new
                if posted:
                    fi_doc += 1
                    invoice_fi = str(fi_doc)
                    tb.add(
                        "BKPF",
                        BUKRS="1000",
                        BELNR=invoice_fi,
                        GJAHR=year,
                        BLART="RE",
                        CPUDT=_d(ts),
                        CPUTM=_t(ts),
                        USNAM=user,
                        AWKEY=invoice + year,
                        TCODE="MIRO",
                    )
            elif act == p2p.RESOLVE:
                tb.change(
                    "EINKBELEG",
                    ebeln,
                    ts,
                    user,
                    "ME22N",
                    [("EKPO", ebeln + item, "NETPR", f"{amount * 1.05:.2f}", f"{amount:.2f}")],
                )
            elif act == p2p.PAY:
                fi_doc += 1
                tb.add(
                    "BKPF",
                    BUKRS="1000",
                    BELNR=str(fi_doc),
                    GJAHR=ts.strftime("%Y"),
                    BLART="KZ",
                    CPUDT=_d(ts),
                    CPUTM=_t(ts),
                    USNAM=user,
                    AWKEY="",
                    TCODE="F110",
                )
                tb.add(
                    "BSAK",
                    BUKRS="1000",
                    LIFNR=suppliers.get(str(first["supplier"]), ""),
                    AUGDT=_d(ts),
                    AUGBL=str(fi_doc),
                    GJAHR=year,
                    BELNR=invoice_fi,
                    BUZEI="001",
                    DMBTR=f"{amount:.2f}",
                )
    return _frames(tb)


def _rejected_end(log: GeneratedLog, case: str) -> bool:
    """True when the requisition's last step is an approval and no purchase order exists: a rejection.

    (A requisition still waiting at extraction looks the same; it is written as a rejection too, which
    changes only the change document's field, not the activity the recipe reads.)
    """
    acts = set(log.events.loc[log.events[C.CASE] == case, C.ACTIVITY])
    return p2p.CREATE_PO not in acts


BUILDERS: dict[str, Callable[[GeneratedLog, Release], dict[str, pd.DataFrame]]] = {"o2c": o2c_tables, "p2p": p2p_tables}


def write_sap_tables(log: GeneratedLog, out_dir: str | Path, release: Release = "ecc") -> dict[str, int]:
    """Write one CSV per SAP table into ``out_dir`` (atomically as a folder); returns table -> rows."""
    frames = BUILDERS[log.truth.kind](log, release)
    with atomic_dir(out_dir) as staging:
        for name, frame in frames.items():
            write_csv(staging / f"{name}.csv", frame)
    return {name: len(frame) for name, frame in frames.items()}
