"""Document stage: find the corpus files, decide per file whether it is new, changed,
unchanged or removed (by the sha256 of its bytes and a fingerprint of parser and
reference data), parse and link only the files that need it, and turn the results into
table loads scoped to those documents. Unchanged documents are neither read past their
hash nor touched in the database."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import yaml

from etnc_db.extract import parse_document
from etnc_db.extract.model import CorpusError, ParsedDocument
from etnc_db.extract.reader import read_source
from etnc_db.load.upsert import Ref, TableLoad

PARSER_VERSION = "1"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MANIFEST = "sources.yaml"
SUFFIXES = (".txt", ".md")

DOC = ("core.documents", "document_key", "document_id")
SECTION = ("core.document_sections", "section_key", "section_id")
PASSAGE = ("core.passages", "passage_key", "passage_id")
CITATION = ("core.citations", "citation_key", "citation_id")
COUNTRY = ("core.countries", "country_code", "country_id")
ORG = ("core.organizations", "organization_key", "organization_id")
SECTOR = ("core.sectors", "sector_key", "sector_id")


def _ref(column: str, source: str, target: tuple[str, str, str]) -> Ref:
    return Ref(column, source, *target)


@dataclass
class SourceFile:
    """A corpus file and what the manifest says about it."""

    path: Path
    key: str
    kind: str
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    sha256: str = ""
    size: int = 0

    @property
    def file_name(self) -> str:
        return self.path.name


@dataclass
class DocumentPlan:
    """What the run does with each document."""

    actions: dict[str, str] = field(default_factory=dict)  # document_key -> action
    sources: dict[str, SourceFile] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    loaded_bytes: dict[str, int] = field(default_factory=dict)  # document_key -> byte_size, as in the database

    @property
    def to_parse(self) -> list[SourceFile]:
        return [self.sources[k] for k, a in self.actions.items() if a in ("new", "changed", "rederived")]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


def sha256_file(path: Path) -> tuple[str, int]:
    data = path.read_bytes()
    return hashlib.sha256(data).hexdigest(), len(data)


def scan_corpus(corpus_dir: Path) -> list[SourceFile]:
    """Every .txt/.md file of the folder, described by the manifest where it has an entry;
    other files load as generic articles keyed by their file name."""
    if not corpus_dir.is_dir():
        raise CorpusError(str(corpus_dir), None, "corpus folder does not exist")
    manifest: dict[str, dict[str, Any]] = {}
    mpath = corpus_dir / MANIFEST
    if mpath.exists():
        try:
            # libyaml's parser: the manifest is read on every run, no-op reloads included,
            # and the pure-Python parser needs ~0.3 s for 500 entries
            data = yaml.load(mpath.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            raise CorpusError(str(mpath), None if line is None else line + 1, "invalid YAML") from exc
        for entry in data.get("documents") or []:
            manifest[entry["file"]] = entry
    files = []
    for path in sorted(p for p in corpus_dir.iterdir() if p.is_file() and p.suffix in SUFFIXES):
        entry = manifest.get(path.name, {})
        sha, size = sha256_file(path)
        files.append(
            SourceFile(
                path=path,
                key=entry.get("key") or slug(path.stem),
                kind=entry.get("kind") or "article",
                title=entry.get("title"),
                publisher=entry.get("publisher"),
                published=None if entry.get("published") is None else str(entry.get("published")),
                sha256=sha,
                size=size,
            )
        )
    seen: dict[str, str] = {}
    for f in files:
        if f.key in seen:
            raise CorpusError(f.file_name, None, f"document key {f.key!r} already used by {seen[f.key]}")
        seen[f.key] = f.file_name
    return files


def fingerprint(source: SourceFile, reference_fingerprint: str) -> str:
    return hashlib.sha256(
        f"{source.sha256}|{PARSER_VERSION}|{reference_fingerprint}".encode()
    ).hexdigest()


def plan_documents(conn: psycopg.Connection, files: list[SourceFile], reference_fingerprint: str) -> DocumentPlan:
    plan = DocumentPlan()
    stored = {}
    for key, sha, fp, size in conn.execute("SELECT document_key, sha256, fingerprint, byte_size FROM core.documents"):
        stored[key] = (sha, fp)
        plan.loaded_bytes[key] = size
    for f in files:
        plan.sources[f.key] = f
        old = stored.get(f.key)
        if old is None:
            plan.actions[f.key] = "new"
        elif old[0] != f.sha256:
            plan.actions[f.key] = "changed"
        elif old[1] != fingerprint(f, reference_fingerprint):
            plan.actions[f.key] = "rederived"
        else:
            plan.actions[f.key] = "unchanged"
    for key in stored:
        if key not in plan.sources:
            plan.actions[key] = "removed"
            plan.removed.append(key)
    return plan


def parse_source(source: SourceFile) -> tuple[str, ParsedDocument]:
    text = read_source(source.path)
    parsed = parse_document(text, kind=source.kind, file_name=source.file_name, title=source.title)
    return text, parsed


def partial_date(value: str | None) -> tuple[date | None, str]:
    """'2025-03-04' / '2025-03' / '2025' -> (date, precision)."""
    if not value:
        return None, "unknown"
    parts = [int(p) for p in str(value).split("-")]
    precision = {1: "year", 2: "month", 3: "day"}[len(parts)]
    while len(parts) < 3:
        parts.append(1)
    return date(*parts), precision


@dataclass
class DocumentRows:
    """Rows of every document-derived table, accumulated over the parsed documents."""

    documents: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    passages: list = field(default_factory=list)
    citations: list = field(default_factory=list)
    markers: list = field(default_factory=list)
    table_rows: list = field(default_factory=list)
    mentions: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, source: SourceFile, text: str, parsed: ParsedDocument, linker, reference_fp: str) -> None:
        dk = source.key
        published, precision = partial_date(parsed.published or source.published)
        self.documents.append((
            dk, source.file_name, source.sha256, source.size, source.title or parsed.title,
            source.publisher, published, precision, parsed.kind, text, fingerprint(source, reference_fp),
        ))
        for s in parsed.sections:
            self.sections.append((
                f"{dk}/{s.key}", dk, f"{dk}/{s.parent_key}" if s.parent_key else None, s.kind,
                s.ordinal, s.title, s.subtitle, s.country_code, [a.name for a in s.authors],
                [a.institution or "" for a in s.authors], s.char_start, s.char_end,
            ))
        passage_section = {}
        for p in parsed.passages:
            passage_section[p.key] = p.section_key
            self.passages.append((
                f"{dk}/{p.key}", dk, f"{dk}/{p.section_key}", p.ordinal, p.char_start, p.char_end,
                p.text, [list(seg) for seg in p.segments],
            ))
            if linker is not None:
                for start, end in p.segments:
                    for m in linker.link(text[start:end], offset=start):
                        self._mention(dk, f"{dk}/{p.section_key}", f"{dk}/{p.key}", m)
        for c in parsed.citations:
            variant = getattr(c, "variant", 0)
            suffix = f".{variant}" if variant else ""
            self.citations.append((
                f"{dk}/{c.section_key}#{c.number}{suffix}", dk, f"{dk}/{c.section_key}", c.number, variant, c.raw_text,
                c.url, list(c.urls), c.title, c.outlet, c.published_date, c.date_precision or "unknown",
                f"{dk}/{c.section_key}#{c.ibid_of}" if c.ibid_of else None, c.char_start, c.char_end,
            ))
        for m in parsed.markers:
            in_passage = m.passage_key in passage_section
            for n in m.numbers:
                self.markers.append((
                    f"{dk}@{m.char_start}#{n}", dk, f"{dk}/{m.passage_key}" if in_passage else None,
                    None if n in m.unresolved else f"{dk}/{m.chapter_key}#{n}", n, m.char_start, m.char_end,
                ))
        for r in parsed.table_rows:
            self.table_rows.append((
                f"{dk}/{r.table_key}#{r.row_number}", dk, f"{dk}/{r.section_key}", r.table_key,
                r.row_number, list(r.cells), r.char_start, r.char_end,
            ))
            if linker is not None:
                for m in linker.link(text[r.char_start:r.char_end], offset=r.char_start):
                    self._mention(dk, f"{dk}/{r.section_key}", None, m)
        self.warnings.extend(f"{source.file_name}: {w}" for w in parsed.warnings)

    def _mention(self, dk: str, section_key: str, passage_key: str | None, m) -> None:
        country = m.entity_key if m.entity_type == "country" else None
        org = m.entity_key if m.entity_type == "organization" else None
        sector = m.entity_key if m.entity_type == "sector" else None
        self.mentions.append((
            f"{dk}@{m.char_start}-{m.char_end}", dk, section_key, passage_key, m.char_start, m.char_end,
            m.surface, m.entity_type, country, org, sector, m.rule,
        ))


def document_loads(rows: DocumentRows, touched_keys: list[str]) -> list[TableLoad]:
    """Loads for the touched documents; other documents' rows stay as they are."""
    params = {"docs": touched_keys}
    by_doc = "t.document_id IN (SELECT document_id FROM core.documents WHERE document_key = ANY(%(docs)s))"
    return [
        TableLoad(
            "core.documents", "document_key",
            ["document_key", "file_name", "sha256", "byte_size", "title", "publisher", "published_date",
             "published_precision", "document_kind", "content", "fingerprint"],
            rows.documents, scope="t.document_key = ANY(%(docs)s)", scope_params=params,
        ),
        TableLoad(
            "core.document_sections", "section_key",
            ["section_key", "document_key", "parent_key", "section_kind", "ordinal", "title", "subtitle",
             "country_code", "authors", "author_institutions", "char_start", "char_end"],
            rows.sections, scope=by_doc, scope_params=params,
            refs=[_ref("document_id", "document_key", DOC), _ref("parent_id", "parent_key", SECTION),
                  _ref("country_id", "country_code", COUNTRY)],
        ),
        TableLoad(
            "core.passages", "passage_key",
            ["passage_key", "document_key", "section_key", "ordinal", "char_start", "char_end",
             "passage_text", "segments"],
            rows.passages, scope=by_doc, scope_params=params,
            refs=[_ref("document_id", "document_key", DOC), _ref("section_id", "section_key", SECTION)],
        ),
        TableLoad(
            "core.citations", "citation_key",
            ["citation_key", "document_key", "section_key", "note_number", "variant", "raw_text", "url", "urls",
             "title", "outlet", "published_date", "date_precision", "ibid_key", "char_start", "char_end"],
            rows.citations, scope=by_doc, scope_params=params,
            refs=[_ref("document_id", "document_key", DOC), _ref("section_id", "section_key", SECTION),
                  _ref("ibid_of_id", "ibid_key", CITATION)],
        ),
        TableLoad(
            "core.citation_markers", "marker_key",
            ["marker_key", "document_key", "passage_key", "citation_key", "note_number", "char_start", "char_end"],
            rows.markers, scope=by_doc, scope_params=params,
            refs=[_ref("document_id", "document_key", DOC), _ref("passage_id", "passage_key", PASSAGE),
                  _ref("citation_id", "citation_key", CITATION)],
        ),
        TableLoad(
            "core.table_rows", "table_row_key",
            ["table_row_key", "document_key", "section_key", "table_key", "row_number", "cells",
             "char_start", "char_end"],
            rows.table_rows, scope=by_doc, scope_params=params,
            refs=[_ref("document_id", "document_key", DOC), _ref("section_id", "section_key", SECTION)],
        ),
        TableLoad(
            "core.mentions", "mention_key",
            ["mention_key", "document_key", "section_key", "passage_key", "char_start", "char_end",
             "surface", "entity_type", "country_code", "organization_key", "sector_key", "rule"],
            rows.mentions, scope=by_doc, scope_params=params,
            refs=[_ref("document_id", "document_key", DOC), _ref("section_id", "section_key", SECTION),
                  _ref("passage_id", "passage_key", PASSAGE), _ref("country_id", "country_code", COUNTRY),
                  _ref("organization_id", "organization_key", ORG), _ref("sector_id", "sector_key", SECTOR)],
        ),
    ]


# The tables document_loads writes, parents first.
DOCUMENT_TABLES = [load.table for load in document_loads(DocumentRows(), [])]
