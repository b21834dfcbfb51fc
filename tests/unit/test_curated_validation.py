"""Hostile curated files (issue 11, items 11, 12 and 16): every mistake is refused with
`file:line` by the facts stage's resolver, before anything reaches the database, and
the quote search costs one pass over a document however many quotes miss."""

from __future__ import annotations

from pathlib import Path

import pytest

from etnc_db.config import PACKAGE_ROOT
from etnc_db.facts.documents import DocumentText
from etnc_db.facts.resolve import FactsError, resolve_facts
from etnc_db.reference.registry import load_registry

SENTENCE = "CATL will build a battery plant in Debrecen, the company said on Monday."
REPEATED = "The plant was announced."
TEXT = f"Title\n\n{SENTENCE}\n\nOther text. {REPEATED} Then more. {REPEATED} And {REPEATED}\n"

RECORD = """\
document: test-doc
part: main
investments:
  - id: test-catl
    title: Test CATL plant
    investor: catl
    host_country: HU
    location: Debrecen
    investment_type: greenfield
    status: planned
    amount: 1000000
    currency: USD
    amount_qualifier: exact
    date: "2024"
    sectors: [batteries]
    evidence:
      - quote: "{quote}"
"""


@pytest.fixture(scope="module")
def registry():
    return load_registry(PACKAGE_ROOT / "etl" / "reference")


def resolve(tmp_path: Path, registry, text: str):
    (tmp_path / "f.yaml").write_text(text, encoding="utf-8")
    return resolve_facts(tmp_path, registry, {"test-doc": DocumentText("test-doc", TEXT)})


def problems(tmp_path: Path, registry, text: str) -> list[str]:
    with pytest.raises(FactsError) as err:
        resolve(tmp_path, registry, text)
    return [p.removeprefix(f"{tmp_path}/") for p in err.value.problems]


def good(**changes: str) -> str:
    text = RECORD.replace("{quote}", SENTENCE)
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new, 1)
    return text


def test_the_good_record_resolves(tmp_path, registry):
    assert resolve(tmp_path, registry, good()).facts_per_document == {"test-doc": 1}


@pytest.mark.parametrize("change, expected", [
    # YAML 1.1 reads 1e30 (no dot) as a string; it is checked after conversion all the same
    (("amount: 1000000", "amount: 1e30"), "f.yaml:11: amount: 1e+30 must be a finite number below 1e+18"),
    (("amount: 1000000", "amount: 1.0e+30"), "f.yaml:11: amount: 1e+30 must be a finite number below 1e+18"),
    (("amount: 1000000", "amount: 1e309"), "f.yaml:11: amount: Input should be a finite number"),
    (("amount: 1000000", "amount: .nan"), "f.yaml:11: amount: Input should be a finite number"),
    (("amount: 1000000", "amount: -.inf"), "f.yaml:11: amount: Input should be a finite number"),
    (("amount: 1000000", "amount: true"), "f.yaml:11: amount: a number is required"),
    # below the column's limit, but not once converted to EUR (GBP is fewer units per EUR)
    (("amount: 1000000\n    currency: USD", "amount: 9.9e+17\n    currency: GBP"),
     "f.yaml:11: amount 9.9e+17 GBP is 1.194e+18 EUR, beyond the largest amount the database holds (below 1e18 EUR)"),
    (('date: "2024"', 'date: "2024-02-30"'), "f.yaml:14: date: '2024-02-30' is not a real date"),
    (('date: "2024"', "date: 2024-02-30"),
     "f.yaml:14: malformed YAML: 2024-02-30 is not a real date (day is out of range for month)"),
    (("    status: planned\n", "    status: planned\n    status: announced\n"),
     "f.yaml:11: malformed YAML: duplicate key 'status' (first on line 10)"),
    (("part: main\n", "part: main\npart: other\n"), "f.yaml:3: malformed YAML: duplicate key 'part' (first on line 2)"),
    (("    location: Debrecen\n", "    location: Debrecen\n    colour: blue\n"),
     "f.yaml:9: colour: Extra inputs are not permitted"),
    (("part: main\n", "part: main\nsource: x\n"), "f.yaml:3: source: Extra inputs are not permitted"),
    (("      - quote:", "      - occurrence: 1\n        page: 3\n        quote:"),
     "f.yaml:18: evidence.0.page: Extra inputs are not permitted"),
])
def test_a_bad_value_is_refused_at_its_line(tmp_path, registry, change, expected):
    assert problems(tmp_path, registry, good(**{change[0]: change[1]})) == [expected]


def test_a_quote_found_in_several_places_must_say_which(tmp_path, registry):
    text = RECORD.replace("{quote}", REPEATED)
    assert problems(tmp_path, registry, text) == [
        "f.yaml:17: quote occurs 3 times in test-doc: say which with occurrence: N, or quote a longer stretch"]
    assert problems(tmp_path, registry, text.replace("      - quote:", "      - occurrence: 4\n        quote:")) == [
        "f.yaml:18: occurrence 4, but the quote occurs 3 time(s) in test-doc"]
    loads = resolve(tmp_path, registry, text.replace("      - quote:", "      - occurrence: 2\n        quote:")).loads
    spans = [(r["char_start"], r["char_end"]) for load in loads if load.table == "core.evidence" for r in load.rows]
    second = TEXT.index(REPEATED, TEXT.index(REPEATED) + 1)
    assert spans == [(second, second + len(REPEATED))]


def test_unmatched_quotes_cost_one_pass_over_the_document(tmp_path, registry, monkeypatch):
    """3000 quotes that occur nowhere: each is reported at its line, and the document's
    text is searched once for all of them (the issue's file took 3.7 ms per quote)."""
    import ahocorasick_rs

    passes = []

    real = ahocorasick_rs.AhoCorasick

    class Counting:
        def __init__(self, needles, *args, **kwargs):
            self.automaton = real(needles, *args, **kwargs)

        def find_matches_as_indexes(self, haystack, *args, **kwargs):
            passes.append(len(haystack))
            return self.automaton.find_matches_as_indexes(haystack, *args, **kwargs)

    monkeypatch.setattr(ahocorasick_rs, "AhoCorasick", Counting)
    extra = "".join(f'      - quote: "No such sentence number {i} is in the text."\n' for i in range(3000))
    found = problems(tmp_path, registry, good() + extra)
    assert len(found) == 3000
    assert found[0] == "f.yaml:18: quote not found in test-doc: 'No such sentence number 0 is in the text.'"
    assert found[-1].startswith(f"f.yaml:{18 + 2999}: quote not found")
    assert len(passes) == 1
