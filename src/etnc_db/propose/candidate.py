"""Input and output of the candidate-extraction stage (plain frozen dataclasses).

Every ``char_start``/``char_end`` is a Python ``str`` index into the document's
*stored* text, half-open, like everywhere else in etnc-db (docs/document-model.md).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PassageInput:
    """One body paragraph: its stored segments, the separators that join them into
    ``text`` (see ``etnc_db.extract.parsed.render_segments``), and its chapter."""

    key: str
    text: str
    segments: tuple[tuple[int, int], ...]
    separators: tuple[str, ...] = ()
    chapter_key: str | None = None
    chapter_country: str | None = None  # ISO alpha-2, 'EU', or None (summary, news)


@dataclass(frozen=True)
class MentionInput:
    """A linked entity (``etnc_db.link.Mention``) or an unregistered organization-like
    name (``entity_type='organization'``, ``entity_key=None``)."""

    char_start: int
    char_end: int
    surface: str
    entity_type: str  # country | organization | sector
    entity_key: str | None
    rule: str = ""


@dataclass(frozen=True)
class OrganizationInfo:
    """What the stage needs to know about a registered organization."""

    country: str | None
    kind: str
    parent: str | None = None  # the registry's parent organization and its country
    parent_country: str | None = None


@dataclass(frozen=True)
class ProposeInput:
    document_key: str
    text: str
    published: str | None  # 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'
    passages: tuple[PassageInput, ...]
    mentions: tuple[MentionInput, ...] = ()
    organizations: dict[str, OrganizationInfo] = field(default_factory=dict)


@dataclass(frozen=True)
class Candidate:
    """A proposed fact. ``proposed`` uses the curated-file field names (docs/curation.md §4).
    ``key`` is stable: a hash of the document key, the fact type and the normalized
    text of the evidence spans."""

    key: str
    document_key: str
    fact_type: str  # agreement | investment | policy_measure
    evidence: tuple[tuple[int, int], ...]
    proposed: dict[str, Any]
    title: str
    confidence: float
    extractor_version: str
    features: dict[str, float] = field(default_factory=dict, compare=False)

    @property
    def extraction(self) -> str:
        """Hash of what a reviewer decides on: the key (document, type, evidence text) and
        the proposed fields. A decision holds while it is unchanged (docs/review.md)."""
        return extraction_hash(self.key, self.fact_type, self.proposed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "document_key": self.document_key, "fact_type": self.fact_type,
            "evidence": [list(span) for span in self.evidence], "proposed": self.proposed,
            "title": self.title, "confidence": self.confidence, "extractor_version": self.extractor_version,
        }


def extraction_hash(key: str, fact_type: str, proposed: dict[str, Any]) -> str:
    """See :attr:`Candidate.extraction`."""
    payload = json.dumps([key, fact_type, proposed], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
