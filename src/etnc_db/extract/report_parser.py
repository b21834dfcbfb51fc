"""Parser for the ETNC report layout (front matter, summary, EU + country chapters).

The contents list anchors the parts: the executive summary, then one chapter per
"Country: subtitle" entry, each with its title block and author by-line. Every line of
a part is classified (paragraph, heading, pull-quote, table row, layout debris,
endnote) and emitted as sections, passages, citations, markers and table rows.

A pure function of its inputs: the known source errors it tolerates come in as
``errata`` (see :mod:`etnc_db.extract.errata`); it reads no errata file itself.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import citations as C
from .authors import fold, parse_byline
from .junk import classify_lines, load_rules
from .lines import Item, PassageBuilder, is_open, line_spans, norm, strip_markers
from .parsed import (
    Author,
    Citation,
    CitationMarker,
    CorpusError,
    ParsedDocument,
    Passage,
    Section,
    TableRow,
)

if TYPE_CHECKING:
    from collections.abc import Collection

    from .errata import EndnoteDuplicate

COUNTRIES = {
    "eu": "EU", "austria": "AT", "belgium": "BE", "bulgaria": "BG", "croatia": "HR",
    "cyprus": "CY", "czechia": "CZ", "czech republic": "CZ", "denmark": "DK", "estonia": "EE",
    "finland": "FI", "france": "FR", "germany": "DE", "greece": "GR", "hungary": "HU",
    "ireland": "IE", "italy": "IT", "latvia": "LV", "lithuania": "LT", "luxembourg": "LU",
    "malta": "MT", "the netherlands": "NL", "netherlands": "NL", "poland": "PL",
    "portugal": "PT", "romania": "RO", "slovakia": "SK", "slovenia": "SI", "spain": "ES",
    "sweden": "SE", "united kingdom": "GB", "uk": "GB", "norway": "NO", "switzerland": "CH",
    "european union": "EU",
}
FRONT_KEY = "front"  # the section key of the front matter (its passages carry no markers)
_NOTE = re.compile(r"^\s*-\s*(\d+)\s*\|\s?")  # an endnote line: '- 12 | text'
_URL_LINE = re.compile(r"<?https?://")  # an endnote continuation line holding a URL
_PUBLISHED = re.compile(
    r"(?m)^\s*(January|February|March|April|May|June|July|August|September|October|November|December) ((?:19|20)\d\d)\s*$"
)
_EDITED_BY = re.compile(r"(?m)^Edited by:\s*(.+)$")
_EDITOR_SEPARATOR = re.compile(r",\s*|\s+and\s+")
_BY_NOT_AUTHOR = re.compile(r"By\s+(?:\d|early|late|mid|the end|and large)")  # 'By 2030, …' is body text
_COLON_HEADING = re.compile(r"^[^:]{2,60}:\s")  # 'Label: …'
# a line ending like this is a paragraph cut by a page break, never a heading
_FRAGMENT_END = re.compile(
    r"(?:[,\-–]|\b(?:which|that|the|a|an|and|or|of|to|in|on|for|with|by|as|at|from|its|their|is|are|was|were|be|has|have|had|this|these|who|whose|while|into|than|but|not)\s*)$"
)


# --- the parse's inputs and outputs ----------------------------------------------------


@dataclass(frozen=True)
class _StoredText:
    """The stored text cut into lines, and which lines the report's junk rules drop."""

    text: str
    file_name: str
    spans: list[tuple[int, int]]  # (start, end) of each line, without the line break
    lines: list[str]
    junk_lines: set[int]

    @classmethod
    def read(cls, text: str, file_name: str) -> _StoredText:
        """Cut ``text`` into lines and apply the junk rules for reports."""
        spans = line_spans(text)
        junk_lines, _cuts = classify_lines(spans, text, load_rules().for_kind("report"))
        return cls(text, file_name, spans, [text[s:e] for s, e in spans], junk_lines)

    def next_nonblank(self, line: int) -> int:
        """The first non-blank line at or after ``line`` (``len(lines)`` when none)."""
        while line < len(self.lines) and not self.lines[line].strip():
            line += 1
        return line

    def char_range(self, start_line: int, end_line: int) -> tuple[int, int]:
        """Character offsets from the start of ``start_line`` to the start of
        ``end_line`` (the end of the text when ``end_line`` is past the last line)."""
        end = self.spans[end_line][0] if end_line < len(self.lines) else len(self.text)
        return self.spans[start_line][0], end


