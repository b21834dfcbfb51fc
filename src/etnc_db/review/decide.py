"""How a candidate's review status follows from the files (pure: no database).

In order, the first that applies:

1. a published curated record names the candidate (`candidate: KEY`): accepted as it;
2. a `merged` decision on the same extraction: accepted, merged into its fact;
3. its evidence overlaps the evidence of a published fact of the same type: accepted as
   that fact (the curated facts are the truth, and cover it);
4. a decision on the candidate: `rejected` holds while the extraction is unchanged; a
   changed extraction (or an `accepted`/`merged` decision whose fact is gone) is pending
   again, with that decision shown as the previous one;
5. a document-level decision (`curated_complete`) that decided this extraction:
   rejected, with its reason;
6. otherwise pending.

A candidate that the current version of its document no longer proposes is superseded
(its decision is kept for the record)."""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .decisions import CandidateDecision, Decisions


@dataclass
class Row:
    """A candidate as the store holds it (the decision columns of review.candidates)."""

    key: str
    document: str
    fact_type: str
    evidence: list[list[int]]
    extraction: str
    status: str = "pending"
    source: str = "extraction"
    reviewer: str | None = None
    decided_at: dt.datetime | None = None
    reason: str | None = None
    fact_key: str | None = None
    edited: dict | None = None
    previous: dict | None = None

    def decision(self) -> dict[str, Any]:
        """The columns a status computation sets, as a comparable dict."""
        return {"status": self.status, "decision_source": self.source, "reviewer": self.reviewer,
                "decided_at": self.decided_at, "reason": self.reason, "fact_key": self.fact_key,
                "edited": self.edited, "previous_decision": self.previous}

    def snapshot(self) -> dict[str, Any]:
        """This row's decision as a `previous_decision` value."""
        return {"status": self.status, "decision_source": self.source, "reviewer": self.reviewer,
                "decided_at": self.decided_at.isoformat() if self.decided_at else None, "reason": self.reason,
                "fact_key": self.fact_key, "extraction_hash": self.extraction}


@dataclass
class Published:
    """The published facts a status depends on: records naming a candidate, and the
    evidence spans per (document, fact type), sorted by start."""

    by_candidate: dict[str, str] = field(default_factory=dict)  # candidate key -> fact key
    spans: dict[tuple[str, str], list[tuple[int, int, str]]] = field(default_factory=dict)

    def add_span(self, document: str, fact_type: str, start: int, end: int, fact_key: str) -> None:
        """Add one evidence span of a published fact."""
        self.spans.setdefault((document, fact_type), []).append((start, end, fact_key))

    def freeze(self) -> None:
        """Sort the spans (call once, after the last add_span)."""
        for spans in self.spans.values():
            spans.sort()

    def covering(self, row: Row) -> str | None:
        """The fact of the row's type whose evidence overlaps the row's evidence most."""
        spans = self.spans.get((row.document, row.fact_type), [])
        best: dict[str, int] = {}
        for start, end in row.evidence:
            i = bisect.bisect_left(spans, (end,))  # spans starting before `end`
            for s, e, fact in spans[:i]:
                overlap = min(e, end) - max(s, start)
                if overlap > 0:
                    best[fact] = best.get(fact, 0) + overlap
        return max(sorted(best), key=lambda f: best[f]) if best else None


def _from_entry(entry: CandidateDecision, why: str) -> dict[str, Any]:
    return {"status": "accepted" if entry.decision != "rejected" else "rejected", "decision_source": "decision",
            "decision": entry.decision, "reviewer": entry.reviewer, "decided_at": entry.decided_at.isoformat(),
            "reason": entry.reason, "fact_key": entry.fact_key, "extraction_hash": entry.extraction, "why_pending": why}


def decide(row: Row, published: Published, decisions: Decisions) -> Row:
    """The row with the status the files give it (rules in the module docstring)."""
    entry = decisions.candidates.get(row.key)
    record = published.by_candidate.get(row.key)
    if record is not None:
        who = entry if entry is not None and entry.decision == "accepted" and entry.fact == record else None
        accepted = _decided(row, "accepted", "curated_record", record, f"accepted as curated record {record}", who)
        accepted.edited = who.edited if who else None
        return accepted
    if entry is not None and entry.decision == "merged" and entry.extraction == row.extraction:
        return _decided(row, "accepted", "merge", entry.merged_into,
                        entry.reason or f"merged into {entry.merged_into}", entry)
    covering = published.covering(row)
    if covering is not None:
        return _decided(row, "accepted", "curated_evidence", covering,
                        f"its evidence overlaps the published evidence of {covering}", None)
    if entry is not None:
        if entry.decision == "rejected" and entry.extraction == row.extraction:
            return _decided(row, "rejected", "decision", None, entry.reason, entry)
        why = ("the extraction changed since the decision" if entry.extraction != row.extraction
               else f"{entry.fact_key} no longer holds the candidate's evidence")
        return _pending(row, _from_entry(entry, why))
    document = decisions.documents.get(row.document)
    if document is not None and row.extraction in set(document.extractions):
        return _decided(row, "rejected", "document_decision", None, document.reason, document)
    return _pending(row, None)


def _decided(row: Row, status: str, source: str, fact_key: str | None, reason: str | None, who) -> Row:
    """The row decided: `who` is the decisions-file entry that decided it, if any."""
    return Row(row.key, row.document, row.fact_type, row.evidence, row.extraction, status, source,
               who.reviewer if who else None, who.decided_at if who else None, reason, fact_key, None, None)


def _pending(row: Row, previous: dict | None) -> Row:
    """Pending; the previous decision shown is the one given, else the row's own when it
    was decided, else the one it already showed."""
    if previous is None:
        previous = row.snapshot() if row.status in ("accepted", "rejected") else row.previous
    return Row(row.key, row.document, row.fact_type, row.evidence, row.extraction, "pending", "extraction",
               None, None, None, None, None, previous)


def superseded(row: Row) -> Row:
    """The row, superseded: its decision kept for the record."""
    return Row(row.key, row.document, row.fact_type, row.evidence, row.extraction, "superseded", row.source,
               row.reviewer, row.decided_at, row.reason, row.fact_key, row.edited, row.previous)
