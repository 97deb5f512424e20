"""Benchmark: ``procopt extract`` on SAP document flow (VBFA) against a hand-written pandas merge.

Generates a VBFA table in SAP's export format (leading-zero numbers, ``YYYYMMDD`` dates, ``HHMMSS`` times) with
1M rows as Parquet: sales orders -> deliveries -> goods movements and invoices, the invoice linked to both
order and delivery as SAP writes it. Then, each in a fresh process (so peak memory, ``ru_maxrss``, is that
run's alone), medians of ``--runs``:

* procopt: ``extract(folder, "sap-docflow")`` — DuckDB reads the Parquet file natively and joins out of core;
* baseline: the same log by hand in pandas (read Parquet, strip zeros, parse times, iterate merges to
  follow the flow from each root order, first creation time per document).

Both must return the same number of events (checked). With ``--postgres`` it also loads ``--pg-rows`` rows
into a throw-away database on the local PostgreSQL server (as the ``postgres`` system user, over TCP) and
reports rows per second of ``extract`` from ``postgresql://``.

    .venv/bin/python bench/extract.py                       # 1M rows, 3 runs
    .venv/bin/python bench/extract.py --rows 200000 --runs 3 --postgres --json
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

GENERATE = r"""
import sys
import numpy as np, pandas as pd
rows, out = int(sys.argv[1]), sys.argv[2]
chains = rows // 4
rng = np.random.default_rng(11)
i = np.arange(chains)
order = np.char.zfill((10_000_000 + i).astype(str), 10)
delivery = np.char.zfill((80_000_000 + i).astype(str), 10)
goods = (4_900_000_000 + i).astype(str)
invoice = np.char.zfill((90_000_000 + i).astype(str), 10)
t0 = pd.Timestamp("2024-01-01 08:00") + pd.to_timedelta(np.sort(rng.uniform(0, 365 * 86400, chains)), unit="s")
t_del = t0 + pd.to_timedelta(rng.exponential(2 * 86400, chains), unit="s")
t_gi = t_del + pd.to_timedelta(rng.exponential(6 * 3600, chains), unit="s")
t_inv = t_gi + pd.to_timedelta(rng.exponential(86400, chains), unit="s")
def part(prev, nxt, tv, tn, t):
    return pd.DataFrame({"MANDT": "100", "VBELV": prev, "POSNV": "000010", "VBELN": nxt, "POSNN": "000010",
                         "VBTYP_V": tv, "VBTYP_N": tn, "RFMNG": "1.000", "ERDAT": t.strftime("%Y%m%d"),
                         "ERZET": t.strftime("%H%M%S")})
frame = pd.concat([part(order, delivery, "C", "J", t_del), part(delivery, goods, "J", "R", t_gi),
                   part(order, invoice, "C", "M", t_inv), part(delivery, invoice, "J", "M", t_inv)], ignore_index=True)