@dataclass
class _Output:
    """Everything the parse emits, in emission order."""

    warnings: list[str]
    sections: list[Section] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    markers: list[CitationMarker] = field(default_factory=list)
    table_rows: list[TableRow] = field(default_factory=list)

    def document(self, title: str | None, published: str | None) -> ParsedDocument:
        """The emitted pieces as a report :class:`ParsedDocument`."""
        return ParsedDocument(
            title=title, published=published, kind="report",
            sections=tuple(self.sections), passages=tuple(self.passages), citations=tuple(self.citations),
            markers=tuple(self.markers), table_rows=tuple(self.table_rows), warnings=tuple(self.warnings),
        )


class _Title(NamedTuple):
    """The document title and the line it is read from."""

    text: str | None  # the title passed in, else the first non-blank line
    line: int  # the first non-blank line: never a passage, even when a title was passed


class _Contents(NamedTuple):
    """The report's 'Contents' list."""

    line: int  # the 'Contents' line
    entries: list[str]  # each entry's text (before the tab and page number)
    end: int  # the first line after the list


class _AuthorList(NamedTuple):
    """The report's 'List of authors' ('Name, Institution' lines), by folded name."""

    line: int  # the 'List of authors' line, or the end of the contents when there is none
    names: dict[str, str]  # folded name -> name as written
    institutions: dict[str, str]  # folded name -> institution


class _ChapterEntry(NamedTuple):
    """A contents entry that names a chapter: 'Country: subtitle'."""

    title: str  # the whole entry
    country: str
    subtitle: str
    code: str  # ISO2 (or 'EU')


@dataclass
class _Part:
    """The executive summary or one chapter, by line numbers of the stored text."""

    key: str  # 'summary' or the lower-case country code
    kind: str  # 'summary' | 'chapter'
    title: str
    subtitle: str | None
    country: str | None
    start_line: int
    body_line: int  # first line after the title block / by-line
    end_line: int = 0  # the next part's start_line (or the number of lines)
    authors: tuple[Author, ...] = ()
    skip_lines: set[int] = field(default_factory=set)  # title block and by-line
    byline_lines: list[int] = field(default_factory=list)
    title_line: int | None = None
    debris: set[str] = field(default_factory=set)  # normalised title-block lines


@dataclass
class _Endnote:
    """One '- N | …' endnote: its number, first line and character span (which grows
    with its continuation lines)."""

    number: int
    line: int
    start: int
    end: int


# --- the parser --------------------------------------------------------------------------


def parse_report(
    text: str, *, file_name: str, title: str | None = None,
    errata: Collection[EndnoteDuplicate] = frozenset(),
) -> ParsedDocument:
    """Parse the stored text of an ETNC report into a :class:`ParsedDocument`.

    ``title`` overrides the title read from the first line. ``errata`` are the known
    source errors to tolerate (``(file, chapter, number)`` of an endnote number listed
    twice; see :func:`etnc_db.extract.errata.load_errata`); the default tolerates none.
    Raises :class:`CorpusError` when the contents list or executive summary is missing,
    a chapter appears twice, or a chapter's endnote numbers repeat or decrease.
    """
    src = _StoredText.read(text, file_name)
    warnings: list[str] = []
    doc_title = _document_title(src, title)
    contents = _contents(src)
    authors = _author_list(src, contents.end)
    summary = _summary_part(src, authors)
    parts = [summary, *_chapter_parts(src, contents, summary, authors, warnings)]
    _order_parts(parts, src)
    out = _Output(warnings)
    _emit_front_matter(src, parts[0].start_line, doc_title, summary.authors, out)
    _emit_parts(src, parts, _all_debris(parts), _endnote_duplicates(file_name, errata), out)
    return out.document(doc_title.text, _publication_month(src.lines, contents.line))


