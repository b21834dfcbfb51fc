"""`etnc-db entities unknown`: organization-like names in the corpus documents that the
registry does not know, counted per document, so the registry can grow with each load."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from etnc_db.config import Settings
from etnc_db.extract.errata import load_errata
from etnc_db.link.unknown import detect_unknown_organizations
from etnc_db.load.document_stage import parse_source, scan_corpus
from etnc_db.reference.registry import load_registry


def unknown_entities(settings: Settings, corpus: Path | None = None, document: str | None = None) -> list[dict]:
    registry = load_registry(settings.reference_dir)
    errata = load_errata(settings.reference_dir)
    rows = []
    for source in scan_corpus(corpus or settings.corpus_dir):
        if document and source.key != document:
            continue
        text, parsed = parse_source(source, errata)
        counts: Counter[tuple[str, str]] = Counter()
        for passage in parsed.passages:
            for start, end in passage.segments:
                for c in detect_unknown_organizations(text[start:end], registry):
                    counts[(c.surface, c.pattern)] += 1
        for (surface, pattern), n in counts.most_common():
            rows.append({"document": source.key, "surface": surface, "count": n, "pattern": pattern})
    return rows
