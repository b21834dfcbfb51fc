"""The document model produced by the corpus parsers (plain frozen dataclasses, no DB).

All ``char_start``/``char_end`` values are Python ``str`` indices into the *stored*
text (the whole decoded file, exactly as returned by :func:`read_source`), half-open.
See docs/document-model.md.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


class CorpusError(Exception):
    """A source file cannot be read or parsed. ``str()`` is ``'file:line: reason'``."""

    def __init__(self, file: str, line: int | None, reason: str):
        self.file = file
        self.line = line
        self.reason = reason
        super().__init__(str(self))

    def __reduce__(self):  # a worker process's error crosses to the run as itself
        return (CorpusError, (self.file, self.line, self.reason))

    def __str__(self) -> str:
        loc = f"{self.file}:{self.line}" if self.line is not None else f"{self.file}"
        return f"{loc}: {self.reason}"


@dataclass(frozen=True)
class Author:
    name: str
    institution: str | None


@dataclass(frozen=True)
class Section:
    key: str
    parent_key: str | None
    kind: str  # front_matter | summary | chapter | heading | issue | article
    title: str
    subtitle: str | None
    country_code: str | None
    authors: tuple[Author, ...]
    char_start: int
    char_end: int
    ordinal: int


@dataclass(frozen=True)
class Passage:
    """One body paragraph.

    ``text == render_segments(stored, segments, separators)``: the stored slices of
    ``segments`` joined by ``separators`` (one separator between two consecutive
    segments; ``' '`` normally, ``''`` when a word hyphenated over a page break was
    re-joined, in which case the segment ends before the hyphen).
    """

    key: str
    section_key: str
    ordinal: int
    char_start: int
    char_end: int
    text: str
    segments: tuple[tuple[int, int], ...]
    separators: tuple[str, ...] = ()


def render_segments(
    stored: str, segments: tuple[tuple[int, int], ...], separators: tuple[str, ...] = ()
) -> str:
    """Rebuild a passage's text from the stored text (the documented join rule)."""
    parts: list[str] = []
    for i, (s, e) in enumerate(segments):
        if i:
            parts.append(separators[i - 1] if i - 1 < len(separators) else " ")
        parts.append(stored[s:e])
    return "".join(parts)


@dataclass(frozen=True)
class Citation:
    section_key: str  # the chapter key ('hu', 'eu', 'summary')
    number: int
    raw_text: str  # == stored[char_start:char_end] (may span a continuation line)
    urls: tuple[str, ...]
    url: str | None
    title: str | None
    outlet: str | None
    published_date: datetime.date | None
    date_precision: str | None  # 'day' | 'month' | 'year' | None
    ibid_of: int | None
    char_start: int
    char_end: int
    variant: int = 0  # >0 only for a number the source lists twice (etl/reference/errata.yaml)


@dataclass(frozen=True)
class CitationMarker:
    """A superscript note marker (``¹``, ``¹⁵``, ``³,⁴``).

    ``passage_key`` is the passage holding the marker; for markers outside passages
    (chapter title line, author by-line, heading, table row) it is the key of the
    enclosing section (the chapter key, or the heading key) and ``location`` says which.
    """

    passage_key: str
    chapter_key: str
    char_start: int
    char_end: int
    numbers: tuple[int, ...]
    unresolved: tuple[int, ...]
    location: str = "passage"  # passage | title | byline | heading | table


@dataclass(frozen=True)
class TableRow:
    table_key: str  # '<chapter>/t<n>'
    section_key: str  # deepest section containing the row
    row_number: int  # 1-based within the table
    cells: tuple[str, ...]
    char_start: int
    char_end: int


@dataclass(frozen=True)
class Removal:
    """A stretch of the stored text that the parser left out of every passage, and why.

    ``rule_id`` names the junk rule (etl/reference/junk_rules.yaml) or the metadata
    step (``metadata-*``, see extract/metadata.py) that removed it; ``reason`` is that
    rule's reason. A whole dropped line is one removal covering the line (without its
    line break); a span cut out of a kept line is one removal covering the span.
    """

    char_start: int
    char_end: int
    rule_id: str
    reason: str


@dataclass(frozen=True)
class MetadataSpan:
    """Where a document metadata value was read: ``field`` is ``title``, ``published``
    or ``publisher``; ``line`` is the 0-based line number; ``rule`` the detection step."""

    field: str
    value: str
    char_start: int
    char_end: int
    line: int
    rule: str


@dataclass(frozen=True)
class ParsedDocument:
    title: str | None
    published: str | None
    kind: str
    sections: tuple[Section, ...] = ()
    passages: tuple[Passage, ...] = ()
    citations: tuple[Citation, ...] = ()
    markers: tuple[CitationMarker, ...] = ()
    table_rows: tuple[TableRow, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    # news intake (extract/news.py): what the text itself says, and what was cut out
    publisher: str | None = None
    published_precision: str | None = None  # 'day' | 'month' | 'year' | None
    metadata_spans: tuple[MetadataSpan, ...] = ()
    removed: tuple[Removal, ...] = ()