# --- front matter: title, contents, date, authors --------------------------------------


def _document_title(src: _StoredText, title: str | None) -> _Title:
    """``title`` if given, else the first non-blank line; and that line's number."""
    first = src.next_nonblank(0)
    if title is None and first < len(src.lines):
        title = src.lines[first].strip()
    return _Title(title, first)


def _contents(src: _StoredText) -> _Contents:
    """The first 'Contents' line and the tab-separated entries that follow it."""
    lines = src.lines
    start = next((i for i, line in enumerate(lines) if line.strip() == "Contents"), None)
    if start is None:
        raise CorpusError(src.file_name, None, "report has no 'Contents' list")
    entries: list[str] = []
    i = start + 1
    while i < len(lines) and (not lines[i].strip() or "\t" in lines[i]):
        if "\t" in lines[i]:
            entries.append(lines[i].split("\t")[0].strip())
        i += 1
    return _Contents(start, entries, i)


def _publication_month(lines: list[str], contents_line: int) -> str | None:
    """'YYYY-MM' from a 'Month YYYY' line before the contents, else None."""
    m = _PUBLISHED.search("\n".join(lines[:contents_line]))
    if not m:
        return None
    return f"{m.group(2)}-{C._MONTHS[m.group(1).lower()]:02d}"


def _author_list(src: _StoredText, start: int) -> _AuthorList:
    """The 'List of authors' after line ``start`` (up to 200 lines, until 'Executive
    Summary'); empty, and placed at ``start``, when the report has none."""
    lines = src.lines
    heading = next((i for i in range(start, len(lines)) if lines[i].strip() == "List of authors"), None)
    if heading is None:
        return _AuthorList(start, {}, {})
    names: dict[str, str] = {}
    institutions: dict[str, str] = {}
    for j in range(heading + 1, min(len(lines), heading + 200)):
        line = lines[j].strip()
        if line == "Executive Summary":
            break
        if "," in line:
            name, institution = line.split(",", 1)
            names[fold(name)] = name.strip()
            institutions[fold(name)] = institution.strip()
    return _AuthorList(heading, names, institutions)


def _summary_part(src: _StoredText, authors: _AuthorList) -> _Part:
    """The executive summary (the first 'Executive Summary' line after the author list);
    its authors are the report's editors."""
    lines = src.lines
    start = next((i for i in range(authors.line, len(lines)) if lines[i].strip() == "Executive Summary"), None)
    if start is None:
        raise CorpusError(src.file_name, None, "report has no 'Executive Summary'")
    editors = _editors(src.text, authors.institutions)
    return _Part("summary", "summary", "Executive Summary", None, None, start, start + 1, authors=editors)


def _editors(text: str, institutions: dict[str, str]) -> tuple[Author, ...]:
    """The names of the 'Edited by:' line, with their institutions from the author list."""
    m = _EDITED_BY.search(text)
    if not m:
        return ()
    names = _EDITOR_SEPARATOR.split(m.group(1).strip())
    return tuple(Author(name.strip(), institutions.get(fold(name))) for name in names if name.strip())


# --- chapters ----------------------------------------------------------------------------


def _chapter_parts(
    src: _StoredText, contents: _Contents, summary: _Part, authors: _AuthorList, warnings: list[str]
) -> list[_Part]:
    """One part per chapter entry of the contents, found at the first line after the
    summary that reads as the entry; entries not found are skipped with a warning."""
    lines_by_text = _normalised_line_index(src.lines, contents.end)
    parts: list[_Part] = []
    for text in contents.entries:
        entry = _chapter_entry(text, warnings)
        if entry is None:
            continue
        found = (i for i in lines_by_text.get(norm(entry.title), []) if i > summary.start_line)
        title_line = next(found, None)
        if title_line is None:
            warnings.append(f"chapter {entry.title!r} listed in contents not found in text")
            continue
        part = _chapter_part(src, entry, title_line, summary.start_line)
        _attach_byline(src, part, authors.names, warnings)
        parts.append(part)
    return parts


