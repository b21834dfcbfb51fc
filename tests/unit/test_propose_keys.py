"""Determinism and key stability of the candidate extraction."""

from __future__ import annotations

from pathlib import Path

import pytest

from etnc_db.link.linker import Linker
from etnc_db.propose import load_weights, propose
from etnc_db.propose.inputs import input_from_text
from etnc_db.propose.rules import load_rules
from etnc_db.reference.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]


def doc_of(text: str, linker: Linker):
    return input_from_text(text, linker, document_key="test-doc", published="2026-06")

TEXT = ("In 2017, Huawei signed a memorandum of understanding with Tsinghua University. "
        "Geely acquired Volvo Cars in 2010 for USD 1.8 billion. "
        "Beijing imposed export controls on gallium and germanium in 2023.")


@pytest.fixture(scope="module")
def setup():
    return (load_rules(ROOT / "etl" / "extraction"), load_weights(ROOT / "etl" / "extraction" / "confidence.json"),
            Linker(load_registry(ROOT / "etl" / "reference")))


def test_same_input_same_output(setup):
    rules, weights, linker = setup
    a = propose(doc_of(TEXT, linker), rules, weights, keep_all=True)
    b = propose(doc_of(TEXT, linker), rules, weights, keep_all=True)
    assert [c.as_dict() for c in a] == [c.as_dict() for c in b]
    assert {c.fact_type for c in a} >= {"agreement", "investment", "policy_measure"}
    assert len({c.key for c in a}) == len(a)
    for c in a:
        assert 0.0 <= c.confidence <= 1.0
        assert c.extractor_version.startswith("propose-")
        assert all(TEXT[s:e] for s, e in c.evidence)


def test_changed_sentence_changes_only_its_candidates(setup):
    rules, weights, linker = setup
    before = propose(doc_of(TEXT, linker), rules, weights, keep_all=True)
    changed = TEXT.replace("in 2023.", "in 2024.")
    after = propose(doc_of(changed, linker), rules, weights, keep_all=True)
    third = TEXT.index("Beijing")

    def keys(cands, in_third):
        return {c.key for c in cands if (c.evidence[0][0] >= third) == in_third}

    assert keys(before, False) == keys(after, False)
    assert keys(before, True) and keys(before, True).isdisjoint(keys(after, True))


def test_key_ignores_offsets_and_whitespace(setup):
    rules, weights, linker = setup
    base = propose(doc_of(TEXT, linker), rules, weights, keep_all=True)
    shifted = propose(doc_of("Intro sentence without facts.  " + TEXT.replace(". ", ".   "), linker), rules, weights,
                      keep_all=True)
    assert {c.key for c in base} == {c.key for c in shifted}


def test_version_changes_with_the_rules(setup, tmp_path):
    rules, weights, linker = setup
    import shutil

    for f in (ROOT / "etl" / "extraction").iterdir():
        shutil.copy(f, tmp_path / f.name)
    with (tmp_path / "slots.yaml").open("a", encoding="utf-8") as fh:
        fh.write("\n# an edit\n")
    other = load_rules(tmp_path)
    v1 = propose(doc_of(TEXT, linker), rules, weights)[0].extractor_version
    v2 = propose(doc_of(TEXT, linker), other, weights)[0].extractor_version
    assert v1 != v2
