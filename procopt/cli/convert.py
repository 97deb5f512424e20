"""``procopt convert LOG --to parquet --partition-by month --out DIR``: a log as a dataset for out-of-core analysis."""

from __future__ import annotations

import click

from procopt.cli.common import ProgressCallback, emit_json
from procopt.cli.options import json_option, map_option


@click.command("convert")
@click.argument("log", type=click.Path(dir_okay=False, path_type=str))
@click.option("--to", "to", type=click.Choice(["parquet"]), default="parquet", show_default=True, help="Output format.")
@click.option(
    "--partition-by",
    type=click.Choice(["month"]),
    default="month",
    show_default=True,
    help="One folder per month in which cases started (case_month=YYYY-MM), so no case is split.",
)
@click.option(
    "--out",
    "-o",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=str),
    help="New folder for the dataset (written atomically; refused when it exists and is not empty).",
)
@map_option
@json_option
def command(log: str, to: str, partition_by: str, out: str, map_: str | None, as_json: bool) -> None:
    """Write LOG (any format procopt reads) as a Parquet dataset partitioned by the month each case started.

    \b
    Example:
      procopt convert export.xes.gz --to parquet --partition-by month --out data/export
      procopt mine data/export --out out/export      # out of core, partition by partition
      procopt validate 'data/export/**/*.parquet'

    The files hold procopt's own column names and parsed timestamps, so reading them back needs no --map.
    """
    from procopt.log.mapping import parse_map_option
    from procopt.log.read import read_log
    from procopt.scale.convert import write_month_dataset

    bar = ProgressCallback("Reading log")
    try:
        elog = read_log(log, mapping=parse_map_option(map_, path=log) or None, progress=bar)
    finally:
        bar.close()
    written = write_month_dataset(elog.events, out)
    doc = {"out": out, "format": to, "partition_by": partition_by, **written.to_dict()}
    if as_json:
        emit_json(doc)
        return
    click.echo(
        f"Wrote {written.events:,} events of {written.cases:,} cases to {out}/ in {len(written.months)} month "
        f"partitions ({written.months[0] if written.months else '-'} → {written.months[-1] if written.months else '-'})."
    )
    click.echo(f"Next: procopt mine {out} --out OUT   or   procopt validate {out}")