def _normalised_line_index(lines: list[str], start: int) -> dict[str, list[int]]:
    """Normalised line text -> the numbers of the lines from ``start`` on that read so."""
    index: dict[str, list[int]] = {}
    for i in range(start, len(lines)):
        key = norm(lines[i])
        if key:
            index.setdefault(key, []).append(i)
    return index


def _chapter_entry(text: str, warnings: list[str]) -> _ChapterEntry | None:
    """The chapter a contents entry names ('Country: subtitle'), or None for an entry
    without a colon or (with a warning) for an unknown country."""
    if ":" not in text:
        return None
    country, subtitle = (x.strip() for x in text.split(":", 1))
    code = COUNTRIES.get(country.lower())
    if code is None:
        warnings.append(f"contents entry {text!r}: unknown country, skipped")
        return None
    return _ChapterEntry(text, country, subtitle, code)


def _chapter_part(src: _StoredText, entry: _ChapterEntry, title_line: int, summary_line: int) -> _Part:
    """The chapter whose title is on ``title_line``: it starts at its title block (the
    country-name line above the title, if any); the block's lines are skipped."""
    start = _title_block_start(src.lines, entry.country, title_line, summary_line)
    part = _Part(entry.code.lower(), "chapter", entry.title, entry.subtitle, entry.code, start, title_line + 1,
                 title_line=title_line)
    part.skip_lines.update(j for j in range(start, title_line) if src.lines[j].strip())
    part.debris = _title_debris(src.lines, entry, start, title_line)
    return part


def _title_block_start(lines: list[str], country: str, title_line: int, summary_line: int) -> int:
    """The country-name line within 15 lines above the title (not past the summary or
    an endnote), else the title line itself."""
    names = {country.lower(), re.sub(r"^the ", "", country.lower())}
    for j in range(title_line - 1, max(summary_line, title_line - 16), -1):
        if lines[j].strip().lower() in names:
            return j
        if _NOTE.match(lines[j]):
            break
    return title_line


def _title_debris(lines: list[str], entry: _ChapterEntry, start: int, title_line: int) -> set[str]:
    """Normalised forms of a chapter's title block (entry, subtitle, country, each block
    line and the block joined): repeated on later pages, they are layout debris."""
    block = range(start, title_line)
    debris = {norm(entry.title), norm(entry.subtitle), norm(entry.country)}
    debris.update(norm(lines[j]) for j in block if lines[j].strip())
    # bold title block may be split over lines: also record it joined
    debris.add(norm(" ".join(lines[j].strip() for j in block if lines[j].strip().replace("*", ""))))
    return debris


def _attach_byline(src: _StoredText, part: _Part, known_names: dict[str, str], warnings: list[str]) -> None:
    """Give the chapter the authors of the by-line after its title (the body then starts
    after the by-line); warn when the next line is not a by-line."""
    first = src.next_nonblank(part.body_line)  # body_line is still the line after the title
    if first >= len(src.lines):
        return
    byline = _byline_at(src.lines, first)
    if not byline:
        warnings.append(f"{part.key}: no author line after the chapter title")
        return
    part.byline_lines = byline
    part.skip_lines.update(byline)
    part.authors = parse_byline(" ".join(src.lines[k].strip() for k in byline), known_names)
    part.body_line = byline[-1] + 1


def _byline_at(lines: list[str], first: int) -> list[int]:
    """The lines of a by-line starting at ``first``: 'By …' / '**By …**' (bold may run
    over several lines), or a short 'Name, Institution' line with no final full stop;
    empty when the line is none of these."""
    line = lines[first].strip()
    if line.startswith("**By ") or (line.startswith("By ") and not _BY_NOT_AUTHOR.match(line)):
        if line.startswith("**") and not line.endswith("**"):
            return _bold_block(lines, first)
        return [first]
    if len(line) < 250 and "," in line and not line.endswith("."):
        return [first]
    return []


