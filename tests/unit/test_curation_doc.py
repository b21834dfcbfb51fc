"""docs/curation.md states the record counts per curated file; they must match the files."""

import re
from pathlib import Path

from conftest import load_script

ROOT = Path(__file__).resolve().parents[2]


def test_counts_table_matches_the_curated_files():
    mod = load_script("curation_counts")
    actual = {name: c for name, c in mod.counts(ROOT / "etl" / "curated")}
    doc = (ROOT / "docs" / "curation.md").read_text(encoding="utf-8")
    stated = {}
    for m in re.finditer(r"^\| ([\w./-]+\.yaml) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$", doc, re.M):
        stated[m.group(1)] = tuple(int(x) for x in m.groups()[1:])
    assert stated == {
        name: (c["agreements"], c["investments"], c["policy_measures"], c["evidence_for"], c["evidence"])
        for name, c in actual.items()
    }


def test_every_report_part_and_news_document_has_a_curated_file():
    parts = {p.stem for p in (ROOT / "etl" / "curated" / "etnc-2026-report").glob("*.yaml")}
    assert parts >= set("summary eu at be cz dk ee fi fr de hu ie it lv lt nl pl pt ro sk si es se gb".split())
    import yaml

    manifest = yaml.safe_load((ROOT / "data" / "corpus" / "sources.yaml").read_text(encoding="utf-8"))
    for doc in manifest["documents"]:
        if doc["kind"] != "report":
            assert (ROOT / "etl" / "curated" / doc["key"] / "main.yaml").exists(), doc["key"]
