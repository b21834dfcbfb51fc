"""docs/curation.md states the record counts per curated file; they must match the files."""

from pathlib import Path

import pytest

from conftest import load_script

ROOT = Path(__file__).resolve().parents[2]


def check_counts_doc(doc: Path, curated: Path) -> list[str]:
    return load_script("curation_counts").check_doc(doc, curated)


def test_counts_table_matches_the_curated_files():
    assert check_counts_doc(ROOT / "docs" / "curation.md", ROOT / "etl" / "curated") == []


def test_a_new_curated_file_not_yet_in_the_table_keeps_the_check_green(tmp_path):
    import shutil

    curated = tmp_path / "curated"
    shutil.copytree(ROOT / "etl" / "curated", curated)
    (curated / "new-article").mkdir()
    (curated / "new-article" / "main.yaml").write_text("document: new-article\npart: main\n", encoding="utf-8")
    assert check_counts_doc(ROOT / "docs" / "curation.md", curated) == ["new-article/main.yaml"]
    # a wrong number is still refused
    (curated / "etnc-2026-report" / "zz.yaml").write_text("document: d\npart: zz\n", encoding="utf-8")
    broken = tmp_path / "curation.md"
    text = (ROOT / "docs" / "curation.md").read_text(encoding="utf-8")
    row = next(ln for ln in text.splitlines() if ln.startswith("| etnc-2026-report/hu.yaml |"))
    cells = row.split("|")
    cells[2] = f" {int(cells[2]) + 1} "
    broken.write_text(text.replace(row, "|".join(cells)), encoding="utf-8")
    with pytest.raises(load_script("curation_counts").CountsError, match="hu.yaml: the counts"):
        check_counts_doc(broken, curated)


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