def _bold_block(lines: list[str], first: int) -> list[int]:
    """A bold text opened on line ``first``: up to the line ending in '**', at most 6
    lines, stopping at a blank line."""
    block = [first]
    for k in range(first + 1, min(len(lines), first + 6)):
        if not lines[k].strip():
            break
        block.append(k)
        if lines[k].strip().endswith("**"):
            break
    return block


def _order_parts(parts: list[_Part], src: _StoredText) -> None:
    """Sort the parts by position and end each where the next starts; a chapter key
    found twice is an error."""
    parts.sort(key=lambda p: p.start_line)
    for part, following in zip(parts, parts[1:], strict=False):
        part.end_line = following.start_line
    parts[-1].end_line = len(src.lines)
    seen: set[str] = set()
    for part in parts:
        if part.key in seen:
            raise CorpusError(src.file_name, part.start_line + 1, f"chapter {part.key!r} appears twice")
        seen.add(part.key)


def _all_debris(parts: list[_Part]) -> set[str]:
    """The title-block debris of every part (a chapter repeats others' titles too)."""
    debris: set[str] = set()
    for part in parts:
        debris |= part.debris
    debris.discard("")
    return debris


def _endnote_duplicates(file_name: str, errata: Collection[EndnoteDuplicate]) -> frozenset[tuple[str, int]]:
    """(chapter, number) of the endnote numbers that ``errata`` allow twice in this file
    (matched by the file's base name)."""
    name = Path(file_name).name
    return frozenset((chapter, number) for file, chapter, number in errata if file == name)


# --- emitting the parts -------------------------------------------------------------------


def _emit_front_matter(src: _StoredText, end_line: int, title: _Title, editors: tuple[Author, ...], out: _Output) -> None:
    """The front matter (everything before the first part) as a section; its lines,
    except the title line and junk, are passages or (with a tab) table rows."""
    start, end = 0, src.spans[end_line][0]
    section = Section(FRONT_KEY, None, "front_matter", title.text or "", None, None, editors, start, end, 0)
    out.sections.append(section)
    items = [
        Item("table" if "\t" in src.lines[i] else "para", i)
        for i in range(end_line)
        if src.lines[i].strip() and i not in src.junk_lines and i != title.line
    ]
    markers = _MarkerCollector(src.text, FRONT_KEY, set(), out)
    _PartEmitter(src, section, markers, out).emit(items)


def _emit_parts(
    src: _StoredText, parts: list[_Part], debris: set[str], endnote_duplicates: frozenset[tuple[str, int]], out: _Output
) -> None:
    """Each part in order: its section, citations, title and by-line markers, then its
    passages, headings, table rows and their markers."""
    for ordinal, part in enumerate(parts, start=1):
        start, end = src.char_range(part.start_line, part.end_line)
        section = Section(part.key, None, part.kind, part.title, part.subtitle, part.country, part.authors,
                          start, end, ordinal)
        out.sections.append(section)
        items, notes = _classify_part_lines(src, part, debris)
        _classify_shorts(items, src.lines)
        numbers = _emit_citations(src, part.key, notes, endnote_duplicates, out)
        markers = _MarkerCollector(src.text, part.key, numbers, out)
        title_lines = [(part.title_line, "title")] if part.title_line is not None else []
        for line, location in title_lines + [(k, "byline") for k in part.byline_lines]:
            markers.collect(*src.spans[line], part.key, location)
        _PartEmitter(src, section, markers, out).emit(items)


