"""Stage 1 — ingest: turn a raw table (source columns, one row per event) into the contract event table.

Logs record work three ways: (a) one completion time per step, (b) separate ``start`` and ``complete``
rows (XES lifecycle), (c) start and end columns on one row. All three become one row per *activity
instance* with START (NaT when unknown) and END. Lifecycle rows are paired FIFO: each complete takes the
earliest still-open start of the same case + activity (+ resource when known), so two overlapping
"Pick goods" instances in one order keep their own durations. The pairing is vectorised (a reflected
running count per group), never a Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from procopt.errors import InputError
from procopt.log import columns as C
from procopt.log.audit import MAX_EXAMPLES, Finding, Severity, TimeColumn
from procopt.log.formats import dst_finding
from procopt.log.timestamps import ORDERS, parse_timestamps, resolve_date_format, show_format

START_WORDS = frozenset({"start", "started", "begin", "begun", "开始", "start_activity"})
COMPLETE_WORDS = frozenset({"complete", "completed", "end", "ended", "finish", "finished", "done", "完成", "结束"})
#: Standard XES lifecycle transitions (anything else means the column holds statuses, not transitions).
XES_TRANSITIONS = frozenset(
    {
        "schedule",
        "assign",
        "reassign",
        "start",
        "suspend",
        "resume",
        "complete",
        "autoskip",
        "manualskip",
        "withdraw",
        "ate_abort",
        "pi_abort",
        "unknown",
    }
)
_TIME_ROLES = {"end": C.END, "start": C.START, "due": C.DUE}


@dataclass(frozen=True, slots=True)
class Normalised:
    """The contract event table and what normalising it found."""

    events: pd.DataFrame
    findings: tuple[Finding, ...]
    has_start: bool
    timestamps: tuple[TimeColumn, ...] = ()


def _examples(rows: pd.Series | np.ndarray) -> tuple[int, ...]:
    return tuple(int(r) for r in np.asarray(rows)[:MAX_EXAMPLES])


def normalise_events(
    raw: pd.DataFrame,
    mapping: Mapping[str, str],
    *,
    path: str | Path | None = None,
    date_format: str | None = None,
) -> Normalised:
    """Rename mapped columns to the contract, parse times, pair lifecycle rows, order rows.

    Args:
        raw: the table as read, in file order; may already carry ``SOURCE_ROW``.
        mapping: role -> source column (see :mod:`procopt.log.mapping`).
        path: the input file, named in errors.
        date_format: ``dmy``, ``mdy``, ``ymd``, ``iso`` or a strptime pattern for text time columns
            (``--date-format``); detected per column when None.

    Raises:
        InputError: ``date_format`` is not valid, or no end time can be read.
    """
    try:
        exact, candidates = resolve_date_format(date_format)
    except ValueError as exc:
        raise InputError(
            path, str(exc), hint="E.g. --date-format mdy for 03/14/2024, or --date-format '%d.%m.%Y %H:%M'."
        ) from None
    findings: list[Finding] = []
    times: list[TimeColumn] = []
    frame = _rename(raw, mapping)
    findings += _missing(frame, mapping, ("case", "activity", "end", "lifecycle", "start", "due"))
    keep = (
        frame[C.CASE].notna() & frame[C.ACTIVITY].notna() & (frame[C.CASE] != "") & (frame[C.ACTIVITY] != "")
    ).to_numpy()
    frame = frame[keep].copy() if not keep.all() else frame
    frame[C.CASE] = _as_str(frame[C.CASE])
    frame[C.ACTIVITY] = _as_str(frame[C.ACTIVITY])
    for role, col in _TIME_ROLES.items():
        if role in mapping:
            # an ambiguous day/month order is settled once, on the end column, and used for the others
            settled = next((t for t in times if t.ambiguous), None)
            frame[col], more, info = _parse(frame, role, mapping[role], path, exact, candidates, settled)
            findings += more
            times += [info] if info is not None else []
    if any(t.ambiguous for t in times):
        findings.append(_ambiguous([t for t in times if t.ambiguous]))
    findings = _one_dst_finding(findings)
    if frame[C.END].isna().any():
        frame = frame[frame[C.END].notna()].copy()
    if "lifecycle" in mapping:
        frame, more = _apply_lifecycle(frame, "resource" in mapping)
        findings += more
    findings += _missing(frame, mapping, ("resource", "department"))
    if C.DUE in frame.columns and frame[C.DUE].notna().any():
        frame[C.DUE] = frame.groupby(C.CASE, sort=False)[C.DUE].transform("first")
    events = finish_frame(frame)
    return Normalised(events, tuple(findings), C.has_start_times(events), tuple(times))


def _rename(raw: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    targets = {col: C.ROLES[role] for role, col in mapping.items() if role in C.ROLES}
    targets.update({mapping["lifecycle"]: "lifecycle"} if "lifecycle" in mapping else {})
    # An unmapped column that already carries a contract name (e.g. XES concept:name when the user chose
    # another activity column) keeps its data under a new name instead of being overwritten.
    names = set(targets.values()) | {C.SOURCE_ROW}
    clash = {c: f"{c} (unmapped)" for c in raw.columns if c in names and c not in targets}
    # one source column mapped to two roles (e.g. start=end=date) is copied for the second role
    copies = [
        (C.ROLES.get(role, "lifecycle"), col)
        for role, col in mapping.items()
        if targets.get(col) != C.ROLES.get(role, "lifecycle")
    ]
    out = raw.rename(columns={**clash, **targets}, copy=False)
    for name, col in copies:
        out[name] = raw[col].to_numpy()
    out[C.SOURCE_ROW] = np.arange(1, len(out) + 1)
    return out


def _as_str(values: pd.Series) -> pd.Series:
    """Ids and names as Python str; integers stay ``'7'`` (not ``'7.0'``), existing strings are untouched."""
    if values.dtype == object:
        return values.astype(str)
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        return values.astype("Int64").astype(str)
    return values.astype(str)


def finish_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """What ``columns.normalise_frame`` does, with one copy instead of several (wide ERP logs)."""
    for col in (C.START, C.END, C.DUE):
        if col not in frame.columns:
            frame[col] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        elif frame[col].dtype != "datetime64[ns]":
            frame[col] = pd.to_datetime(frame[col]).astype("datetime64[ns]")
    for col in (C.RESOURCE, C.DEPARTMENT):
        if col not in frame.columns:
            frame[col] = pd.Series(pd.NA, index=frame.index, dtype=object)
    # (CASE, END, START, SOURCE_ROW) order, NaT last: one lexsort over integer keys instead of
    # sort_values, which would factorize the two timestamp columns as well.
    codes, _ = pd.factorize(frame[C.CASE], sort=True)
    last = np.iinfo(np.int64).max
    end = np.where(frame[C.END].isna(), last, frame[C.END].to_numpy().view("i8"))
    start = np.where(frame[C.START].isna(), last, frame[C.START].to_numpy().view("i8"))
    order = np.lexsort((frame[C.SOURCE_ROW].to_numpy(), start, end, codes))
    cols = list(C.CANONICAL) + [c for c in frame.columns if c not in C.CANONICAL]
    positions = [frame.columns.get_loc(c) for c in cols]
    out = frame.iloc[order, positions]
    return out.reset_index(drop=True)


def _missing(frame: pd.DataFrame, mapping: Mapping[str, str], roles: tuple[str, ...]) -> list[Finding]:
    out: list[Finding] = []
    for role, src in mapping.items():
        if role not in roles:
            continue
        col = C.ROLES.get(role, "lifecycle")
        values = frame[col]
        blank = values.isna()
        if values.dtype == object and role in ("case", "activity"):
            blank |= values.eq("")
        n = int(blank.sum())
        if not n:
            continue
        sev: Severity
        if role in ("case", "activity"):
            sev, what = "error", "these rows were dropped: an event needs a case and an activity"
        elif role == "end":
            sev, what = "error", "these rows were dropped: an event needs a completion time"
        elif role == "start":
            sev, what = "warning", "their waiting and processing time cannot be separated"
        elif role == "due":
            sev, what = "info", "on-time delivery cannot be measured for those cases"
        else:
            sev, what = "warning", f"workload per {role} misses these rows"
        out.append(
            Finding(
                "missing_values",
                sev,
                n,
                f"Column {src!r} ({role}) is empty in {n} of {len(frame)} row(s); {what}.",
                _examples(frame.loc[blank, C.SOURCE_ROW]),
            )
        )
    return out


def _parse(
    frame: pd.DataFrame,
    role: str,
    src: str,
    path: str | Path | None,
    exact: str | None = None,
    candidates: tuple[str, ...] | None = None,
    settled: TimeColumn | None = None,
) -> tuple[pd.Series, list[Finding], TimeColumn | None]:
    col = _TIME_ROLES[role]
    parsed = parse_timestamps(frame[col], fmt=exact, candidates=candidates)
    if parsed.ambiguous and settled is not None and parsed.format[:2] != settled.format[:2]:
        order = ORDERS["mdy" if settled.format.startswith("%m") else "dmy"]
        again = parse_timestamps(frame[col], candidates=order)
        parsed = replace(again, ambiguous=True, alternative=parsed.format, reason=f"as in column {settled.column!r}")
    given = exact is not None or candidates is not None
    findings: list[Finding] = []
    present = frame[col].notna()
    if parsed.bad_rows and len(parsed.bad_rows) >= int(present.sum()):
        shown = ", ".join(repr(str(v)) for v in frame[col].dropna().astype(str).head(3))
        if role == "end":
            raise InputError(
                path,
                f"no value in the {role} column {src!r} can be read as a date/time (e.g. {shown})"
                + (" with the given --date-format" if given else ""),
                where=f"column {src!r}",
                hint="Use ISO dates (2024-03-05 14:05:00) or a day-first format such as "
                "05.03.2024 14:05, give the format with --date-format (e.g. mdy or '%m/%d/%Y %H:%M'), "
                "or point --map end=COLUMN at the right column.",
            )
        findings.append(
            Finding(
                "unparseable_timestamps",
                "warning",
                len(parsed.bad_rows),
                f"No value in column {src!r} ({role}) could be read as a date/time (e.g. {shown}); "
                "the column is ignored.",
                (),
            )
        )
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]"), findings, None
    if parsed.bad_rows:
        rows = frame[C.SOURCE_ROW].to_numpy()[list(parsed.bad_rows[:MAX_EXAMPLES])]
        values = frame[col].to_numpy()[list(parsed.bad_rows[:MAX_EXAMPLES])]
        shown = ", ".join(f"row {r}: {v!r}" for r, v in zip(rows, values, strict=True))
        fate = "those rows were dropped" if role == "end" else "those values are treated as unknown"
        findings.append(
            Finding(
                "unparseable_timestamps",
                "error" if role == "end" else "warning",
                len(parsed.bad_rows),
                f"{len(parsed.bad_rows)} value(s) in column {src!r} ({role}) do not match the "
                f"column's format {parsed.format!r} ({shown}); {fate}. Fix them in the export.",
                tuple(int(r) for r in rows),
            )
        )
    if parsed.zone is not None:
        detail = ", ".join(f"{k}: {n}" for k, n in parsed.offsets.items())
        findings.append(dst_finding(detail, parsed.zone, f"Column {src!r} ({role}) carries"))
    if parsed.target_offset is not None:
        detail = ", ".join(f"{k}: {n}" for k, n in parsed.offsets.items())
        findings.append(
            Finding(
                "mixed_timezone_offsets",
                "warning",
                parsed.shifted,
                f"Column {src!r} ({role}) mixes UTC offsets ({detail}) that no single time zone's "
                f"daylight-saving rules explain; all values were converted to the most frequent offset "
                f"{parsed.target_offset}, so {parsed.shifted} value(s) moved and their hour of day may be off.",
                tuple(parsed.offsets),
            )
        )
    values = parsed.values
    reading = "as written"
    if role == "due" and parsed.date_only:
        # A promise "by 5 March" is kept when delivery happens any time that day.
        values = values + pd.Timedelta(days=1) - pd.Timedelta(seconds=1)
        reading = "end of day"
        findings.append(
            Finding(
                "due_date_only",
                "info",
                int(values.notna().sum()),
                f"Column {src!r} (due) gives dates without a time of day; each is read as the end of that day "
                "(23:59:59), so a case finished any time on its due date counts as on time.",
                (),
            )
        )
    info = TimeColumn(
        role=role,
        column=src,
        format=parsed.format,
        shown=show_format(parsed.format),
        ambiguous=parsed.ambiguous,
        alternative=parsed.alternative,
        reason=parsed.reason,
        given=given,
        date_only=parsed.date_only,
        reading=reading,
        zone=parsed.zone,
    )
    return values, findings, info


def _one_dst_finding(findings: list[Finding]) -> list[Finding]:
    """Several time columns in one zone: report it once (the first column's message, every column's count)."""
    dst = [f for f in findings if f.code == "daylight_saving_offsets"]
    if len(dst) < 2:
        return findings
    others = len(dst) - 1
    message = dst[0].message + f" The {others} other time column(s) carry offsets of the same zone and are read alike."
    merged = replace(dst[0], count=sum(f.count for f in dst), message=message)
    return [f for f in findings if f.code != "daylight_saving_offsets"] + [merged]


def _ambiguous(columns: list[TimeColumn]) -> Finding:
    """One warning for all time columns whose day/month order had to be guessed."""
    first = columns[0]
    chosen, alt = first.shown, show_format(first.alternative or "")
    names = ", ".join(f"{t.column!r} ({t.role})" for t in columns)
    order = "mdy" if (first.alternative or "").startswith("%m") else "dmy"
    return Finding(
        "ambiguous_date_format",
        "warning",
        len(columns),
        f"The dates in {names} can be read day-first or month-first: no value has a day above 12. "
        f"{first.reason[0].upper() + first.reason[1:]}. If the dates are really {alt}, every span and "
        f"duration is wrong: say so with --date-format {order}.",
        (chosen, alt),
    )


def _apply_lifecycle(frame: pd.DataFrame, by_resource: bool) -> tuple[pd.DataFrame, list[Finding]]:
    raw = frame["lifecycle"]
    lc = raw.map({u: str(u).strip().lower() for u in raw.dropna().unique()}).fillna("")
    is_start = lc.isin(START_WORDS).to_numpy()
    is_complete = (lc.isin(COMPLETE_WORDS) | raw.isna()).to_numpy()
    findings: list[Finding] = []
    values = lc[raw.notna()].unique()
    if not is_start.any() and not set(values) <= XES_TRANSITIONS | COMPLETE_WORDS:
        shown = ", ".join(repr(v) for v in raw.dropna().astype(str).value_counts().index[:6])
        findings.append(
            Finding(
                "lifecycle_is_status",
                "info",
                len(values),
                f"The lifecycle column holds statuses ({shown}) rather than start/complete "
                "transitions; every row is kept as an event and the column is kept as an attribute.",
                tuple(str(v) for v in raw.dropna().astype(str).unique()[:MAX_EXAMPLES]),
            )
        )
        return frame.rename(columns={"lifecycle": "lifecycle:transition"}), findings
    other = ~(is_start | is_complete)
    if other.any():
        counts = raw[other].astype(str).value_counts()
        shown = ", ".join(f"{k}: {v}" for k, v in counts.items())
        kept = set(frame.loc[~other, C.ACTIVITY].unique())
        gone = sorted(set(frame.loc[other, C.ACTIVITY].unique()) - kept)
        lost = f" Activities with only such events disappear: {', '.join(repr(a) for a in gone[:6])}." if gone else ""
        findings.append(
            Finding(
                "lifecycle_dropped",
                "info",
                int(other.sum()),
                f"{int(other.sum())} lifecycle event(s) other than start/complete ({shown}) were "
                f"dropped; procopt measures from start to complete.{lost}",
                tuple(counts.index[:MAX_EXAMPLES]),
            )
        )
    if not is_start.any():
        out = frame[is_complete].drop(columns=["lifecycle"])
        return out, findings
    paired, more = pair_lifecycle(frame[~other], is_start[~other], by_resource=by_resource)
    return paired, findings + more


def pair_lifecycle(
    frame: pd.DataFrame, is_start: np.ndarray, *, by_resource: bool
) -> tuple[pd.DataFrame, list[Finding]]:
    """Pair start rows with complete rows FIFO per case + activity (+ resource); one row per instance.

    Unmatched completes become instances with an unknown start; unmatched starts are dropped. Both are
    reported. The row kept is the complete row (its attributes and ``SOURCE_ROW``) with START set.
    """
    keys = [C.CASE, C.ACTIVITY] + ([C.RESOURCE] if by_resource and C.RESOURCE in frame.columns else [])
    work = frame.assign(_start=is_start)
    work = work.sort_values(
        [*keys, C.END, "_start", C.SOURCE_ROW],
        ascending=[True] * len(keys) + [True, False, True],
        kind="stable",
        na_position="last",
    )
    gid = work.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()
    start = work["_start"].to_numpy()
    step = np.where(start, 1, -1)
    gs = pd.Series(step)
    level = gs.groupby(gid).cumsum()
    unmatched_so_far = np.maximum(0, -level.groupby(gid).cummin().to_numpy())
    prev = pd.Series(unmatched_so_far).groupby(gid).shift(fill_value=0).to_numpy()
    complete = ~start
    lonely = complete & (unmatched_so_far > prev)
    matched = complete & ~lonely
    rank_c = pd.Series(matched.astype(int)).groupby(gid).cumsum().to_numpy()
    rank_s = pd.Series(start.astype(int)).groupby(gid).cumsum().to_numpy()
    starts = pd.DataFrame(
        {
            "g": gid[start],
            "r": rank_s[start],
            "t": work[C.END].to_numpy()[start],
            "row": work[C.SOURCE_ROW].to_numpy()[start],
        }
    )
    comp = work[complete].drop(columns=["_start", "lifecycle"])
    comp_key = pd.DataFrame({"g": gid[complete], "r": np.where(matched[complete], rank_c[complete], -1)})
    joined = comp_key.merge(starts[["g", "r", "t"]], on=["g", "r"], how="left")
    comp[C.START] = joined["t"].to_numpy()
    used = pd.DataFrame({"g": gid[matched], "r": rank_c[matched]})
    open_starts = starts.merge(used, on=["g", "r"], how="left", indicator=True)
    open_starts = open_starts[open_starts["_merge"] == "left_only"]
    findings: list[Finding] = []
    acts = work[C.ACTIVITY].to_numpy()
    with_start = np.isin(acts, pd.unique(acts[start]))
    real = lonely & with_start
    n_lonely = int(real.sum())
    if n_lonely:
        findings.append(
            Finding(
                "unmatched_complete",
                "warning",
                n_lonely,
                f"{n_lonely} complete event(s) have no earlier start of the same activity in the "
                "same case; they are kept with an unknown start, so their processing time is "
                "unknown.",
                _examples(work.loc[real, C.SOURCE_ROW]),
            )
        )
    only_complete = pd.unique(acts[lonely & ~with_start])
    if len(only_complete):
        n = int((lonely & ~with_start).sum())
        names = ", ".join(repr(a) for a in sorted(only_complete)[:6])
        findings.append(
            Finding(
                "complete_only_activities",
                "info",
                len(only_complete),
                f"{len(only_complete)} activit(y/ies) ({names}{' …' if len(only_complete) > 6 else ''}) "
                f"are recorded only when they complete ({n} event(s)); their processing time is "
                "unknown and they count as instantaneous.",
                tuple(str(a) for a in sorted(only_complete)[:MAX_EXAMPLES]),
            )
        )
    if len(open_starts):
        findings.append(
            Finding(
                "unmatched_start",
                "warning",
                len(open_starts),
                f"{len(open_starts)} start event(s) never complete (still in progress at extraction, "
                "or the complete event is missing); they were dropped.",
                _examples(open_starts["row"].sort_values()),
            )
        )
    if int(matched.sum()):
        findings.append(
            Finding(
                "lifecycle_paired",
                "info",
                int(matched.sum()),
                f"{int(matched.sum())} start/complete pairs were merged into activity instances "
                f"(matched on case, activity{', resource' if len(keys) == 3 else ''}).",
                (),
            )
        )
    return comp, findings
