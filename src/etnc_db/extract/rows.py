"""The document tables' named rows for parsed documents: documents, sections, passages,
endnote citations, markers, table rows, removed lines, and the mentions the linker found
in them (passed in as plain objects, so this module does not depend on the linker).
Loads are scoped to the documents of the batch: other documents' rows stay as they are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from etnc_db.extract.parsed import ParsedDocument
from etnc_db.tables import TableLoad

# The tables a document's rows go to, parents first.
DOCUMENT_TABLES = ("core.documents", "core.document_sections", "core.passages", "core.citations",
                   "core.citation_markers", "core.table_rows", "core.mentions", "core.removed_text")


class MentionLike(Protocol):
    char_start: int
    char_end: int
    surface: str
    entity_type: str
    entity_key: str
    rule: str


@dataclass(frozen=True)
class DocumentMeta:
    """What the pipeline knows about a document besides its text."""

    key: str
    file_name: str
    sha256: str
    size: int
    kind: str
    fingerprint: str
    title: str | None = None
    publisher: str | None = None
    published: str | None = None


def partial_date(value: str | None) -> tuple[date | None, str]:
    """'2025-03-04' / '2025-03' / '2025' -> (date, precision)."""
    if not value:
        return None, "unknown"
    parts = [int(p) for p in str(value).split("-")]
    precision = {1: "year", 2: "month", 3: "day"}[len(parts)]
    return date(*(parts + [1] * (3 - len(parts)))), precision


@dataclass
class DocumentRows:
    """Rows of every document table, accumulated over a batch of parsed documents."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {t: [] for t in DOCUMENT_TABLES})
    keys: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, meta: DocumentMeta, text: str, parsed: ParsedDocument, mentions: list[tuple[str, str | None, MentionLike]]) -> None:
        """Add one document; `mentions` are (section key, passage key or None, mention)."""
        dk = meta.key
        self.keys.append(dk)
        published, precision = partial_date(meta.published or parsed.published)
        self.rows["core.documents"].append({
            "document_key": dk, "file_name": meta.file_name, "sha256": meta.sha256, "byte_size": meta.size,
            "title": meta.title or parsed.title, "publisher": meta.publisher or parsed.publisher,
            "published_date": published, "published_precision": precision, "document_kind": parsed.kind,
            "content": text, "fingerprint": meta.fingerprint, "detected_metadata": detected_metadata(parsed),
        })
        self._structure(dk, parsed)
        check_spans(meta.file_name, text, parsed, [m for _, _, m in mentions])
        for r in {(r.char_start, r.char_end): r for r in reversed(parsed.removed)}.values():
            self.rows["core.removed_text"].append({
                "removed_text_key": f"{dk}@{r.char_start}-{r.char_end}", "document_key": dk,
                "char_start": r.char_start, "char_end": r.char_end, "rule_id": r.rule_id, "reason": r.reason})
        for section_key, passage_key, m in mentions:
            self.rows["core.mentions"].append(_mention_row(dk, section_key, passage_key, m))
        self.warnings.extend(f"{meta.file_name}: {w}" for w in parsed.warnings)

    def _structure(self, dk: str, parsed: ParsedDocument) -> None:
        for s in parsed.sections:
            self.rows["core.document_sections"].append({
                "section_key": f"{dk}/{s.key}", "document_key": dk, "parent_key": f"{dk}/{s.parent_key}" if s.parent_key else None,
                "section_kind": s.kind, "ordinal": s.ordinal, "title": s.title, "subtitle": s.subtitle,
                "country_key": s.country_code, "authors": [a.name for a in s.authors],
                "author_institutions": [a.institution or "" for a in s.authors],
                "char_start": s.char_start, "char_end": s.char_end,
            })
        passage_keys = set()
        for p in parsed.passages:
            passage_keys.add(p.key)
            self.rows["core.passages"].append({
                "passage_key": f"{dk}/{p.key}", "document_key": dk, "section_key": f"{dk}/{p.section_key}",
                "ordinal": p.ordinal, "char_start": p.char_start, "char_end": p.char_end, "passage_text": p.text,
                "segments": [list(seg) for seg in p.segments],
            })
        by_number = {(c.section_key, c.number): c for c in parsed.citations if not getattr(c, "variant", 0)}
        for c in parsed.citations:
            target = by_number.get((c.section_key, c.ibid_of)) if c.ibid_of else None
            self.rows["core.citations"].append(_citation_row(dk, c, target))
        for m in parsed.markers:
            for n in m.numbers:
                self.rows["core.citation_markers"].append({
                    "marker_key": f"{dk}@{m.char_start}#{n}", "document_key": dk,
                    "passage_key": f"{dk}/{m.passage_key}" if m.passage_key in passage_keys else None,
                    "citation_key": None if n in m.unresolved else f"{dk}/{m.chapter_key}#{n}",
                    "note_number": n, "char_start": m.char_start, "char_end": m.char_end,
                })
        for r in parsed.table_rows:
            self.rows["core.table_rows"].append({
                "table_row_key": f"{dk}/{r.table_key}#{r.row_number}", "document_key": dk,
                "section_key": f"{dk}/{r.section_key}", "table_key": r.table_key, "row_number": r.row_number,
                "cells": list(r.cells), "char_start": r.char_start, "char_end": r.char_end,
            })

    def loads(self) -> list[TableLoad]:
        """Loads for the batch's documents, scoped to them."""
        params = {"docs": list(self.keys)}
        by_doc = "t.document_id IN (SELECT document_id FROM core.documents WHERE document_key = ANY(%(docs)s))"
        return [TableLoad(t, self.rows[t], scope="t.document_key = ANY(%(docs)s)" if t == "core.documents" else by_doc,
                          scope_params=params) for t in DOCUMENT_TABLES]


