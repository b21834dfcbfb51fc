"""docs/curation.md states the record counts per curated file; they must match the files."""

from pathlib import Path

import pytest

from conftest import load_script

ROOT = Path(__file__).resolve().parents[2]


def _counts_table(doc: str) -> tuple[list[str], dict[str, list[int]]]:
    """The §6 table: its column headings and, per row (file or **total**), its numbers."""
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


def test_counts_table_matches_the_curated_files():
    mod = load_script("curation_counts")
    actual = dict(mod.counts(ROOT / "etl" / "curated"))
    header, stated = _counts_table((ROOT / "docs" / "curation.md").read_text(encoding="utf-8"))
    assert header == ["file", *mod.COLUMNS.values()]
    expected = {name: [c[k] for k in mod.COLUMNS] for name, c in actual.items()}
    expected["total"] = [sum(c[k] for c in actual.values()) for k in mod.COLUMNS]
    assert stated == expected


def test_counts_refuse_an_unknown_top_level_key(tmp_path):
    mod = load_script("curation_counts")
    (tmp_path / "x.yaml").write_text("document: d\npart: p\nagreements: []\nevidence_fro: []\n", encoding="utf-8")
    with pytest.raises(mod.CountsError, match="evidence_fro"):
        mod.counts(tmp_path)


def test_counts_read_evidence_for_and_withdrawn(tmp_path):
    mod = load_script("curation_counts")
    (tmp_path / "x.yaml").write_text(
        "document: d\npart: p\n"
        "investments:\n- {id: a, evidence: [{quote: q1}, {quote: q2, occurrence: 2}]}\n"
        "evidence_for:\n- {fact_id: b, quote: q3}\n"
        "withdrawn:\n- {id: c, reason: merged into a}\n", encoding="utf-8")
    [(name, c)] = mod.counts(tmp_path)
    assert name == "x.yaml"
    assert (c["investments"], c["evidence_for"], c["evidence"], c["withdrawn"]) == (1, 1, 3, 1)


def test_every_report_part_and_news_document_has_a_curated_file():
    parts = {p.stem for p in (ROOT / "etl" / "curated" / "etnc-2026-report").glob("*.yaml")}
    assert parts >= set("summary eu at be cz dk ee fi fr de hu ie it lv lt nl pl pt ro sk si es se gb".split())
    import yaml

    manifest = yaml.safe_load((ROOT / "data" / "corpus" / "sources.yaml").read_text(encoding="utf-8"))
    for doc in manifest["documents"]:
        if doc["kind"] != "report":
            assert (ROOT / "etl" / "curated" / doc["key"] / "main.yaml").exists(), doc["key"]