frame.to_parquet(out, index=False)
print(len(frame))
"""

RUN_PROCOPT = r"""
import json, resource, sys, time
t = time.perf_counter()
from procopt.extract import extract
r = extract(sys.argv[1], "sap-docflow")
n = len(r.events)
print(json.dumps({"seconds": time.perf_counter() - t, "events": n,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

RUN_PANDAS = r"""
import json, resource, sys, time
t = time.perf_counter()
import pandas as pd
SALES = list("ABCEGHIKLW0")
LABEL = {"C": "Sales Order", "J": "Delivery", "M": "Invoice", "R": "Goods Movement"}
df = pd.read_parquet(sys.argv[1] + "/VBFA.parquet")
for col in ("VBELV", "VBELN"):
    df[col] = df[col].str.strip().str.lstrip("0")
df["time"] = pd.to_datetime(df["ERDAT"] + df["ERZET"], format="%Y%m%d%H%M%S", errors="coerce")
flow = df[["VBELV", "VBELN", "VBTYP_V", "VBTYP_N"]].drop_duplicates()
child_sales = set(flow.loc[flow["VBTYP_N"].isin(SALES), "VBELN"])
roots = flow.loc[flow["VBTYP_V"].isin(SALES) & ~flow["VBELV"].isin(child_sales), "VBELV"].unique()
reach = flow.loc[flow["VBELV"].isin(roots), ["VBELV", "VBELN", "VBTYP_N"]].rename(columns={"VBELV": "root"})
frontier = reach
while len(frontier):
    step = frontier[["root", "VBELN"]].merge(flow, left_on="VBELN", right_on="VBELV", suffixes=("_p", ""))
    step = step[["root", "VBELN", "VBTYP_N"]]
    merged = step.merge(reach, how="left", indicator=True, on=["root", "VBELN", "VBTYP_N"])
    frontier = step[(merged["_merge"] == "left_only").to_numpy()].drop_duplicates()
    reach = pd.concat([reach, frontier], ignore_index=True)
reach = reach.drop_duplicates()
created = df.groupby(["VBELN", "VBTYP_N"], as_index=False)["time"].min()
log = reach.merge(created, on=["VBELN", "VBTYP_N"])
log["activity"] = "Create " + log["VBTYP_N"].map(LABEL).fillna("document")
log = log.sort_values(["root", "time"], kind="stable")
print(json.dumps({"seconds": time.perf_counter() - t, "events": len(log),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _child(code: str, *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def bench_parquet(rows: int, runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="procopt-bench-extract-") as tmp:
        folder = Path(tmp) / "export"
        folder.mkdir()
        written = int(subprocess.run(
            [sys.executable, "-c", GENERATE, str(rows), str(folder / "VBFA.parquet")],
            capture_output=True, text=True, check=True,
        ).stdout.strip())  # fmt: skip
        ours: list[dict[str, Any]] = []
        base: list[dict[str, Any]] = []
        for _ in range(runs):  # interleaved, so both see the same machine load
            ours.append(_child(RUN_PROCOPT, str(folder)))
            base.append(_child(RUN_PANDAS, str(folder)))
    if ours[0]["events"] != base[0]["events"]:
        raise SystemExit(f"procopt and the pandas baseline disagree: {ours[0]['events']} vs {base[0]['events']} events")
    p_s, b_s = _median(ours, "seconds"), _median(base, "seconds")
    return {
        "vbfa_rows": written,
        "events": ours[0]["events"],
        "runs": runs,
        "procopt_s": round(p_s, 2),
        "pandas_s": round(b_s, 2),
        "ratio": round(p_s / b_s, 2),
        "procopt_peak_mb": round(_median(ours, "peak_mb")),
        "pandas_peak_mb": round(_median(base, "peak_mb")),
    }


def _psql(sql: str) -> None:
    subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-qAtc", sql], check=True, capture_output=True, cwd="/")


def bench_postgres(rows: int, runs: int) -> dict[str, Any]:
    """Load ``rows`` VBFA rows into a throw-away database and time ``extract`` from it."""
    import psycopg

    tag = secrets.token_hex(4)
    user, password = f"procopt_bench_{tag}", secrets.token_urlsafe(12)
    port = int(
        subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout.split()[2]
    )
    _psql(f"CREATE ROLE {user} LOGIN PASSWORD '{password}'")
    try:
        _psql(f"CREATE DATABASE {user} OWNER {user}")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "VBFA.parquet"
            subprocess.run([sys.executable, "-c", GENERATE, str(rows), str(path)], check=True, capture_output=True)
            import pandas as pd

            frame = pd.read_parquet(path)
        with psycopg.connect(host="127.0.0.1", port=port, dbname=user, user=user, password=password) as conn:
            conn.execute("CREATE TABLE vbfa (" + ", ".join(f'"{c.lower()}" text' for c in frame.columns) + ")")
            with conn.cursor().copy("COPY vbfa FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(frame.to_csv(index=False, header=False))
            conn.commit()
        url = f"postgresql://{user}:{password}@127.0.0.1:{port}/{user}"
        timings = [_child(RUN_PROCOPT, url) for _ in range(runs)]
    finally:
        _psql(f"DROP DATABASE IF EXISTS {user} WITH (FORCE)")
        _psql(f"DROP ROLE IF EXISTS {user}")
    seconds = _median(timings, "seconds")
    return {
        "pg_rows": len(frame),
        "runs": runs,
        "seconds": round(seconds, 2),
        "rows_per_s": round(len(frame) / seconds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", action="store_true", help="also time extraction from a local PostgreSQL server")
    parser.add_argument("--pg-rows", type=int, default=200_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result: dict[str, Any] = {"parquet": bench_parquet(args.rows, args.runs)}
    if args.postgres:
        try:
            result["postgres"] = bench_postgres(args.pg_rows, args.runs)
        except (
            OSError,
            IndexError,
            subprocess.CalledProcessError,
        ) as exc:  # no server, or not allowed to create a database
            result["postgres_skipped"] = f"no local PostgreSQL server to administer ({type(exc).__name__})"
    if args.json:
        print(json.dumps(result, indent=2))
        return
    p = result["parquet"]
    print(
        f"VBFA document flow, {p['vbfa_rows']:,} rows (Parquet) -> {p['events']:,} events; medians of {p['runs']} runs"
    )
    print(f"  procopt extract (DuckDB)   {p['procopt_s']:8.2f} s   peak {p['procopt_peak_mb']:,} MB")
    print(f"  hand-written pandas merge  {p['pandas_s']:8.2f} s   peak {p['pandas_peak_mb']:,} MB")
    print(f"  ratio procopt / pandas     {p['ratio']:8.2f}")
    if "postgres_skipped" in result:
        print(f"PostgreSQL: skipped, {result['postgres_skipped']}")
    if "postgres" in result:
        g = result["postgres"]
        print(
            f"PostgreSQL, {g['pg_rows']:,} VBFA rows over TCP: {g['seconds']:.2f} s, {g['rows_per_s']:,} rows/s (median of {g['runs']})"
        )


if __name__ == "__main__":
    main()
