"""Print the per-file counts of curated records (Markdown), for docs/curation.md.

Usage: .venv/bin/python scripts/curation_counts.py [etl/curated]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

TYPES = ("agreements", "investments", "policy_measures", "evidence_for")


def counts(curated: Path) -> list[tuple[str, dict[str, int]]]:
    rows = []
    for path in sorted(curated.rglob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
        c = {t: len(data.get(t) or []) for t in TYPES}
        c["evidence"] = sum(len(r.get("evidence") or []) for t in TYPES[:3] for r in data.get(t) or []) + c["evidence_for"]
        rows.append((path.relative_to(curated).as_posix(), c))
    return rows


def main(curated: Path) -> None:
    rows = counts(curated)
    print("| file | agreements | investments | policy measures | evidence for other files' records | evidence quotes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    total = {t: 0 for t in (*TYPES, "evidence")}
    for name, c in rows:
        print(f"| {name} | {c['agreements']} | {c['investments']} | {c['policy_measures']} | {c['evidence_for']} | {c['evidence']} |")
        for k in total:
            total[k] += c[k]
    print(f"| **total** | **{total['agreements']}** | **{total['investments']}** | **{total['policy_measures']}** "
          f"| **{total['evidence_for']}** | **{total['evidence']}** |")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "etl/curated"))
