"""Rewrite the schema blocks of docs/CONTRACTS.md from a fresh run (after a deliberate, versioned change).

    .venv/bin/python tests/contracts/regen.py [COMMAND ...]

Comments (``# ...``) on documented lines are kept; hand-widened types (``float|null``, ``absent``) are kept
when the fresh run shows a compatible type. Review the diff: it is the contract change.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import commands
import schema


def merge(fresh: dict[str, set[str]], old_body: str) -> str:
    old = schema.parse(old_body.splitlines())
    comments = {}
    for raw in old_body.splitlines():
        if "#" in raw:
            line, comment = raw.split("#", 1)
            comments[line.rpartition(":")[0].strip()] = comment.strip()
    lines = []
    for path, kinds in sorted(fresh.items()):
        if path in old and not schema.differences({path: kinds}, {path: old[path]}):
            kinds = old[path]
        text = f"{path}: {'|'.join(sorted(kinds))}"
        if path in comments:
            text += f"  # {comments[path]}"
        lines.append(text)
    # documented keys this run did not produce (optional, or under an empty list) stay documented
    for path in sorted(set(old) - set(fresh)):
        text = f"{path}: {'|'.join(sorted(old[path]))}"
        if path in comments:
            text += f"  # {comments[path]}"
        lines.append(text)
    return "\n".join(sorted(lines, key=lambda line: line.split("#")[0].rpartition(":")[0].strip())) + "\n"


def main(names: list[str]) -> None:
    text = commands.CONTRACTS.read_text(encoding="utf-8")
    blocks = commands.documented_blocks(text)
    with tempfile.TemporaryDirectory() as tmp:
        for run in commands.RUNS:
            if names and run.name not in names:
                continue
            fresh = schema.shape(commands.invoke(run, Path(tmp)), run.maps)
            text = commands.replace_block(text, run.name, merge(fresh, blocks.get(run.name, "")))
            print(f"{run.name}: {len(fresh)} paths", file=sys.stderr)
    commands.CONTRACTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