def normalize_url(url: str | None) -> str | None:
    """A URL as analysts join on it: scheme added (https), host lower-cased, fragment and
    trailing slash removed, trailing punctuation stripped."""
    if not url:
        return url
    from urllib.parse import urlsplit, urlunsplit

    url = url.strip().rstrip(".,;:)»”'\"")
    if not url.lower().startswith(("http://", "https://")):
        url = "https://" + url.lstrip("/")
    parts = urlsplit(url)
    path = parts.path.rstrip("/") if parts.path not in ("", "/") else ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def check_spans(file_name: str, text: str, parsed: ParsedDocument, mentions: list) -> None:
    """Every span reproduces its text and lies inside the document: checked here, where
    the spans are made (slicing a str is O(1)); the gate only samples the stored rows."""
    from etnc_db.extract.parsed import CorpusError

    bad = [f"mention {m.char_start}-{m.char_end}" for m in mentions if text[m.char_start:m.char_end] != m.surface]
    bad += [f"endnote {c.number}" for c in parsed.citations if text[c.char_start:c.char_end] != c.raw_text]
    bad += [f"{kind} {x.key}" for kind, items in (("section", parsed.sections), ("passage", parsed.passages))
            for x in items if not 0 <= x.char_start <= x.char_end <= len(text)]
    if bad:
        raise CorpusError(file_name, None, "internal error: spans that do not reproduce the text: " + ", ".join(bad[:5]))


def detected_metadata(parsed: ParsedDocument) -> dict[str, Any]:
    """What the text itself says about the document, with where it says it."""
    found: dict[str, Any] = {}
    for m in parsed.metadata_spans:
        found.setdefault(m.field, {"value": m.value, "char_start": m.char_start, "char_end": m.char_end,
                                   "rule": m.rule})
    if parsed.published_precision and "published" in found:
        found["published"]["precision"] = parsed.published_precision
    return found


def _citation_row(dk: str, c, target=None) -> dict[str, Any]:
    """An endnote's row; an ibid. note carries the URL, title, outlet and date of the note
    it repeats when it states none itself."""
    variant = getattr(c, "variant", 0)
    suffix = f".{variant}" if variant else ""
    src = c if (c.url or target is None) else target
    dated = c if (c.published_date or target is None) else target
    return {
        "citation_key": f"{dk}/{c.section_key}#{c.number}{suffix}", "document_key": dk,
        "section_key": f"{dk}/{c.section_key}", "note_number": c.number, "variant": variant, "raw_text": c.raw_text,
        "url": normalize_url(src.url), "url_as_written": src.url, "urls": list(c.urls),
        "title": c.title or (target.title if target else None), "outlet": c.outlet or (target.outlet if target else None),
        "published_date": dated.published_date, "date_precision": dated.date_precision or "unknown",
        "ibid_of_key": f"{dk}/{c.section_key}#{c.ibid_of}" if c.ibid_of else None,
        "char_start": c.char_start, "char_end": c.char_end,
    }


def _mention_row(dk: str, section_key: str, passage_key: str | None, m: MentionLike) -> dict[str, Any]:
    return {
        "mention_key": f"{dk}@{m.char_start}-{m.char_end}", "document_key": dk, "section_key": f"{dk}/{section_key}",
        "passage_key": f"{dk}/{passage_key}" if passage_key else None, "char_start": m.char_start,
        "char_end": m.char_end, "surface": m.surface, "entity_type": m.entity_type,
        "country_key": m.entity_key if m.entity_type == "country" else None,
        "organization_key": m.entity_key if m.entity_type == "organization" else None,
        "sector_key": m.entity_key if m.entity_type == "sector" else None, "rule": m.rule,
    }
