"""Print the per-file counts of curated records (Markdown), for docs/curation.md §6.

Reads the curated files in the v2 format (docs/curation.md §4): one list per fact type
(the list keys come from etnc_db.facts.schema, so a new fact type gets its column), the
`evidence_for` entries that add quotes to other files' records, and the `withdrawn` ids.
Quotes are counted once each: a record's own evidence plus the file's evidence_for
entries. A top-level key the format does not know is an error, not a silent zero.

Usage: .venv/bin/python scripts/curation_counts.py [etl/curated]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
try:
    sys.path.insert(0, str(ROOT / "src"))
    from etnc_db.facts.schema import list_keys as _list_keys

    FACT_LISTS = tuple(_list_keys())
except Exception:  # pragma: no cover - without the package, the format of docs/curation.md §4
    FACT_LISTS = ("agreements", "investments", "policy_measures")
HEADER_KEYS = ("document", "part")
OTHER_LISTS = ("evidence_for", "withdrawn")
TYPES = (*FACT_LISTS, "evidence_for")  # kept for callers of the v1 script
COLUMNS = {  # column key -> heading in docs/curation.md §6
    **{k: k.replace("_", " ") for k in FACT_LISTS},
    "evidence_for": "evidence for other files' records",
    "evidence": "evidence quotes",
    "withdrawn": "withdrawn ids",
}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CountsError(ValueError):
    pass


def file_counts(path: Path) -> dict[str, int]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    unknown = sorted(set(data) - {*HEADER_KEYS, *FACT_LISTS, *OTHER_LISTS})
    if unknown:
        raise CountsError(f"{path}: unknown top-level key(s) {', '.join(unknown)}")
    c = {k: len(data.get(k) or []) for k in (*FACT_LISTS, *OTHER_LISTS)}
    c["evidence"] = sum(len(r.get("evidence") or []) for k in FACT_LISTS for r in data.get(k) or []) + c["evidence_for"]
    return c


def counts(curated: Path) -> list[tuple[str, dict[str, int]]]:
    return [(path.relative_to(curated).as_posix(), file_counts(path)) for path in sorted(Path(curated).rglob("*.yaml"))]


def table(curated: Path) -> str:
    rows = counts(curated)
    lines = ["| file | " + " | ".join(COLUMNS.values()) + " |", "| --- |" + " ---: |" * len(COLUMNS)]
    total = dict.fromkeys(COLUMNS, 0)
    for name, c in rows:
        lines.append(f"| {name} | " + " | ".join(str(c[k]) for k in COLUMNS) + " |")
        for k in total:
            total[k] += c[k]
    lines.append("| **total** | " + " | ".join(f"**{total[k]}**" for k in COLUMNS) + " |")
    return "\n".join(lines)


def _counts_table(doc: str) -> tuple[list[str], dict[str, list[int]]]:
    """The §6 table of docs/curation.md: its column headings and, per row (file or
    **total**), its numbers."""
    section = doc[doc.index("## 6. Counts"):]
    lines = [ln for ln in section.splitlines() if ln.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = {}
    for ln in lines[2:]:
        cells = [c.strip().strip("*") for c in ln.strip("|").split("|")]
        if not cells[0].endswith(".yaml") and cells[0] != "total":
            break
        rows[cells[0]] = [int(c) for c in cells[1:]]
    return header, rows


def check_doc(doc: Path, curated: Path) -> list[str]:
    """The §6 table checked against the files, not the other way round: every row it
    states must match its file, and the total the rows it states; the curated files the
    table does not list yet (a new document) are returned, not refused — rerun this
    script to add them. Raises CountsError for a wrong row or total."""
    actual = dict(counts(curated))
    header, stated = _counts_table(Path(doc).read_text(encoding="utf-8"))
    if header != ["file", *COLUMNS.values()]:
        raise CountsError(f"{doc}: the counts table has the columns {header}")
    total = stated.pop("total")
    for name, numbers in stated.items():
        if name not in actual:
            raise CountsError(f"{name}: listed in {Path(doc).name} but there is no such curated file")
        if numbers != [actual[name][k] for k in COLUMNS]:
            raise CountsError(f"{name}: the counts in {Path(doc).name} are wrong (rerun scripts/curation_counts.py)")
    if total != [sum(row[i] for row in stated.values()) for i in range(len(COLUMNS))]:
        raise CountsError(f"{Path(doc).name}: the total row is not the sum of the rows")
    return sorted(set(actual) - set(stated))


def main(curated: Path) -> None:
    print(table(curated))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "etl" / "curated"))