def _classify_part_lines(src: _StoredText, part: _Part, debris: set[str]) -> tuple[list[Item], list[_Endnote]]:
    """Classify the body lines of a part (an 'Endnotes' line starts the note list, which
    runs while lines are notes or their continuations); return the items and the notes."""
    items: list[Item] = []
    notes: list[_Endnote] = []
    in_endnotes = False
    after_blank = True
    for i in range(part.body_line, part.end_line):
        stripped = src.lines[i].strip()
        if not stripped:
            after_blank = True
            continue
        if in_endnotes:
            if _read_endnote_line(src, i, part.end_line, notes, after_blank):
                after_blank = False
                continue
            in_endnotes = False
        after_blank = False
        if stripped == "Endnotes":
            in_endnotes = True
            items.append(Item("endnotes", i))
        else:
            items.append(Item(_body_line_kind(src, i, part, debris), i))
    return items, notes


def _read_endnote_line(src: _StoredText, i: int, end_line: int, notes: list[_Endnote], after_blank: bool) -> bool:
    """Inside an Endnotes list: start a note at a '- N | …' line, or extend the last
    note by line ``i`` when it continues it (no blank line before it, a note follows it,
    or it is a URL). False when the line ends the list."""
    line = src.lines[i]
    m = _NOTE.match(line)
    if m:
        notes.append(_Endnote(int(m.group(1)), i, src.spans[i][0] + m.end(), src.spans[i][1]))
        return True
    if notes and (not after_blank or _note_follows(src.lines, i + 1, end_line) or _URL_LINE.match(line.strip())):
        notes[-1].end = src.spans[i][1]
        return True
    return False


def _note_follows(lines: list[str], start: int, end_line: int) -> bool:
    """True when the first non-blank line from ``start`` (before ``end_line``) is an endnote."""
    while start < end_line and not lines[start].strip():
        start += 1
    return start < end_line and _NOTE.match(lines[start]) is not None


def _body_line_kind(src: _StoredText, i: int, part: _Part, debris: set[str]) -> str:
    """What a non-blank body line is: 'junk' (dropped, title block, by-line, repeated
    title, bold title fragment), 'table', 'short' (may be a heading) or 'para'."""
    line = src.lines[i]
    stripped = line.strip()
    if i in src.junk_lines or i in part.skip_lines:
        return "junk"
    if norm(line) in debris or (stripped.startswith("**") and norm(stripped.replace("*", "")) in debris):
        return "junk"
    if "\t" in line:
        return "table"
    if stripped.startswith("**") and not stripped.endswith("**") and len(stripped) < 60:
        return "junk"  # a bold title fragment of a repeated title block
    if (len(stripped) <= 250 and is_open(stripped) and not stripped[0].islower()
            and not _FRAGMENT_END.search(stripped)):
        return "short"
    return "para"


def _emit_citations(
    src: _StoredText, chapter_key: str, notes: list[_Endnote], endnote_duplicates: frozenset[tuple[str, int]],
    out: _Output,
) -> set[int]:
    """One citation per endnote of the part (after checking the numbering); return the
    endnote numbers, which the part's markers must point at."""
    variants = _endnote_variants(notes, chapter_key, src.file_name, endnote_duplicates, out.warnings)
    earlier: list[tuple[int, str]] = []  # (number, raw text) of the part's previous notes
    for note, variant in zip(notes, variants, strict=True):
        start, end = note.start, note.end
        while end > start and src.text[end - 1].isspace():
            end -= 1
        raw = src.text[start:end]
        urls = C.extract_urls(raw)
        published, precision = C.parse_date(raw)
        title, outlet = C.title_outlet(raw)
        ibid_of = C.ibid_target(raw, note.number, earlier)
        out.citations.append(Citation(chapter_key, note.number, raw, urls, urls[0] if urls else None, title, outlet,
                                      published, precision, ibid_of, start, end, variant))
        earlier.append((note.number, raw))
    return {note.number for note in notes}


