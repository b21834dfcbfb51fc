"""The corpus folder and its manifest, as files only (no database).

``data/corpus/`` holds the documents (``*.txt``/``*.md``) and ``sources.yaml``, the
manifest that describes them. This module:

* scans the folder (:func:`scan_corpus`): which files are documents, their sha256 and
  size, which are refused and why (one ``file: reason`` line each), which document keys
  still have a file (so a document is deleted only when its file is really gone);
* reads and validates the manifest (:func:`read_manifest`) with ``sources.yaml:LINE:``
  errors;
* adds and removes documents (:func:`add_documents`, :func:`remove_documents`): copies
  or deletes files and edits the manifest in place (comments, order and formatting of
  the other entries kept), all or nothing.

The rules are in docs/document-model.md, "The corpus folder and its manifest".
"""

from __future__ import annotations

import datetime
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml

from etnc_db.yaml_lines import LineDict, YamlSyntaxError, parse_yaml_with_lines

from .parsed import CorpusError
from .reader import MAX_BYTES, decode_source, describe_os_error, not_regular_reason, read_limited, read_source

MANIFEST = "sources.yaml"
SUFFIXES = (".txt", ".md")
KINDS = ("report", "news_article", "newsletter", "article")
#: the largest document accepted, in bytes; checked with stat before a file is read
MAX_DOCUMENT_BYTES = MAX_BYTES
#: the kind of a document added with :func:`add_documents` when detection gives none
DEFAULT_ADDED_KIND = "news_article"
#: the kind of a file of the folder that the manifest does not list
DEFAULT_KIND = "article"
ENTRY_FIELDS = ("file", "key", "title", "publisher", "published", "kind", "sha256", "notes")
DETECTED_FIELDS = ("title", "publisher", "published", "kind")

_CHUNK = 1 << 20
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")
_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a line break
_NEW_MANIFEST = (
    "# Manifest of the source documents in this folder (one entry per file); see\n"
    "# docs/document-model.md, \"The corpus folder and its manifest\".\n"
    "documents:\n"
)


