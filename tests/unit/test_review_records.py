"""Curated records made from candidates, and text edits of curated files that keep the
rest of the file as written."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import yaml

from etnc_db.facts.documents import DocumentText
from etnc_db.review.records import (
    RecordError,
    as_list_item,
    build_record,
    edited_fields,
    evidence_quotes,
    insert_item,
    new_file,
    render_evidence_for,
    render_record,
    unknown_organizations,
)

KEY = "0123456789abcdef01234567"
PROPOSED = {"investor": "catl", "investor_description": None, "target": None, "host_country": "HU",
            "investment_type": "greenfield", "status": "announced", "amount": 7300000000.0, "currency": "EUR",
            "amount_qualifier": "exact", "date": "2022", "sectors": ["batteries"]}
QUOTES = [{"quote": "CATL announced a EUR 7.3 billion battery plant in Debrecen."}]


def _candidate(fact_type: str, title: str, proposed: dict) -> SimpleNamespace:
    return SimpleNamespace(fact_type=fact_type, key=KEY, title=title, proposed=proposed)


def _record(**edits):
    return build_record(_candidate("investment", "CATL plant in Debrecen", PROPOSED), "hu-catl-debrecen-2", edits,
                        QUOTES)


def test_record_has_id_title_candidate_fields_in_file_order_and_evidence_last():
    record = _record(amount=5e9)
    assert list(record)[:3] == ["id", "title", "candidate"] and list(record)[-1] == "evidence"
    assert record["amount"] == 5000000000 and "investor_description" not in record
    assert list(record).index("investor") < list(record).index("host_country") < list(record).index("amount")
    assert edited_fields(PROPOSED, "CATL plant in Debrecen", record) == {"amount": 5000000000}


def test_unknown_fields_are_refused():
    with pytest.raises(RecordError, match="unknown field.*colour.*fields: title"):
        _record(colour="red")


def test_rendered_record_is_the_curated_style_and_parses_back():
    block = render_record(build_record(_candidate("agreement", "An MoU", {
        "parties": [{"role": "signatory", "organization": "huawei"}, {"role": "partner", "country": "CN"}],
        "agreement_type": "mou", "status": "signed", "date": "2017", "sectors": []}), "x-y", {}, QUOTES))
    assert "- {organization: huawei, role: signatory}" in block and "sectors" not in block
    item = as_list_item(block)
    assert item.startswith("- id: x-y\n  title: An MoU\n") and yaml.safe_load(item)[0]["candidate"] == KEY


def test_insert_into_an_empty_flow_list_and_keep_everything_else():
    text = ("# header comment\ndocument: doc\npart: main\nagreements: []\ninvestments: []  # none yet\n"
            "policy_measures: []\nevidence_for: []\n")
    new, line = insert_item(text, "investments", as_list_item(render_record(_record())))
    assert new.startswith("# header comment\ndocument: doc\n")
    assert new.splitlines()[line - 1] == "- id: hu-catl-debrecen-2" and new.splitlines()[line - 2] == "investments:"
    data = yaml.safe_load(new)
    assert data["investments"][0]["id"] == "hu-catl-debrecen-2" and data["policy_measures"] == []


def test_insert_at_the_end_of_a_block_list_before_the_next_key_and_its_comment():
    text = ("document: doc\npart: hu\ninvestments:\n- id: a\n  title: A\n\n# the measures\n"
            "policy_measures: []\n")
    new, line = insert_item(text, "investments", "- id: b\n  title: B\n")
    lines = new.splitlines()
    assert lines[line - 1] == "- id: b" and lines[line - 2] == "  title: A"
    assert "# the measures\npolicy_measures: []" in new
    assert [r["id"] for r in yaml.safe_load(new)["investments"]] == ["a", "b"]


def test_insert_creates_a_missing_list_and_a_new_file():
    new, line = insert_item(new_file("doc", "main"), "evidence_for",
                            render_evidence_for("hu-x", [{"quote": "A quote of some length.", "occurrence": 2}]))
    data = yaml.safe_load(new)
    assert data["document"] == "doc" and data["part"] == "main"
    assert data["evidence_for"] == [{"fact_id": "hu-x", "quote": "A quote of some length.", "occurrence": 2}]
    assert new.splitlines()[line - 1] == "- fact_id: hu-x"


def test_insert_refuses_a_broken_file():
    with pytest.raises(RecordError, match="not valid YAML"):
        insert_item("document: [\n", "investments", "- id: a\n")


def test_quotes_say_which_occurrence_when_the_text_repeats_in_the_part():
    text = "Chapter\nThe plant opened in 2020 near the river. Later: The plant opened in 2020 near the river."
    doc = DocumentText("doc", text, chapters=[(0, len(text), "doc/main", None)])
    second = text.rindex("The plant")
    first = text.index("The plant")
    quotes = evidence_quotes(doc, [(second, second + 41)], "main")
    assert quotes == [{"quote": text[second:second + 41], "occurrence": 2}]
    assert evidence_quotes(doc, [(first, first + 41), (0, 7)], "main") == [
        {"quote": text[first:first + 41], "occurrence": 1}]  # a span too short to quote is left out


def test_unknown_organizations_are_listed_by_field():
    record = {"investor": "Zorblax Batteries GmbH", "target": "catl",
              "parties": [{"organization": "acme"}, {"country": "HU"}]}
    assert unknown_organizations(record, {"catl"}) == [("investor", "Zorblax Batteries GmbH"),
                                                        ("parties.organization", "acme")]