def _endnote_variants(
    notes: list[_Endnote], chapter_key: str, file_name: str, endnote_duplicates: frozenset[tuple[str, int]],
    warnings: list[str],
) -> list[int]:
    """Each note's variant (0; 1, 2, … for a number repeated right after itself that the
    errata allow). A number that otherwise repeats or decreases is an error; a gap in the
    numbering and a tolerated repeat are warnings."""
    variants: list[int] = []
    seen: Counter[int] = Counter()
    previous = 0
    for note in notes:
        variant = 0
        if note.number == previous and (chapter_key, note.number) in endnote_duplicates:
            variant = seen[note.number]
            warnings.append(
                f"{chapter_key}: endnote {note.number} is numbered twice in the source (line {note.line + 1}); "
                f"kept as variant {variant} (known erratum)"
            )
        elif note.number <= previous:
            raise CorpusError(
                file_name, note.line + 1,
                f"{chapter_key}: endnote {note.number} follows endnote {previous} (duplicate or decreasing numbering)",
            )
        if note.number > previous + 1:
            warnings.append(f"{chapter_key}: endnotes jump from {previous} to {note.number} (line {note.line + 1})")
        previous = note.number
        seen[note.number] += 1
        variants.append(variant)
    return variants


@dataclass
class _MarkerCollector:
    """Records the note markers found in a part against the part's endnote numbers
    (a number with no endnote is unresolved and warned about)."""

    text: str
    chapter_key: str
    endnote_numbers: set[int]
    out: _Output

    def collect(self, start: int, end: int, passage_key: str, location: str) -> None:
        """Record every marker in ``text[start:end]`` as held by ``passage_key``."""
        for marker_start, marker_end, numbers in C.find_markers(self.text, start, end):
            unresolved = tuple(x for x in numbers if x not in self.endnote_numbers)
            for x in unresolved:
                self.out.warnings.append(f"{self.chapter_key}: marker {x} at char {marker_start} points at no endnote")
            self.out.markers.append(
                CitationMarker(passage_key, self.chapter_key, marker_start, marker_end, tuple(numbers), unresolved,
                               location)
            )


class _PartEmitter:
    """Turns one part's classified lines into passages, heading sections, table rows
    and their markers (headings are flat child sections of the part)."""

    def __init__(self, src: _StoredText, section: Section, markers: _MarkerCollector, out: _Output):
        """Start emitting the part whose (already emitted) section is ``section``."""
        self.src, self.section, self.markers, self.out = src, section, markers, out
        self.builder = PassageBuilder(src.text, section.key)
        self.current = section.key  # the deepest open section: the part or its last heading
        self.heading_count = 0
        self.table_count = 0
        self.row_count = 0
        self.in_table = False
        self.open_heading: int | None = None  # index in out.sections of the last heading

    def emit(self, items: list[Item]) -> None:
        """Emit the items in order, then the passages they make up."""
        for item in items:
            start, end = self.src.spans[item.line]
            if item.kind in ("junk", "pullquote"):
                self.builder.transparent()
                continue
            if item.kind == "table":
                self._table_row(start, end)
                continue
            self.in_table = False
            if item.kind == "endnotes":
                self._endnotes(start)
            elif item.kind == "heading":
                self._heading(start, end)
            else:  # a paragraph line
                self.builder.add_line(start, end, self.current)
        self._passages()

    def _table_row(self, start: int, end: int) -> None:
        """A tab-separated line: a row of the current table (consecutive rows make one)."""
        self.builder.flush()
        if not self.in_table:
            self.table_count += 1
            self.row_count = 0
            self.in_table = True
        self.row_count += 1
        cells = tuple(c.strip() for c in self.src.text[start:end].rstrip("\r").split("\t"))
        while cells and not cells[-1]:
            cells = cells[:-1]
        table_key = f"{self.section.key}/t{self.table_count}"
        self.out.table_rows.append(TableRow(table_key, self.current, self.row_count, cells, start, end))
        self.markers.collect(start, end, self.current, "table")

    def _endnotes(self, start: int) -> None:
        """The 'Endnotes' line: it ends the open heading; what follows belongs to the part."""
        self.builder.flush()
        self._close_heading(start)
        self.open_heading = None
        self.current = self.section.key

    def _heading(self, start: int, end: int) -> None:
        """A heading line: a new child section of the part, open until the next heading,
        the Endnotes line or the end of the part."""
        self.builder.heading()
        self.heading_count += 1
        key = f"{self.section.key}/{self.heading_count}"
        self._close_heading(start)
        line = self.src.text[start:end]
        title = C.MARKER_RE.sub("", line.strip()).strip()
        self.out.sections.append(Section(key, self.section.key, "heading", title, None, self.section.country_code, (),
                                         start + (len(line) - len(line.lstrip())), self.section.char_end,
                                         self.heading_count))
        self.open_heading = len(self.out.sections) - 1
        self.current = key
        self.markers.collect(start, end, key, "heading")

    def _close_heading(self, end: int) -> None:
        """End the open heading section (if any) at ``end``."""
        if self.open_heading is not None:
            heading = self.out.sections[self.open_heading]
            self.out.sections[self.open_heading] = replace(heading, char_end=end)

    def _passages(self) -> None:
        """Emit the part's passages and (outside the front matter) their markers."""
        self.builder.flush()
        for passage in self.builder.passages:
            self.out.passages.append(passage)
            if self.section.key != FRONT_KEY:
                for seg_start, seg_end in passage.segments:
                    self.markers.collect(seg_start, seg_end, passage.key, "passage")


