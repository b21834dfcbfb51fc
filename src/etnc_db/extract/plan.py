"""What a run does with each document: compare the scanned corpus folder with what the
database holds (passed in as plain data) and call each document new, changed,
re-derived (same bytes, but the parser, the reference data or its manifest entry
changed), unchanged, removed (its file is really gone) or kept (its file is there but
refused this time, so its rows stay as they are)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from etnc_db.extract.corpus import Corpus, SourceFile

PARSER_VERSION = "2"


@dataclass(frozen=True)
class Stored:
    """A document as the database holds it."""

    sha256: str
    fingerprint: str
    byte_size: int


@dataclass
class DocumentPlan:
    actions: dict[str, str] = field(default_factory=dict)  # document_key -> action
    sources: dict[str, SourceFile] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    stored: dict[str, Stored] = field(default_factory=dict)

    @property
    def to_parse(self) -> list[SourceFile]:
        return [self.sources[k] for k, a in self.actions.items() if a in ("new", "changed", "rederived")]


def fingerprint(source: SourceFile, reference_fingerprint: str) -> str:
    """Same bytes, parser, reference data and manifest entry: nothing to re-derive."""
    return hashlib.sha256(
        f"{source.sha256}|{PARSER_VERSION}|{reference_fingerprint}|{source.metadata}".encode()
    ).hexdigest()


def plan_documents(corpus: Corpus, stored: dict[str, Stored], reference_fingerprint: str) -> DocumentPlan:
    plan = DocumentPlan(stored=stored)
    for f in corpus.files:
        plan.sources[f.key] = f
        old = stored.get(f.key)
        if old is None:
            plan.actions[f.key] = "new"
        elif old.sha256 != f.sha256:
            plan.actions[f.key] = "changed"
        elif old.fingerprint != fingerprint(f, reference_fingerprint):
            plan.actions[f.key] = "rederived"
        else:
            plan.actions[f.key] = "unchanged"
    gone = set(corpus.removable(stored))
    for key in stored:
        if key in gone:
            plan.actions[key] = "removed"
            plan.removed.append(key)
        elif key not in plan.actions:
            plan.actions[key] = "kept"
    return plan