class CorpusProblems(Exception):
    """Several :class:`CorpusError` at once (``str()`` is one ``file:line: reason`` per
    line); raised by :func:`add_documents` and :func:`remove_documents`, which change
    nothing when they raise it."""

    def __init__(self, problems: list[CorpusError]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def slug(text: str) -> str:
    """The document key made from a file stem: lower case, runs of other characters
    turned into one hyphen (``'AHK Insights_2024'`` -> ``'ahk-insights-2024'``)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "document"


def is_document_name(name: str) -> bool:
    """Whether a file of this name is a corpus document: ``.txt``/``.md`` (any case), not
    hidden (editors' lock and swap files and this module's temporary files start with a dot)."""
    return not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES


def _check_file_name(name: str) -> str:
    """``name`` if it is a plain document file name, else a ``ValueError`` saying why."""
    if not name or name in (".", "..") or any(c in name for c in "/\\\0"):
        raise ValueError(f"file {name!r} must be a plain file name in the corpus folder (no path)")
    if not is_document_name(name):
        raise ValueError(f"file {name!r} must be a .txt or .md file whose name does not start with '.'")
    return name


def _check_published(value: Any) -> str | None:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` naming a real date (a YAML date or year
    number is accepted and written as text); ``ValueError`` otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        raise ValueError(f"published {value} has a time; give YYYY, YYYY-MM or YYYY-MM-DD")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    match = _PARTIAL_DATE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"published {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(part) if part else 1 for part in match.groups())
    try:
        datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"published {value!r} is not a real date") from None
    return value


@dataclass
class ManifestEntry:
    """One valid ``documents:`` entry of sources.yaml (made by :func:`validate_entry`).
    ``line_of(field)`` is the line a field is written on (the entry's first line for a
    field it does not write)."""

    file: str
    key: str | None = None
    title: str | None = None
    publisher: str | None = None
    published: str | None = None
    kind: str = DEFAULT_KIND
    sha256: str | None = None
    notes: str | None = None

    _line: int = field(default=1, repr=False, compare=False)
    _key_lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def line_of(self, name: str) -> int:
        """The line of field ``name`` in sources.yaml (the entry's first line if not written)."""
        return self._key_lines.get(name, self._line)


class EntryInvalid(ValueError):
    """An entry :func:`validate_entry` refused; ``errors`` are pydantic's error dicts
    (``loc``, ``type``, ``msg``, ``input``), one per problem."""

    def __init__(self, errors: list[dict[str, Any]]):
        super().__init__("; ".join(_reason(e) for e in errors))
        self.errors = errors


def validate_entry(values: Mapping[str, Any]) -> ManifestEntry:
    """The entry ``values`` describe, validated; EntryInvalid with every problem
    otherwise. The rules are the pydantic model's (:func:`_entry_model`); an entry of
    plain text values that passes every field check (almost every entry) is made
    without it, so that reading a valid manifest does not import pydantic. Anything
    else, and every error, goes through the model."""
    entry = _plain_entry(values)
    if entry is not None:
        return entry
    from pydantic import ValidationError

    try:
        model = _entry_model().model_validate(dict(values))
    except ValidationError as exc:
        raise EntryInvalid(exc.errors()) from None
    return ManifestEntry(**{name: getattr(model, name) for name in ENTRY_FIELDS})


_TEXT_FIELDS = ("key", "title", "publisher", "sha256", "notes")


def _plain_entry(values: Mapping[str, Any]) -> ManifestEntry | None:
    """The entry when every value is one the model accepts as it is (text or absent, a
    known kind) and every field check passes; None when the model must decide."""
    if not set(values) <= set(ENTRY_FIELDS) or type(values.get("file")) is not str:
        return None
    if any(values.get(name) is not None and type(values[name]) is not str for name in _TEXT_FIELDS):
        return None
    if "kind" in values and not (type(values["kind"]) is str and values["kind"] in KINDS):
        return None
    try:
        file = _check_file_name(values["file"])
        published = _check_published(values.get("published"))
    except ValueError:
        return None
    key, sha = values.get("key"), values.get("sha256")
    if (key is not None and not _SLUG.fullmatch(key)) or (sha is not None and not _SHA256.fullmatch(sha)):
        return None
    return ManifestEntry(file, key if key is not None else slug(Path(file).stem), values.get("title"),
                         values.get("publisher"), published, values.get("kind", DEFAULT_KIND),
                         None if sha is None else sha.lower(), values.get("notes"))


@lru_cache(maxsize=1)
def _entry_model():
    """The manifest entry as a pydantic model: the authority on what an entry may hold,
    and the source of every error message about one (built on first need)."""
    from pydantic import BaseModel, ConfigDict, field_validator, model_validator

    class Entry(BaseModel):
        model_config = ConfigDict(extra="forbid")

        file: str
        key: str | None = None
        title: str | None = None
        publisher: str | None = None
        published: str | None = None
        kind: Literal["report", "news_article", "newsletter", "article"] = DEFAULT_KIND
        sha256: str | None = None
        notes: str | None = None

        @field_validator("file")
        @classmethod
        def _file(cls, value: str) -> str:
            return _check_file_name(value)

        @field_validator("key")
        @classmethod
        def _key(cls, value: str | None) -> str | None:
            if value is not None and not _SLUG.fullmatch(value):
                raise ValueError(f"key {value!r} is not a slug (a-z, 0-9 and '-', starting with a letter or digit)")
            return value

        @field_validator("published", mode="before")
        @classmethod
        def _published(cls, value: Any) -> str | None:
            return _check_published(value)

        @field_validator("sha256")
        @classmethod
        def _sha256(cls, value: str | None) -> str | None:
            if value is not None and not _SHA256.fullmatch(value):
                raise ValueError(f"sha256 {value!r} is not 64 hexadecimal digits")
            return None if value is None else value.lower()

        @model_validator(mode="after")
        def _default_key(self):
            if self.key is None:
                self.key = slug(Path(self.file).stem)
            return self

    return Entry


@dataclass
class Manifest:
    """sources.yaml as read: the valid entries in file order, and every problem found.
    ``data`` is the file's bytes (None when there is no manifest)."""

    path: Path
    data: bytes | None = None
    entries: list[ManifestEntry] = field(default_factory=list)
    problems: list[CorpusError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every entry is valid, so the file -> key mapping can be trusted."""
        return not self.problems

    @property
    def by_file(self) -> dict[str, ManifestEntry]:
        """The entries by file name."""
        return {e.file: e for e in self.entries}

    @property
    def by_key(self) -> dict[str, ManifestEntry]:
        """The entries by document key."""
        return {e.key: e for e in self.entries}


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
        """The file's name in the corpus folder."""
        return self.path.name

    @property
    def metadata(self) -> str:
        """What the manifest says about the document, as one string to fold into its
        fingerprint: a new kind, title, publisher or date must re-derive the document even
        when its bytes are unchanged."""
        return json.dumps([self.kind, self.title, self.publisher, self.published])


@dataclass
class Corpus:
    """The folder as scanned. ``files`` are the documents to load (empty when the manifest
    is not ok); ``refused`` the files present but not loadable, ``missing`` the manifest
    entries without a file; ``present`` maps the key of every document file in the folder,
    loadable or not, to its name; ``hashes`` the sha256 of every file that could be read."""

    root: Path
    manifest: Manifest
    files: list[SourceFile] = field(default_factory=list)
    refused: list[CorpusError] = field(default_factory=list)
    missing: list[CorpusError] = field(default_factory=list)
    present: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    hashes: dict[str, str] = field(default_factory=dict)

    @property
    def problems(self) -> list[CorpusError]:
        """Every problem: the manifest's, then refused files, then missing files."""
        return [*self.manifest.problems, *self.refused, *self.missing]

    def state(self, key: str) -> Literal["ok", "refused", "gone", "unknown"]:
        """``ok``: loadable; ``refused``: its file is there but cannot be loaded (keep the
        document as it is); ``gone``: no file has this key (delete the document);
        ``unknown``: the manifest is invalid, so no key can be said to be gone."""
        if not self.manifest.ok:
            return "unknown"
        if key in {f.key for f in self.files}:
            return "ok"
        return "refused" if key in self.present else "gone"

    def removable(self, stored_keys: Iterable[str]) -> list[str]:
        """The keys among ``stored_keys`` (documents in the database) whose file is really
        gone; none while the manifest is invalid."""
        if not self.manifest.ok:
            return []
        keep = self.present.keys() | {f.key for f in self.files}
        return [key for key in stored_keys if key not in keep]


@dataclass(frozen=True)
class Added:
    """One document of :func:`add_documents`: ``action`` is ``added`` (new in the folder
    or the manifest), ``updated`` (its file or sha256 replaced) or ``unchanged``."""

    key: str
    file: str
    action: Literal["added", "updated", "unchanged"]
    sha256: str
    source: Path


@dataclass(frozen=True)
class Removed:
    """One document of :func:`remove_documents`: ``listed`` if it had a manifest entry,
    ``had_file`` if its file was in the folder."""

    key: str
    file: str
    listed: bool
    had_file: bool


# --------------------------------------------------------------------------- manifest


def read_manifest(corpus_dir: Path) -> Manifest:
    """Read and validate ``corpus_dir/sources.yaml``; no manifest is an empty one.
    Problems are collected (``Manifest.problems``), never raised."""
    path = Path(corpus_dir) / MANIFEST
    if not os.path.lexists(path):
        return Manifest(path)
    try:
        data = read_limited(path, MANIFEST, MAX_DOCUMENT_BYTES)
        text = data.decode("utf-8")
    except CorpusError as exc:
        return Manifest(path, problems=[exc])
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Manifest(path, data, problems=[CorpusError(MANIFEST, line, f"invalid UTF-8 at byte {exc.start}")])
    entries, problems = parse_manifest(text)
    return Manifest(path, data, entries, problems)


def _what(value: Any) -> str:
    names = {list: "a list", str: "a string", int: "a number", float: "a number", bool: "true/false"}
    return next((n for t, n in names.items() if isinstance(value, t)), type(value).__name__)


def parse_manifest(text: str) -> tuple[list[ManifestEntry], list[CorpusError]]:
    """The valid entries of a manifest's text and a ``sources.yaml:LINE: reason`` problem
    for everything wrong: YAML syntax, shape, each invalid entry, repeated files and keys."""
    try:
        data = parse_yaml_with_lines(text, MANIFEST)
    except YamlSyntaxError as exc:
        return [], [CorpusError(MANIFEST, exc.line, exc.reason)]
    if data is None:
        return [], []
    if not isinstance(data, LineDict):
        line = getattr(data, "line", 1) or 1
        return [], [CorpusError(MANIFEST, line, f"the manifest is a mapping with a 'documents:' list, not {_what(data)}")]
    problems = [CorpusError(MANIFEST, data.line_of(k), f"unknown top-level key {k!r} (only 'documents:' is allowed)")
                for k in data if k != "documents"]
    docs = data.get("documents")
    if docs is None:
        return [], problems
    if not isinstance(docs, list):
        problems.append(CorpusError(MANIFEST, data.line_of("documents"),
                                    f"'documents:' must be a list of entries ('- file: ...'), not {_what(docs)}"))
        return [], problems
    entries = []
    for index, raw in enumerate(docs):
        entry = _entry(raw, docs.line_of(index), problems)
        if entry is not None:
            entries.append(entry)
    problems.extend(_repeated(entries))
    return entries, problems


def _entry(raw: Any, line: int, problems: list[CorpusError]) -> ManifestEntry | None:
    """One validated entry, or None with its problems appended (each at its field's line)."""
    if not isinstance(raw, LineDict):
        problems.append(CorpusError(MANIFEST, line, f"a document entry is a mapping (file: ..., key: ...), not {_what(raw)}"))
        return None
    try:
        entry = validate_entry(raw)
    except EntryInvalid as exc:
        for err in exc.errors:
            name = err["loc"][0] if err["loc"] else None
            problems.append(CorpusError(MANIFEST, raw.line_of(name) if isinstance(name, str) else raw.line,
                                        _reason(err)))
        return None
    entry._line = raw.line
    entry._key_lines = dict(raw.key_lines)
    return entry


def _reason(err: Mapping[str, Any]) -> str:
    """A pydantic error as one line that names the field."""
    name = ".".join(str(p) for p in err["loc"]) or "entry"
    if err["type"] == "extra_forbidden":
        return f"unknown key {name!r} (allowed: {', '.join(ENTRY_FIELDS)})"
    if err["type"] == "invalid_key":
        return f"key {err['input']!r} is not a text key (allowed: {', '.join(ENTRY_FIELDS)})"
    if err["type"] == "missing":
        return f"{name!r} is required"
    if err["type"] == "value_error":
        return err["msg"].removeprefix("Value error, ")
    return f"{name}: {err['msg']}"


def _repeated(entries: list[ManifestEntry]) -> list[CorpusError]:
    """A problem for each entry whose file or key an earlier entry already has."""
    problems, files, keys = [], {}, {}
    for e in entries:
        if e.file in files:
            problems.append(CorpusError(MANIFEST, e.line_of("file"), f"file {e.file} already listed on line {files[e.file]}"))
        if e.key in keys:
            problems.append(CorpusError(MANIFEST, e.line_of("key"), f"key {e.key!r} already used on line {keys[e.key]}"))
        files.setdefault(e.file, e.line_of("file"))
        keys.setdefault(e.key, e.line_of("key"))
    return problems


# --------------------------------------------------------------------------- scanning


def _corpus_root(corpus_dir: Path) -> Path:
    """The corpus folder, resolved; a CorpusError when it is not a folder."""
    path = Path(corpus_dir)
    if not path.is_dir():
        raise CorpusError(str(path), None, "corpus folder does not exist")
    return path.resolve()


def _document_paths(folder: Path) -> list[Path]:
    """The document-named entries of ``folder`` (whatever their type), sorted by name."""
    try:
        return sorted(p for p in folder.iterdir() if is_document_name(p.name))
    except OSError as exc:
        raise CorpusError(str(folder), None, describe_os_error(exc)) from exc


def _link_target(path: Path, root: Path) -> Path:
    """Where the symbolic link ``path`` leads, if that is inside ``root``; else a CorpusError."""
    try:
        target = path.resolve(strict=True)
    except FileNotFoundError:
        raise CorpusError(path.name, None, "dangling symbolic link (its target does not exist)") from None
    except RuntimeError:  # Python < 3.13 reports a loop this way
        raise CorpusError(path.name, None, "symbolic link loop") from None
    except OSError as exc:
        raise CorpusError(path.name, None, describe_os_error(exc)) from exc
    if not target.is_relative_to(root):
        raise CorpusError(path.name, None, f"symbolic link to {target}, outside the corpus folder")
    return target


def _hash_member(path: Path, root: Path) -> tuple[str, int]:
    """sha256 and size of the corpus file ``path``: a regular file, or a symbolic link to
    a regular file inside ``root``, within the size limit (checked with stat first)."""
    try:
        st = os.lstat(path)
        target = path
        if stat.S_ISLNK(st.st_mode):
            target = _link_target(path, root)
            st = os.stat(target)
    except OSError as exc:
        raise CorpusError(path.name, None, describe_os_error(exc)) from exc
    if not stat.S_ISREG(st.st_mode):
        raise CorpusError(path.name, None, not_regular_reason(st.st_mode))
    if st.st_size > MAX_DOCUMENT_BYTES:
        raise CorpusError(path.name, None, f"file is {st.st_size} bytes, over the {MAX_DOCUMENT_BYTES}-byte limit")
    return stream_sha256(target, path.name)


def stream_sha256(path: Path, name: str, limit: int = MAX_DOCUMENT_BYTES) -> tuple[str, int]:
    """sha256 and byte count of the regular file ``path``, read in 1 MiB chunks (never
    more than ``limit + 1`` bytes); failures are CorpusErrors naming ``name``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        reason = "changed while being read (now a symbolic link)" if exc.errno == errno.ELOOP else describe_os_error(exc)
        raise CorpusError(name, None, reason) from exc
    digest, size = hashlib.sha256(), 0
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise CorpusError(name, None, not_regular_reason(mode))
        while chunk := os.read(fd, _CHUNK):
            size += len(chunk)
            if size > limit:
                raise CorpusError(name, None, f"file is over the {limit}-byte limit (it grew while being read)")
            digest.update(chunk)
    except OSError as exc:
        raise CorpusError(name, None, describe_os_error(exc)) from exc
    finally:
        os.close(fd)
    return digest.hexdigest(), size


def scan_corpus(corpus_dir: Path) -> Corpus:
    """The corpus folder's documents: every ``.txt``/``.md`` file directly in it, described
    by its manifest entry (a file without one is a generic article keyed by the slug of its
    stem). Nothing is skipped silently: each file that cannot be loaded is in ``refused``
    with one ``file: reason`` line, each entry without its file in ``missing``. Raises
    CorpusError only when the folder itself does not exist."""
    root = _corpus_root(corpus_dir)
    corpus = Corpus(root, read_manifest(root))
    listed = corpus.manifest.by_file
    candidates = []
    for path in _document_paths(root):
        entry = listed.get(path.name)
        key = entry.key if entry else slug(path.stem)
        corpus.names.append(path.name)
        corpus.present.setdefault(key, path.name)
        try:
            sha, size = _hash_member(path, root)
        except CorpusError as exc:
            corpus.refused.append(exc)
            continue
        corpus.hashes[path.name] = sha
        if entry is not None and entry.sha256 is not None and entry.sha256 != sha:
            corpus.refused.append(CorpusError(MANIFEST, entry.line_of("sha256"), f"sha256 of {path.name} does not "
                                              "match (file changed? update or remove the sha256)"))
            continue
        candidates.append(SourceFile(
            path=Path(corpus_dir) / path.name, key=key, kind=entry.kind if entry else DEFAULT_KIND,
            title=entry.title if entry else None, publisher=entry.publisher if entry else None,
            published=entry.published if entry else None, sha256=sha, size=size,
        ))
    corpus.missing = [CorpusError(MANIFEST, e.line_of("file"), f"file {e.file} listed but not in the folder")
                      for e in corpus.manifest.entries if e.file not in corpus.names]
    _accept(corpus, candidates)
    return corpus


def _accept(corpus: Corpus, candidates: list[SourceFile]) -> None:
    """Move the candidates into ``corpus.files``, refusing a file with the same bytes or
    the same key as one accepted before it (files the manifest lists go first, then by
    name); accept none while the manifest is invalid."""
    listed = corpus.manifest.by_file
    reserved = {e.key: e.file for e in corpus.manifest.entries}
    by_sha: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for f in sorted(candidates, key=lambda f: (f.file_name not in listed, f.file_name)):
        owner = by_key.get(f.key) or (None if f.file_name in listed else reserved.get(f.key))
        if f.sha256 in by_sha:
            corpus.refused.append(CorpusError(f.file_name, None, f"same content as {by_sha[f.sha256]}"))
        elif owner is not None:
            corpus.refused.append(CorpusError(f.file_name, None, f"document key {f.key!r} already used by {owner}"))
        else:
            by_sha[f.sha256] = by_key[f.key] = f.file_name
            corpus.files.append(f)
    corpus.files.sort(key=lambda f: f.file_name)
    if not corpus.manifest.ok:
        corpus.files = []


def read_document(source: SourceFile) -> str:
    """The text of a scanned document (:func:`read_source` rules), refused if the file no
    longer has the bytes the scan hashed (the stored text and sha256 must agree)."""
    text = read_source(source.path, MAX_DOCUMENT_BYTES)
    if hashlib.sha256(text.encode("utf-8")).hexdigest() != source.sha256:
        raise CorpusError(source.file_name, None, "file changed since the corpus folder was scanned (run again)")
    return text


# --------------------------------------------------------------------------- manifest editing
# The manifest is edited as text, line by line, so every byte that is not part of a
# changed entry stays as it was (comments, blank lines, quoting, key order). Each edit is
# checked by parsing the result again (see _checked_manifest).


@dataclass
class _Span:
    """Where one entry sits in the manifest text (0-based line numbers): ``first`` is the
    first comment line directly above it (or its own first line), ``last`` its last line."""

    file: str
    first: int
    last: int
    dash: int
    indent: int
    pairs: dict[str, tuple[yaml.Node, yaml.Node]]


def _split_lines(text: str) -> list[str]:
    """``text`` cut into lines, each with its line break, where YAML marks count lines
    (str.splitlines also cuts at \\v, \\f and \\x1c-\\x1e, which may sit inside a title)."""
    lines, start = [], 0
    for match in _LINE_BREAK.finditer(text):
        lines.append(text[start:match.end()])
        start = match.end()
    if start < len(text):
        lines.append(text[start:])
    return lines


def _newline(lines: list[str]) -> str:
    """The manifest's line ending (that of its first line), for the lines it gains."""
    return "\r\n" if lines and lines[0].endswith("\r\n") else "\n"


def _last_line(node: yaml.Node) -> int:
    """The last line holding text of ``node`` (block collections end where their last
    value ends, not at the next token, which may be lines of comments further down)."""
    if isinstance(node, yaml.ScalarNode) or node.flow_style:
        mark = node.end_mark
        return mark.line - 1 if mark.column == 0 and mark.line > node.start_mark.line else mark.line
    children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value
    return max((_last_line(c) for c in children), default=node.start_mark.line)


def _layout(text: str) -> tuple[list[str], list[_Span], tuple[yaml.Node, yaml.Node] | None]:
    """The text's lines, the span of each entry, and the ``documents`` key and value nodes.
    Raises CorpusProblems for a list that is not written one block entry after another."""
    lines = _split_lines(text)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    pairs = root.value if isinstance(root, yaml.MappingNode) else []
    docs = next(((k, v) for k, v in pairs if k.value == "documents"), None)
    if docs is None or not isinstance(docs[1], yaml.SequenceNode):
        return lines, [], docs
    spans, bound = [], docs[0].start_mark.line + 1
    for item in docs[1].value:
        start, column = item.start_mark.line, item.start_mark.column
        head = lines[start][:column]
        if item.flow_style or docs[1].flow_style or not head.strip() == "-" or start < bound:
            raise CorpusProblems([CorpusError(MANIFEST, start + 1, "cannot edit this entry automatically; write each "
                                              "entry in block style ('- file: ...', one key per line)")])
        first = start
        while first > bound and lines[first - 1].lstrip().startswith("#"):
            first -= 1
        pairs = {k.value: (k, v) for k, v in item.value}
        spans.append(_Span(pairs["file"][1].value, first, _last_line(item), head.index("-"), column, pairs))
        bound = spans[-1].last + 1
    return lines, spans, docs


def _remove_entries(text: str, files: set[str]) -> str:
    """``text`` without the entries of ``files``, each with the comment lines directly
    above it (and the blank line after it, when it was the first entry or stood between
    blank lines)."""
    lines, spans, _ = _layout(text)
    for span in reversed(spans):
        if span.file in files:
            low, high = span.first, span.last + 1
            if high < len(lines) and not lines[high].strip() and (span is spans[0] or not lines[low - 1].strip()):
                high += 1
            del lines[low:high]
    return "".join(lines)


def _set_sha256(text: str, updates: dict[str, str]) -> str:
    """``text`` with the sha256 of the entry of each file in ``updates`` set to its new
    value: replaced on its line (an end-of-line comment kept), or a new line after ``kind``
    (or at the entry's end). One pass, last entry first, so line numbers stay valid."""
    lines, spans, _ = _layout(text)
    for span in reversed([s for s in spans if s.file in updates]):
        sha = updates[span.file]
        if "sha256" not in span.pairs:
            after = _last_line(span.pairs["kind"][1]) if "kind" in span.pairs else span.last
            lines.insert(after + 1, f"{' ' * span.indent}sha256: {sha}{_newline(lines)}")
            continue
        key, value = span.pairs["sha256"]
        row = key.start_mark.line
        if not isinstance(value, yaml.ScalarNode) or _last_line(value) != row:
            raise CorpusProblems([CorpusError(MANIFEST, row + 1, "cannot update this sha256 automatically; "
                                              "write it on one line ('sha256: <64 hex digits>')")])
        line = lines[row]
        rest = line[value.end_mark.column:] if value.value else line[key.end_mark.column + 1:]
        lines[row] = f"{line[:key.start_mark.column]}sha256: {sha}{rest if rest.strip() else _newline(lines)}"
    return "".join(lines)


def _append_entries(text: str, entries: list[dict[str, Any]]) -> str:
    """``text`` with ``entries`` added after the last entry, indented like it (a new
    manifest when ``text`` is empty)."""
    if not text.strip():
        text = _NEW_MANIFEST
    lines, spans, docs = _layout(text)
    newline = _newline(lines)
    if lines and not _LINE_BREAK.search(lines[-1]):
        lines[-1] += newline
    dash, indent = (spans[-1].dash, spans[-1].indent) if spans else (2, 4)
    if spans:
        at = spans[-1].last + 1
    elif docs is None:
        lines.append("documents:" + newline)
        at = len(lines)
    else:  # 'documents:' with no value, null or []: drop the value, keep an end-of-line comment
        key, value = docs
        row = key.start_mark.line
        if value.start_mark.line == row and value.end_mark.line == row:
            line = lines[row]
            lines[row] = line[:value.start_mark.column].rstrip() + (line[value.end_mark.column:].rstrip(" ") or newline)
        at = row + 1
    lines[at:at] = [line + newline for entry in entries for line in _render_entry(entry, dash, indent)]
    return "".join(lines)


def _quoted(value: str) -> str:
    """``value`` as a YAML double-quoted scalar (escaping what YAML does not print)."""
    out = []
    for ch in value:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _scalar(name: str, value: Any) -> str:
    """How an entry's value is written: text fields in double quotes (as the curated
    entries are), names, keys and hashes plain when YAML reads them back unchanged."""
    if value is None:
        return "null"
    if name in ("title", "publisher", "published", "notes"):
        return _quoted(value)
    if _PLAIN.fullmatch(value) and yaml.safe_load(value) == value:
        return value
    return _quoted(value)


def _render_entry(entry: dict[str, Any], dash: int, indent: int) -> list[str]:
    """The lines of a new entry (without line breaks): ``- file: ...`` at column ``dash``,
    keys at ``indent``."""
    lines = []
    for name in ENTRY_FIELDS:
        if entry.get(name) is None:
            continue
        prefix = (" " * dash + "-").ljust(indent) if not lines else " " * indent
        lines.append(f"{prefix}{name}: {_scalar(name, entry[name])}")
    return lines


def _entry_values(entry: ManifestEntry) -> dict[str, Any]:
    """An entry's values by field, as compared before and after an edit."""
    return {name: getattr(entry, name) for name in ENTRY_FIELDS}


def _checked_manifest(text: str, expected: list[dict[str, Any]]) -> str:
    """``text`` if it parses into a valid manifest holding exactly ``expected`` (the entries'
    values, in order); otherwise CorpusProblems, and nothing is written."""
    entries, problems = parse_manifest(text)
    if problems or [_entry_values(e) for e in entries] != expected:
        detail = "; ".join(str(p) for p in problems[:3]) or "its entries differ from the intended ones"
        raise CorpusProblems([CorpusError(MANIFEST, None, f"the edited manifest would be wrong ({detail}); "
                                          "nothing was changed: edit sources.yaml by hand")])
    return text


# --------------------------------------------------------------------------- changing the folder
# All or nothing: new bytes are first written to hidden temporary files (".name.xxxx.tmp",
# which a scan ignores), then renamed into place; any failure undoes the renames done so
# far. The manifest's rename is the commit point. Files leave the folder before it and
# arrive after it, so a crash in between leaves a manifest entry without its file, or with
# a sha256 its file does not match (both reported, and fixed by running the same command
# again), never a file that the manifest does not describe (which would load silently as
# a generic article under another key).


def _replace(source: Path, target: Path) -> None:
    """os.replace (one place for tests to make a rename fail)."""
    os.replace(source, target)


def _temp_path(root: Path, name: str) -> Path:
    """A new hidden temporary name next to ``name`` (cut short to stay a legal name)."""
    return root / f".{name[:100]}.{secrets.token_hex(4)}.tmp"


def _write_temp(root: Path, name: str, data: bytes) -> Path:
    """``data`` in a new hidden temporary file next to ``name``, flushed to disk."""
    path = _temp_path(root, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        path.unlink(missing_ok=True)
        raise
    os.close(fd)
    return path


@contextmanager
def corpus_lock(corpus_dir: Path, shared: bool = False) -> Iterator[None]:
    """Hold a lock on the corpus folder: exclusive for add/remove (one at a time), shared
    for a reader that wants no add/remove to change the folder under it (the pipeline,
    from its scan to the end of its parse). CorpusProblems at once if it cannot be had."""
    fd = os.open(_corpus_root(corpus_dir), os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CorpusProblems([CorpusError(str(corpus_dir), None, "the folder is in use by another command (load, "
                                              "remove or a run); try again when it has finished")]) from None
        yield
    finally:
        os.close(fd)


def _restore_manifest(root: Path, old: bytes | None) -> None:
    """Put back the manifest as it was (remove it if there was none)."""
    if old is None:
        (root / MANIFEST).unlink(missing_ok=True)
    else:
        _replace(_write_temp(root, MANIFEST, old), root / MANIFEST)


def _apply(root: Path, manifest_text: str | None, old: bytes | None, put: dict[str, Callable[[], bytes]],
           take: list[str]) -> None:
    """Write ``put`` (file name -> function giving its bytes, called one at a time), remove
    the files ``take`` and replace the manifest with ``manifest_text`` (None: leave it),
    all or nothing."""
    temps: list[Path] = []  # deleted at the end, whatever happens
    undo: list[Callable[[], None]] = []
    try:
        staged: dict[str, Path] = {}
        for name, data in put.items():
            staged[name] = _write_temp(root, name, data())
            temps.append(staged[name])
        new_manifest = None
        if manifest_text is not None:
            new_manifest = _write_temp(root, MANIFEST, manifest_text.encode("utf-8"))
            temps.append(new_manifest)
        current = (root / MANIFEST).read_bytes() if (root / MANIFEST).exists() else None
        if current != old:
            raise CorpusProblems([CorpusError(MANIFEST, None, "changed while this command ran; nothing was "
                                              "changed, run it again")])
        for name in take:
            hidden = _temp_path(root, name)
            _replace(root / name, hidden)
            temps.append(hidden)
            undo.append(lambda hidden=hidden, name=name: _replace(hidden, root / name))
        if new_manifest is not None:
            _replace(new_manifest, root / MANIFEST)
            undo.append(lambda: _restore_manifest(root, old))
        for name, temp in staged.items():
            _put(root, name, temp, temps, undo)
    except BaseException:
        for step in reversed(undo):
            try:
                step()
            except OSError:  # keep undoing the rest; the original error is what is raised
                pass
        raise
    finally:
        for temp in temps:
            try:
                temp.unlink(missing_ok=True)
            except OSError:  # a leftover hidden .tmp file is harmless; a false failure is not
                pass
        _sync_folder(root)


def _commit(root: Path, manifest_text: str | None, old: bytes | None, put: dict[str, Callable[[], bytes]],
            take: list[str]) -> None:
    """:func:`_apply`, its failures told as CorpusProblems (after it has undone its work)."""
    try:
        _apply(root, manifest_text, old, put, take)
    except CorpusError as exc:  # an input changed since it was checked
        raise CorpusProblems([exc]) from exc
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise CorpusProblems([CorpusError(str(root), None, f"cannot change the corpus folder ({reason}); "
                                          "nothing was changed")]) from exc


def _put(root: Path, name: str, temp: Path, temps: list[Path], undo: list[Callable[[], None]]) -> None:
    """Rename ``temp`` to ``name``, keeping a file it replaces aside until the end."""
    target = root / name
    if os.path.lexists(target):
        kept = _temp_path(root, name)
        _replace(target, kept)
        temps.append(kept)
        undo.append(lambda: _replace(kept, target))
        _replace(temp, target)
    else:
        _replace(temp, target)
        undo.append(lambda: target.unlink(missing_ok=True))


def _sync_folder(root: Path) -> None:
    """Flush the folder's entries (the renames) to disk, where the system allows it."""
    try:
        fd = os.open(root, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- adding and removing


@dataclass(frozen=True)
class _Incoming:
    """A file given to add_documents, read and checked (its bytes are not kept: they are
    read again, and their sha256 checked, when they are copied)."""

    path: Path
    label: str
    name: str
    text: str
    sha256: str

    def data(self) -> bytes:
        """The file's bytes, as when it was checked; CorpusError if it changed since."""
        data = read_limited(self.path, self.label, MAX_DOCUMENT_BYTES)
        if hashlib.sha256(data).hexdigest() != self.sha256:
            raise CorpusError(self.label, None, "file changed while being added (run again)")
        return data


def _input_paths(paths: Iterable[Path], problems: list[CorpusError]) -> list[Path]:
    """Each given file, and each .txt/.md file directly in each given folder."""
    members = []
    for given in paths:
        path = Path(given)
        if not path.is_dir():
            members.append(path)
            continue
        try:
            found = _document_paths(path)
        except CorpusError as exc:
            problems.append(exc)
            continue
        if not found:
            problems.append(CorpusError(str(path), None, "no .txt or .md files in this folder"))
        members.extend(found)
    return members


def _read_input(path: Path) -> _Incoming:
    """A file to add, checked like a corpus file: a plain .txt/.md name, a regular file
    within the size limit, non-empty UTF-8 text. CorpusError naming the path otherwise."""
    label = str(path)
    try:
        _check_file_name(path.name)
    except ValueError as exc:
        raise CorpusError(label, None, str(exc)) from None
    data = read_limited(path, label, MAX_DOCUMENT_BYTES)
    return _Incoming(path, label, path.name, decode_source(data, label), hashlib.sha256(data).hexdigest())


class _AddPlan:
    """What add_documents does, decided before anything is written: the files to put in
    the folder, the manifest edits, and the expected manifest entries afterwards."""

    def __init__(self, corpus: Corpus, detect: Callable[[str], Mapping[str, Any]] | None, kind: str):
        self.corpus, self.detect, self.kind = corpus, detect, kind
        self.listed = corpus.manifest.by_file
        self.expected = [_entry_values(e) for e in corpus.manifest.entries]
        self.keys = {e.key for e in corpus.manifest.entries} | set(corpus.present)
        self.shas = {sha: name for name, sha in corpus.hashes.items()}
        self.names: dict[str, str] = {}
        self.put: dict[str, Callable[[], bytes]] = {}
        self.sha_updates: dict[str, str] = {}
        self.new_entries: list[dict[str, Any]] = []
        self.added: list[Added] = []
        self.problems: list[CorpusError] = []

    def add(self, item: _Incoming) -> None:
        """Plan one incoming file (or record why it cannot be added)."""
        if item.name in self.names:
            self._problem(item, f"another file of this load has the same name ({self.names[item.name]})")
            return
        self.names[item.name] = item.label
        other = self.shas.get(item.sha256)
        if other is not None and other != item.name and self.corpus.hashes.get(item.name) != item.sha256:
            self._problem(item, f"same content as {other}")
            return
        self.shas.setdefault(item.sha256, item.name)
        if item.name in self.corpus.names and item.name not in self.corpus.hashes:
            reason = next((p.reason for p in self.corpus.refused if p.file == item.name), "cannot be read")
            self._problem(item, f"{item.name} in the corpus folder is refused ({reason}); fix or remove it first")
        elif item.name in self.listed or item.name in self.corpus.names:
            self._existing(item)
        else:
            self._new(item, self._unique(slug(Path(item.name).stem)))

    def _existing(self, item: _Incoming) -> None:
        """A file whose name the folder or the manifest already has. The same bytes change
        nothing. New bytes replace the file and its sha256 only for the same document: its
        key is the slug of the name (as add_documents gives it), or the folder already has
        these bytes (only the sha256 was stale), or the listed file is missing and these are
        its bytes. Otherwise the name clash is refused."""
        entry = self.listed.get(item.name)
        own_key = slug(Path(item.name).stem)
        current = self.corpus.hashes.get(item.name)  # None: no readable file of that name
        if entry is None:  # a file of the folder the manifest does not list: give it an entry
            key = self._unique(own_key) if own_key in {e.key for e in self.corpus.manifest.entries} else own_key
            self._new(item, key, "added" if current == item.sha256 else "updated")
            return
        if current == item.sha256 and entry.sha256 in (None, item.sha256):
            self.added.append(Added(entry.key, item.name, "unchanged", item.sha256, item.path))
            return
        restoring = current is None and entry.sha256 in (None, item.sha256)
        if not (entry.key == own_key or current == item.sha256 or restoring):
            where = "in the corpus folder" if current is not None else "(listed in sources.yaml, file missing)"
            self._problem(item, f"{item.name} {where} is document {entry.key!r}, with different content; rename "
                                f"the new file to add it as another document, or remove {entry.key!r} first")
            return
        if current != item.sha256:
            self.put[item.name] = item.data
        self._set_sha(entry, item.sha256)
        action = "added" if current is None else "updated"
        self.added.append(Added(entry.key, item.name, action, item.sha256, item.path))

    def _new(self, item: _Incoming, key: str, action: str = "added") -> None:
        """A new manifest entry for ``item`` (metadata from ``detect``), and its file."""
        values = dict(self.detect(item.text) or {}) if self.detect else {}
        unknown = sorted(set(values) - set(DETECTED_FIELDS))
        if unknown:
            self._problem(item, f"metadata detection gave unknown fields {unknown} (allowed: {', '.join(DETECTED_FIELDS)})")
            return
        values = {"kind": self.kind, **{k: v for k, v in values.items() if v is not None},
                  "file": item.name, "key": key, "sha256": item.sha256}
        try:
            entry = validate_entry(values)
        except EntryInvalid as exc:
            self._problem(item, f"detected metadata refused: {exc}")
            return
        if self.corpus.hashes.get(item.name) != item.sha256:
            self.put[item.name] = item.data
        self.keys.add(key)
        self.new_entries.append(_entry_values(entry))
        self.added.append(Added(key, item.name, action, item.sha256, item.path))

    def _set_sha(self, entry: ManifestEntry, sha: str) -> None:
        if entry.sha256 != sha:
            self.sha_updates[entry.file] = sha
            index = next(i for i, e in enumerate(self.expected) if e["file"] == entry.file)
            self.expected[index]["sha256"] = sha

    def _unique(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3``... : the first key no document has."""
        key, n = base, 1
        while key in self.keys:
            n += 1
            key = f"{base}-{n}"
        return key

    def _problem(self, item: _Incoming, reason: str) -> None:
        self.problems.append(CorpusError(item.label, None, reason))

    def manifest_text(self) -> str | None:
        """The edited manifest (None when it does not change), checked by parsing it again."""
        if not self.sha_updates and not self.new_entries:
            return None
        text = (self.corpus.manifest.data or b"").decode("utf-8")
        if self.sha_updates:
            text = _set_sha256(text, self.sha_updates)
        if self.new_entries:
            text = _append_entries(text, self.new_entries)
        return _checked_manifest(text, self.expected + self.new_entries)


def _editable(corpus: Corpus, action: str) -> None:
    """Refuse to edit a manifest that is not valid."""
    if not corpus.manifest.ok:
        raise CorpusProblems([*corpus.manifest.problems,
                              CorpusError(MANIFEST, None, f"fix the manifest before {action} documents")])


def add_documents(paths: Iterable[Path], corpus_dir: Path,
                  detect: Callable[[str], Mapping[str, Any]] | None = None,
                  kind: str = DEFAULT_ADDED_KIND) -> list[Added]:
    """Add files (or every .txt/.md file of given folders) to the corpus: copy each into the
    folder and add its manifest entry (key: slug of the file stem, made unique; ``kind``;
    title/publisher/published/kind from ``detect(text)`` where it gives them; sha256).
    A file the folder already has with the same bytes is ``unchanged``; new bytes for the
    same document (same key) replace the file and its sha256. All or nothing: raises
    CorpusProblems (every problem, one line each) and changes nothing if any file fails."""
    root = _corpus_root(corpus_dir)
    with corpus_lock(root):
        corpus = scan_corpus(root)
        _editable(corpus, "adding")
        plan = _AddPlan(corpus, detect, kind)
        for path in _input_paths(paths, plan.problems):
            try:
                plan.add(_read_input(path))
            except CorpusError as exc:
                plan.problems.append(exc)
        if plan.problems:
            raise CorpusProblems(plan.problems)
        text = plan.manifest_text()
        if text is not None or plan.put:
            _commit(root, text, corpus.manifest.data, plan.put, [])
    return plan.added


def _unknown_key(corpus: Corpus, key: str) -> str:
    """Why ``key`` names no document (with the key to use when it is a file's name)."""
    reason = "no such document (not in sources.yaml, and no file of the corpus folder has this key)"
    known = {name: k for k, name in corpus.present.items()} | {e.file: e.key for e in corpus.manifest.entries}
    if key in known:
        reason += f"; {key} is a file name, its document key is {known[key]!r}"
    return reason


def remove_documents(keys: Iterable[str], corpus_dir: Path) -> list[Removed]:
    """Remove documents by key: their manifest entries and their files (a file without an
    entry is found by the slug of its stem). An unknown key is refused. All or nothing:
    raises CorpusProblems and changes nothing if any key fails."""
    root = _corpus_root(corpus_dir)
    with corpus_lock(root):
        corpus = scan_corpus(root)
        _editable(corpus, "removing")
        by_key = corpus.manifest.by_key
        accepted = {f.key: f.file_name for f in corpus.files}
        removed, problems = [], []
        for key in dict.fromkeys(keys):
            entry = by_key.get(key)
            file = entry.file if entry else accepted.get(key) or corpus.present.get(key)
            if file is None:
                problems.append(CorpusError(key, None, _unknown_key(corpus, key)))
                continue
            present = file in corpus.names
            mode = os.lstat(root / file).st_mode if present else 0
            if present and not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
                problems.append(CorpusError(file, None, f"{not_regular_reason(mode)}; remove it by hand"))
                continue
            removed.append(Removed(key, file, entry is not None, present))
        if problems:
            raise CorpusProblems(problems)
        listed = {r.file for r in removed if r.listed}
        text = None
        if listed:
            expected = [_entry_values(e) for e in corpus.manifest.entries if e.file not in listed]
            text = _checked_manifest(_remove_entries(corpus.manifest.data.decode("utf-8"), listed), expected)
        _commit(root, text, corpus.manifest.data, {}, [r.file for r in removed if r.had_file])
    return removed