# --- heading or pull-quote ----------------------------------------------------------------


def _bigrams(s: str) -> set[tuple[str, str]]:
    """The word bigrams of a line (markers removed, lower case)."""
    w = re.findall(r"\w+", strip_markers(s).lower())
    return set(zip(w, w[1:], strict=False))


def _classify_shorts(items: list[Item], lines: list[str]) -> None:
    """Decide heading vs pull-quote for short unpunctuated lines (a pull-quote repeats
    words of a paragraph in the same part; a heading does not), then mark short
    full-sentence paragraphs that repeat another paragraph as pull-quotes."""
    paras = [(k, _bigrams(lines[it.line])) for k, it in enumerate(items) if it.kind == "para"]
    _classify_short_lines(items, lines, paras)
    _find_sentence_pullquotes(items, lines, paras)


def _classify_short_lines(items: list[Item], lines: list[str], paras: list[tuple[int, set]]) -> None:
    """Each 'short' item becomes 'pullquote' (its bigrams recur in a paragraph, or it
    interrupts a sentence and partly recurs), 'heading', or 'junk' (no words)."""
    for k, it in enumerate(items):
        if it.kind != "short":
            continue
        bg = _bigrams(lines[it.line])
        if not bg:
            it.kind = "junk"
            continue
        best = max((len(bg & pb) / len(bg) for _, pb in paras), default=0.0)
        colon_heading = bool(_COLON_HEADING.match(lines[it.line].strip()))
        threshold = 0.85 if colon_heading else 0.5
        if best >= threshold or (_interrupts_sentence(items, k, lines) and best >= 0.3):
            it.kind = "pullquote"
        else:
            it.kind = "heading"


def _interrupts_sentence(items: list[Item], k: int, lines: list[str]) -> bool:
    """True when item ``k`` sits inside a sentence: the paragraph before it (junk
    aside) is open and the paragraph after it starts lowercase."""
    prev = next((items[j] for j in range(k - 1, -1, -1) if items[j].kind != "junk"), None)
    following = next((items[j] for j in range(k + 1, len(items)) if items[j].kind != "junk"), None)
    return (
        prev is not None and prev.kind == "para" and is_open(lines[prev.line].strip())
        and following is not None and following.kind == "para" and lines[following.line].strip()[:1].islower()
    )


def _find_sentence_pullquotes(items: list[Item], lines: list[str], paras: list[tuple[int, set]]) -> None:
    """Full-sentence pull-quotes: a short punctuated paragraph (at least 5 bigrams) whose
    bigrams nearly all (90%) recur in another paragraph becomes 'pullquote'."""
    for k, it in enumerate(items):
        if it.kind == "para" and len(lines[it.line].strip()) <= 250:
            bg = _bigrams(lines[it.line])
            if len(bg) >= 5 and any(kk != k and len(bg & pb) / len(bg) >= 0.9 for kk, pb in paras):
                it.kind = "pullquote"
