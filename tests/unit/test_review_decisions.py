"""The decisions file (etl/review/decisions.yaml): validation with file:line, writing
entries in place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from etnc_db.review.decisions import (
    CandidateDecision,
    DecisionsError,
    DocumentDecision,
    parse_decisions,
    with_entry,
    without_entry,
)

PATH = Path("etl/review/decisions.yaml")
KEY = "0123456789abcdef01234567"
OTHER = "fedcba9876543210fedcba98"
EXT = "0123456789abcdef"


def _rejected(key: str = KEY, reason: str = "a forecast, not an investment") -> CandidateDecision:
    return CandidateDecision(candidate=key, document="doc", extraction=EXT, decision="rejected", reviewer="ana",
                             decided_at="2026-12-01T10:00:00Z", reason=reason)


def test_entries_written_and_read_back():
    text = with_entry(None, _rejected())
    text = with_entry(text, CandidateDecision(candidate=OTHER, extraction=EXT, decision="merged", merged_into="hu-x",
                                              reviewer="bo", decided_at=dt.date(2026, 1, 2)))
    text = with_entry(text, DocumentDecision(document="doc", decision="curated_complete", reviewer="curators",
                                             decided_at="2026-06-30", reason="read in full twice",
                                             extractions=[EXT] * 7))
    got = parse_decisions(text, PATH)
    assert set(got.candidates) == {KEY, OTHER} and set(got.documents) == {"doc"}
    assert got.candidates[KEY].reason == "a forecast, not an investment"
    assert got.candidates[OTHER].decided_at == dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert got.documents["doc"].extractions == [EXT] * 7
    assert got.lines[f"candidate:{KEY}"] == "decisions.yaml:4"


def test_a_new_decision_replaces_the_old_one_and_keeps_the_rest():
    text = with_entry(with_entry(None, _rejected()), _rejected(OTHER))
    text = "# a comment a reviewer wrote\n" + text
    accepted = CandidateDecision(candidate=KEY, extraction=EXT, decision="accepted", fact="hu-catl", reviewer="ana",
                                 decided_at="2026-12-02", edited={"amount": 5000000000})
    again = parse_decisions(with_entry(text, accepted), PATH)
    assert again.candidates[KEY].decision == "accepted" and again.candidates[OTHER].decision == "rejected"
    assert with_entry(text, accepted).startswith("# a comment a reviewer wrote\n")
    assert KEY not in parse_decisions(without_entry(text, f"candidate:{KEY}"), PATH).candidates


def _t(text: str) -> str:
    """A decisions-file text with $K, $O and $E standing for keys and an extraction."""
    return text.replace("$K", KEY).replace("$O", OTHER).replace("$E", EXT)


@pytest.mark.parametrize("entry, line, message", [
    (_t("- {candidate: $K, extraction: $E, decision: rejected, reviewer: a, decided_at: 2026-01-01, reason: x, "
        "colour: red}"), 1, "unknown key 'colour'"),
    (_t("- candidate: $K\n  extraction: $E\n  decision: rejected\n  reviewer: a\n  decided_at: 2026-01-01\n"),
     1, "needs reason"),
    (_t("- candidate: $K\n  extraction: $E\n  decision: merged\n  reviewer: a\n  decided_at: 2026-01-01\n"),
     1, "needs merged_into"),
    (_t("- candidate: $K\n  extraction: nothex\n  decision: rejected\n  reviewer: a\n  decided_at: 2026-01-01\n"
        "  reason: why not\n"), 2, "extraction"),
    ("- document: doc\n  decision: curated_complete\n  reviewer: a\n  decided_at: 2026-01-01\n  reason: read it all\n",
     1, "extractions"),
    (_t("- candidate: $K\n  candidate: $O\n"), 2, "duplicate key 'candidate'"),
    (_t("- {candidate: $K, extraction: $E, decision: maybe, reviewer: a, decided_at: 2026-01-01}"), 1, "decision"),
    (_t("- {candidate: $K, extraction: $E, decision: rejected, reviewer: a, decided_at: yesterday, reason: r}"),
     1, "decided_at"),
    ("just: a mapping\n", 1, "a list of decisions"),
])
def test_bad_entries_name_file_and_line(entry, line, message):
    with pytest.raises(DecisionsError) as err:
        parse_decisions("# header\n" + entry, PATH)
    assert f"decisions.yaml:{line + 1}:" in str(err.value) and message in str(err.value)


def test_two_decisions_for_one_candidate_are_refused_with_both_lines():
    text = with_entry(None, _rejected()) + with_entry(None, _rejected()).split("\n", 3)[3]
    with pytest.raises(DecisionsError) as err:
        parse_decisions(text, PATH)
    assert f"a second decision for candidate {KEY} (first at decisions.yaml:4)" in str(err.value)


def test_every_problem_is_listed():
    text = _t("- {candidate: $K, extraction: $E, decision: rejected, reviewer: a, decided_at: 2026-01-01, colour: red}\n"
              "- {document: d, decision: curated_complete, reviewer: a, decided_at: 2026-01-01, reason: read it all}\n")
    with pytest.raises(DecisionsError) as err:
        parse_decisions(text, PATH)
    assert len(err.value.problems) >= 2
    assert any(p.startswith("etl/review/decisions.yaml:1:") for p in err.value.problems)
    assert any(p.startswith("etl/review/decisions.yaml:2:") for p in err.value.problems)


def test_an_empty_or_missing_file_has_no_decisions(tmp_path):
    assert not parse_decisions("# nothing yet\n", PATH).entries()
    from etnc_db.review.decisions import load_decisions

    assert not load_decisions(tmp_path).entries()
