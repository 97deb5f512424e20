"""Run a recipe over a source: tables -> activity instances -> cases -> contract event table.

Stage: extract. The order is fixed: pick the ERP variant from the tables present, check every table
and column the chosen steps need (a missing one names the step that needs it), run the steps in DuckDB,
give every instance its case (through the case notion's link when the instance knows a different
object), add the case object's attributes and due date, translate activity names, convert times, audit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from procopt.errors import InputError, did_you_mean
from procopt.extract.audit import instance_findings, run_checks
from procopt.extract.engine import Engine
from procopt.extract.recipe import Recipe, Step, load_recipe
from procopt.extract.result import Extraction
from procopt.extract.sources import open_source, quote_ident
from procopt.log import columns as C
from procopt.log.audit import Finding, sort_findings

LANGUAGES = ("en", "zh")
_RESERVED = ("activity", "time", "resource", "start")


@dataclass(frozen=True, slots=True)
class TimeZones:
    """SAP writes dates and times in the system's time zone; the log wants the business's wall clock."""

    system: str
    local: str

    @classmethod
    def parse(cls, text: str | None) -> TimeZones | None:
        """``Europe/Berlin`` (system time is UTC) or ``UTC=Europe/Berlin`` (system=local)."""
        if not text:
            return None
        system, sep, local = text.partition("=")
        zones = (system, local) if sep else ("UTC", system)
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

        for zone in zones:
            try:
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise InputError(
                    None,
                    f"--tz: unknown time zone {zone!r}.{did_you_mean(zone, sorted(available_timezones()))}",
                    hint="Write --tz LOCAL_ZONE (SAP system time is UTC) or --tz SYSTEM_ZONE=LOCAL_ZONE, "
                    "e.g. --tz UTC=Asia/Shanghai.",
                ) from None
        return cls(zones[0], zones[1])

    def convert(self, stamps: pd.Series) -> pd.Series:
        """System-time stamps -> naive local wall-clock stamps (DST gaps shift forward, overlaps take the first)."""
        aware = stamps.dt.tz_localize(self.system, ambiguous="NaT", nonexistent="shift_forward")
        return aware.dt.tz_convert(self.local).dt.tz_localize(None)


def extract(
    source: str,
    recipe: str | None = None,
    *,
    case: str | None = None,
    language: str = "en",
    tz: str | None = None,
) -> Extraction:
    """Build an event log from ERP tables.

    Args:
        source: folder or .zip of CSV/Parquet exports, SQLite file, or ``postgresql://`` URL.
        recipe: built-in name (``sap-o2c``...) or recipe YAML path; None picks an SAP recipe from the tables.
        case: case notion (object type), e.g. ``order``, ``item``, ``delivery``.
        language: ``en`` or ``zh`` activity names.
        tz: see :class:`TimeZones`.

    Raises:
        InputError: unreachable source, missing table or column, mixed date formats, empty result.
    """
    if language not in LANGUAGES:
        raise InputError(None, f"unknown language {language!r}", hint="Use --lang en or --lang zh.")
    zones = TimeZones.parse(tz)
    src = open_source(source)
    try:
        chosen = recipe or _guess_recipe(set(src.tables()))
        spec, path = load_recipe(chosen)
        engine = Engine(src, sap=spec.dialect == "sap")
        return _run(engine, spec, str(path) if recipe and recipe == str(path) else spec.name, case, language, zones)
    finally:
        src.close()


def _guess_recipe(tables: set[str]) -> str:
    if tables & {"VBAK", "LIKP", "VBRK"}:
        return "sap-o2c"
    if tables & {"EKKO", "EBAN", "RBKP"}:
        return "sap-p2p"
    if "VBFA" in tables:
        return "sap-docflow"
    raise InputError(
        None,
        "cannot tell which recipe fits these tables (no SAP sales or purchasing tables found)",
        hint="Give --recipe: sap-o2c, sap-p2p, sap-docflow, northwind, or the path of your own recipe .yaml.",
    )


def _variant(engine: Engine, spec: Recipe) -> tuple[str | None, str | None]:
    for v in spec.variants:
        if all(engine.has(t) for t in v.when_present):
            return v.name, v.label
    if not spec.variants:
        return None, None
    wanted = "; ".join(f"{v.label}: {', '.join(v.when_present)}" for v in spec.variants)
    raise InputError(
        None,
        f"recipe {spec.name}: the source has none of the tables that identify a supported release ({wanted})",
        hint="Export the tables of your release, or use --recipe sap-docflow when you only have VBFA.",
    )


def _applies(variants: list[str], chosen: str | None) -> bool:
    return not variants or chosen in variants


def _check_needs(engine: Engine, spec: Recipe, what: str, needs: dict[str, list[str]], optional: bool) -> bool:
    """True when every table and column is there; raise (or False for optional steps) otherwise."""
    for table, cols in needs.items():
        if not engine.has(table):
            if optional:
                return False
            known = sorted(engine.source.tables())
            raise InputError(
                None,
                f"recipe {spec.name}, {what} needs table {table.upper()}"
                + (f" (columns {', '.join(cols)})" if cols else "")
                + f", which {engine.source.label} does not have.{did_you_mean(table.upper(), known)}",
                hint=f"Export {table.upper()} as well (tables found: {', '.join(known) or 'none'}).",
            )
        have = engine.columns(table)
        upper = {c.upper(): c for c in have}
        for col in cols:
            if col not in have and col.upper() not in upper:
                if optional:
                    return False
                raise InputError(
                    None,
                    f"recipe {spec.name}, {what} needs column {col} of table {table.upper()}, "
                    f"which is not in {engine.source.label}.{did_you_mean(col, list(have))}",
                    hint=f"Export {table.upper()} with column {col} (columns found: {', '.join(have)}).",
                )
    return True


def _run(
    engine: Engine, spec: Recipe, name: str, case: str | None, language: str, zones: TimeZones | None
) -> Extraction:
    notions = spec.notions()
    notion_name = case or spec.default_notion()
    if notion_name not in notions:
        raise InputError(
            None,
            f"recipe {spec.name} has no case notion {notion_name!r}.{did_you_mean(notion_name, list(notions))}",
            hint=f"Use --case {' | '.join(notions)}.",
        )
    notion = notions[notion_name]
    variant, label = _variant(engine, spec)
    steps = [s for s in spec.steps if _applies(s.variant, variant)]
    found: list[Finding] = []
    used: list[Step] = []
    for table, cols in spec.lookups.items():
        if engine.has(table) and _check_needs(engine, spec, f"lookup {table}", {table.upper(): cols}, True):
            continue
        engine.placeholder(table, cols)
        found.append(
            Finding(
                "lookup_missing",
                "info",
                0,
                f"Text table {table.upper()} is not in the export: activity names show its codes instead of texts.",
            )
        )
    for step in steps:
        if _check_needs(engine, spec, f"step {step.name!r}", step.required(), step.optional):
            used.append(step)
        else:
            found.append(
                Finding(
                    "step_skipped",
                    "info",
                    0,
                    f"Step {step.name!r} was skipped: the source lacks a table or column it reads "
                    f"({', '.join(step.required())}).",
                )
            )
    objects = list(spec.objects)
    _union_steps(engine, spec, used, objects)
    instances = engine.query("SELECT * FROM instances")
    if instances.empty:
        raise InputError(
            None,
            f"recipe {spec.name} found no activity instances in {engine.source.label}",
            hint="Check the tables hold data (and the client/period exported), or that this is the right recipe.",
        )
    found += instance_findings(instances, {i: s.name for i, s in enumerate(used) if s.date_only})
    if notion.link:
        flat = _flatten(engine, spec, notion_name, notion.object, notion.link, notion.needs)
    else:  # no link: the instances that name the case object directly (no second trip through DuckDB)
        flat = instances[instances[notion.object].notna()]
    attrs = _object_attributes(engine, spec, notion.object, variant)
    events = _contract(flat, notion.object, objects, attrs, spec, language, zones)
    instances = instances.assign(activity=_translate(instances["activity"], spec, language))
    if zones is not None:
        instances["time"] = zones.convert(pd.to_datetime(instances["time"]))
    finals = set(_translate(pd.Series(spec.final_activities, dtype=str), spec, language))
    found += run_checks(engine, spec, variant, events, finals)
    tables = {t: info.rows for t, info in engine.loaded.items()}
    for t, info in engine.loaded.items():
        if len(info.clients) > 1:
            found.append(
                Finding(
                    "several_clients",
                    "warning",
                    len(info.clients),
                    f"Table {t} holds rows of {len(info.clients)} SAP clients (MANDT); documents of different "
                    "clients can share numbers. Export one client only.",
                    info.clients[:5],
                )
            )
        if info.renamed:
            found.append(
                Finding(
                    "field_labels_renamed",
                    "info",
                    len(info.renamed),
                    f"Table {t} had SE16N field labels as headers; they were read as technical names.",
                    tuple(f"{a} -> {b}" for a, b in info.renamed[:5]),
                )
            )
    if events.empty:
        raise InputError(
            None,
            f"recipe {spec.name}: no activity instance belongs to a {notion.object} (case notion {notion_name!r})",
            hint="Try another --case, or check the document links in the export.",
        )
    return Extraction(
        events=events,
        instances=instances,
        object_types=dict(spec.objects),
        recipe=name,
        variant=variant,
        variant_label=label,
        source=engine.source.label,
        case_notion=notion_name,
        language=language,
        tables=tables,
        findings=sort_findings(found),
    )


def _union_steps(engine: Engine, spec: Recipe, steps: list[Step], objects: list[str]) -> None:
    parts: list[str] = []
    for i, step in enumerate(steps):
        view = f"step_{i}"
        try:
            engine.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {step.to_sql()}")
            cols = [str(c) for c in engine.query(f"SELECT * FROM {view} LIMIT 0").columns]
        except duckdb.Error as exc:
            raise InputError(
                None,
                f"recipe {spec.name}, step {step.name!r}: its query fails: {_first_line(exc)}",
                hint="Check the table and column names the step uses (they are the ERP's technical names).",
            ) from None
        missing = [c for c in ("activity", "time") if c not in cols]
        if missing or not set(cols) & set(objects):
            raise InputError(
                None,
                f"recipe {spec.name}, step {step.name!r}: its query must return columns activity, time and at "
                f"least one object column ({', '.join(objects)}); it returns {', '.join(cols)}",
                hint="Rename the columns with AS, e.g. SELECT VBELN AS \"order\", 'Create Order' AS activity, ...",
            )
        casts = [f"CAST({quote_ident(o)} AS VARCHAR) AS {quote_ident(o)}" for o in objects if o in cols]
        rest = [quote_ident(c) for c in cols if c not in objects and c not in ("time", "start")]
        times = ["CAST(time AS TIMESTAMP) AS time"]
        if "start" in cols:
            times.append("CAST(start AS TIMESTAMP) AS start")
        key = f"CAST({quote_ident(step.event_key)} AS VARCHAR)" if step.event_key in cols else "CAST(NULL AS VARCHAR)"
        parts.append(f"SELECT {', '.join([*casts, *rest, *times])}, {i} AS step_no, {key} AS event_key FROM {view}")
    object_cols = ", ".join(f"CAST(NULL AS VARCHAR) AS {quote_ident(o)}" for o in objects)
    skeleton = (
        f"SELECT {object_cols}, CAST(NULL AS VARCHAR) AS activity, CAST(NULL AS TIMESTAMP) AS time, "
        "CAST(NULL AS VARCHAR) AS resource, -1 AS step_no WHERE false"
    )
    union = " UNION ALL BY NAME ".join([skeleton, *parts])
    try:
        engine.execute(
            f"CREATE OR REPLACE TEMP TABLE instances AS SELECT row_number() OVER () AS instance_id, * "
            f"FROM ({union}) ORDER BY step_no"
        )
    except duckdb.Error as exc:
        raise InputError(
            None,
            f"recipe {spec.name}: the steps' results cannot be combined: {_first_line(exc)}",
            hint="Give columns that mean the same thing the same type in every step.",
        ) from None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _flatten(
    engine: Engine, spec: Recipe, notion: str, obj: str, link: str | None, needs: dict[str, list[str]]
) -> pd.DataFrame:
    """Give each instance its case: its own ``obj`` id, else one reached through the link table."""
    q = quote_ident(obj)
    direct = f"SELECT * FROM instances WHERE {q} IS NOT NULL"
    if not link:
        return engine.query(direct)
    _check_needs(engine, spec, f"case notion {notion!r}", {k.upper(): v for k, v in needs.items()}, False)
    try:
        engine.execute(f"CREATE OR REPLACE TEMP TABLE case_link AS SELECT DISTINCT * FROM ({link})")
    except duckdb.Error as exc:
        raise InputError(
            None,
            f"recipe {spec.name}, case notion {notion!r}: its link query fails: {_first_line(exc)}",
            hint="Check the table and column names in `link`.",
        ) from None
    link_cols = [str(c) for c in engine.query("SELECT * FROM case_link LIMIT 0").columns]
    others = [c for c in link_cols if c != obj and c in spec.objects]
    parts = [direct]
    for i, other in enumerate(others):
        earlier = " AND ".join(f"i.{quote_ident(o)} IS NULL" for o in others[:i])
        cond = f"i.{q} IS NULL AND i.{quote_ident(other)} IS NOT NULL" + (f" AND {earlier}" if earlier else "")
        parts.append(
            f"SELECT i.* REPLACE (CAST(l.{q} AS VARCHAR) AS {q}) FROM instances i "
            f"JOIN (SELECT DISTINCT {q}, {quote_ident(other)} FROM case_link) l "
            f"ON i.{quote_ident(other)} = CAST(l.{quote_ident(other)} AS VARCHAR) WHERE {cond}"
        )
    return engine.query(" UNION ALL ".join(parts))


def _object_attributes(engine: Engine, spec: Recipe, obj: str, variant: str | None) -> pd.DataFrame | None:
    attrs = spec.object_attributes.get(obj)
    if attrs is None or not _applies(attrs.variant, variant):
        return None
    if not _check_needs(engine, spec, f"object_attributes.{obj}", {k.upper(): v for k, v in attrs.needs.items()}, True):
        return None
    try:
        frame = engine.query(attrs.sql)
    except duckdb.Error as exc:
        raise InputError(
            None,
            f"recipe {spec.name}, object_attributes.{obj}: the query fails: {_first_line(exc)}",
            hint="Check the table and column names in the query.",
        ) from None
    if obj not in frame.columns:
        raise InputError(
            None,
            f"recipe {spec.name}, object_attributes.{obj}: the query must return a column {obj!r}",
            hint=f'Name the id column AS "{obj}".',
        )
    frame[obj] = frame[obj].astype(str)
    return frame.drop_duplicates(subset=[obj])


def _translate(names: pd.Series, spec: Recipe, language: str) -> pd.Series:
    table = spec.translations.get(language, {})
    if not table:
        return names.astype(str)
    patterns = [
        (re.compile("^" + re.escape(k).replace(r"\{\}", "(.+)") + "$"), v) for k, v in table.items() if "{}" in k
    ]

    def one(name: str) -> str:
        if name in table:
            return table[name]
        for pattern, target in patterns:
            m = pattern.match(name)
            if m:
                inner = table.get(m.group(1), m.group(1))
                return target.replace("{}", inner)
        return name

    uniq = {n: one(n) for n in names.astype(str).unique()}
    return names.astype(str).map(uniq)


def _contract(
    flat: pd.DataFrame,
    obj: str,
    objects: list[str],
    attrs: pd.DataFrame | None,
    spec: Recipe,
    language: str,
    zones: TimeZones | None,
) -> pd.DataFrame:
    frame = flat.dropna(subset=["time"]).copy()
    if attrs is not None:
        extra = attrs.rename(columns={c: f"{c}" for c in attrs.columns})
        clash = [c for c in extra.columns if c != obj and c in frame.columns]
        frame = frame.merge(extra.drop(columns=clash), on=obj, how="left")
    out = pd.DataFrame(
        {
            C.CASE: frame[obj].astype(str),
            C.ACTIVITY: _translate(frame["activity"], spec, language),
            C.END: pd.to_datetime(frame["time"]),
            C.START: pd.to_datetime(frame["start"]) if "start" in frame.columns else pd.NaT,
            C.RESOURCE: frame["resource"].astype("string") if "resource" in frame.columns else pd.NA,
        }
    )
    if "due" in frame.columns:
        out[C.DUE] = pd.to_datetime(frame["due"])
    if zones is not None:
        for col in (C.END, C.START):
            if out[col].notna().any():
                out[col] = zones.convert(out[col])
    skip = {obj, "activity", "time", "start", "resource", "due", "instance_id", "step_no", "event_key"}
    for col in frame.columns:
        if col not in skip:
            out[col if col not in C.CANONICAL else f"attr_{col}"] = frame[col].to_numpy()
    # Ties in time keep the recipe's order (the instance id) through normalise_frame's sort.
    out[C.SOURCE_ROW] = frame["instance_id"].to_numpy()
    out = C.normalise_frame(out)
    out[C.SOURCE_ROW] = range(1, len(out) + 1)
    return out
