"""The curated facts as ground truth for measuring the extraction: every record of a
document with its curated fields and the stored-text spans of its evidence quotes
(located the way the facts stage locates them: exactly, else normalized, preferring the
quote's own part)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from etnc_db.quotes import NormalizedText, find_quote

LISTS = (("agreements", "agreement"), ("investments", "investment"), ("policy_measures", "policy_measure"))


@dataclass
class TruthFact:
    id: str
    fact_type: str
    part: str
    fields: dict[str, Any]
    spans: list[tuple[int, int]] = field(default_factory=list)


def load_truth(curated_dir: Path, document_key: str, text: str,
               part_spans: dict[str, tuple[int, int]]) -> list[TruthFact]:
    """Curated facts of ``document_key`` (files under ``curated_dir/<document_key>``, plus
    ``evidence_for`` entries anywhere that quote this document)."""
    normalized = NormalizedText(text)
    facts: dict[str, TruthFact] = {}
    extra: list[tuple[str, str, str | None]] = []
    for path in sorted(curated_dir.rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        own = data.get("document") == document_key
        part = data.get("part", "")
        for list_key, fact_type in LISTS:
            for rec in data.get(list_key) or []:
                if not own:
                    continue
                fact = TruthFact(rec["id"], fact_type, part, dict(rec))
                for ev in rec.get("evidence") or []:
                    if ev.get("document", document_key) == document_key:
                        extra.append((rec["id"], ev["quote"], part))
                facts[rec["id"]] = fact
        for ev in data.get("evidence_for") or []:
            if ev.get("document", data.get("document")) == document_key:
                extra.append((ev["fact_id"], ev["quote"], None))
    for fact_id, quote, part in extra:
        fact = facts.get(fact_id)
        if fact is None:
            continue
        match = find_quote(text, quote, normalized, part_spans.get(part) if part else None)
        if match is not None:
            fact.spans.append((match.start, match.end))
    return [f for f in facts.values() if f.spans]
