"""The corpus folder and the document plan: find the corpus files, and decide per file
whether it is new, changed, re-derived, unchanged or removed (by the sha256 of its bytes
and a fingerprint of parser and reference data). Unchanged documents are neither read
past their hash nor touched in the database."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import yaml

from etnc_db.extract import parse_document
from etnc_db.extract.errata import EndnoteDuplicate
from etnc_db.extract.model import CorpusError, ParsedDocument
from etnc_db.extract.reader import read_source

PARSER_VERSION = "1"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MANIFEST = "sources.yaml"
SUFFIXES = (".txt", ".md")

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


def parse_source(
    source: SourceFile, errata: frozenset[EndnoteDuplicate] = frozenset()
) -> tuple[str, ParsedDocument]:
    """Read and parse one corpus file; ``errata`` are the known source errors to
    tolerate (``load_errata(settings.reference_dir)``)."""
    text = read_source(source.path)
    parsed = parse_document(text, kind=source.kind, file_name=source.file_name, title=source.title, errata=errata)
    return text, parsed
