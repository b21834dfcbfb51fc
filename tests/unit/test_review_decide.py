"""How a candidate's review status follows from the curated files and the decisions file
(etnc_db.review.decide, pure)."""

from __future__ import annotations

import datetime as dt

from etnc_db.review.decide import Published, Row, decide, superseded
from etnc_db.review.decisions import CandidateDecision, Decisions, DocumentDecision

KEY = "0123456789abcdef01234567"
EXT, EXT2 = "0123456789abcdef", "aaaaaaaaaaaaaaaa"
WHEN = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _row(**kw) -> Row:
    base = {"key": KEY, "document": "doc", "fact_type": "investment", "evidence": [[100, 180]], "extraction": EXT}
    return Row(**{**base, **kw})


def _published(*spans, by_candidate=None) -> Published:
    p = Published(by_candidate=dict(by_candidate or {}))
    for document, fact_type, start, end, fact in spans:
        p.add_span(document, fact_type, start, end, fact)
    p.freeze()
    return p


def _decision(decision="rejected", extraction=EXT, **kw) -> Decisions:
    d = Decisions()
    fields = {"reason": "not a fact"} if decision == "rejected" else {}
    d.candidates[KEY] = CandidateDecision(candidate=KEY, extraction=extraction, decision=decision, reviewer="ana",
                                          decided_at=WHEN, **{**fields, **kw})
    return d


def test_no_decision_and_no_fact_is_pending():
    assert decide(_row(), _published(), Decisions()).status == "pending"


def test_a_record_naming_the_candidate_accepts_it_with_who_accepted():
    decisions = _decision("accepted", fact="hu-x", edited={"amount": 5})
    got = decide(_row(), _published(by_candidate={KEY: "hu-x"}), decisions)
    assert (got.status, got.source, got.fact_key, got.reviewer, got.edited) == (
        "accepted", "curated_record", "hu-x", "ana", {"amount": 5})


def test_overlapping_evidence_of_the_same_type_covers_the_candidate():
    published = _published(("doc", "investment", 150, 300, "hu-a"), ("doc", "investment", 90, 110, "hu-b"),
                           ("doc", "agreement", 100, 180, "hu-c"), ("other", "investment", 100, 180, "x"))
    got = decide(_row(), published, Decisions())
    assert (got.status, got.source, got.fact_key) == ("accepted", "curated_evidence", "hu-a")
    assert decide(_row(fact_type="policy_measure"), published, Decisions()).status == "pending"
    assert decide(_row(evidence=[[0, 90]]), published, Decisions()).status == "pending"


def test_the_curated_facts_win_over_a_rejection():
    published = _published(("doc", "investment", 120, 130, "hu-a"))
    assert decide(_row(), published, _decision()).status == "accepted"


def test_a_rejection_holds_while_the_extraction_is_unchanged():
    got = decide(_row(), _published(), _decision())
    assert (got.status, got.source, got.reason, got.reviewer) == ("rejected", "decision", "not a fact", "ana")


def test_a_changed_extraction_is_pending_again_with_the_old_decision_shown():
    old = _row(status="rejected", source="decision", reviewer="ana", decided_at=WHEN, reason="not a fact")
    got = decide(old, _published(), _decision(extraction=EXT2))
    assert got.status == "pending" and got.reviewer is None
    assert got.previous["status"] == "rejected" and got.previous["reviewer"] == "ana"
    assert got.previous["extraction_hash"] == EXT2 and "extraction changed" in got.previous["why_pending"]


def test_a_merge_accepts_into_its_fact_and_a_gone_record_requeues():
    got = decide(_row(), _published(), _decision("merged", merged_into="hu-x"))
    assert (got.status, got.source, got.fact_key) == ("accepted", "merge", "hu-x")
    gone = decide(_row(status="accepted", source="curated_record", fact_key="hu-y"), _published(),
                  _decision("accepted", fact="hu-y"))
    assert gone.status == "pending" and gone.previous["fact_key"] == "hu-y"


def test_a_document_decision_rejects_the_extractions_it_decided_only():
    decisions = Decisions()
    decisions.documents["doc"] = DocumentDecision(document="doc", decision="curated_complete", reviewer="curators",
                                                  decided_at=WHEN, reason="read in full twice", extractions=[EXT])
    got = decide(_row(), _published(), decisions)
    assert (got.status, got.source, got.reason) == ("rejected", "document_decision", "read in full twice")
    assert decide(_row(extraction=EXT2), _published(), decisions).status == "pending"
    assert decide(_row(document="other"), _published(), decisions).status == "pending"


def test_a_decided_row_that_loses_its_decision_shows_it_as_previous():
    old = _row(status="accepted", source="curated_evidence", fact_key="hu-a", reason="covered")
    got = decide(old, _published(), Decisions())
    assert got.status == "pending" and got.previous["fact_key"] == "hu-a"
    assert decide(got, _published(), Decisions()).previous == got.previous  # and keeps showing it


def test_superseded_keeps_its_decision():
    old = _row(status="rejected", source="decision", reviewer="ana", decided_at=WHEN, reason="not a fact")
    got = superseded(old)
    assert (got.status, got.reviewer, got.reason) == ("superseded", "ana", "not a fact")
