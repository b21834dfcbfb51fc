"""Parser for the ETNC report layout (front matter, summary, EU + country chapters)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from . import citations as C
from .authors import fold, parse_byline
from .junk import classify_lines, load_rules
from .lines import Item, PassageBuilder, is_open, line_spans, norm, strip_markers
from .model import (
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
_NOTE = re.compile(r"^\s*-\s*(\d+)\s*\|\s?")
# a line ending like this is a paragraph cut by a page break, never a heading
_FRAGMENT_END = re.compile(
    r"(?:[,\-–]|\b(?:which|that|the|a|an|and|or|of|to|in|on|for|with|by|as|at|from|its|their|is|are|was|were|be|has|have|had|this|these|who|whose|while|into|than|but|not)\s*)$"
)


@dataclass
class _Part:
    key: str
    kind: str
    title: str
    subtitle: str | None
    country: str | None
    start_line: int
    body_line: int  # first line after the title block / by-line
    end_line: int = 0
    authors: tuple[Author, ...] = ()
    skip_lines: set[int] = field(default_factory=set)
    byline_lines: list[int] = field(default_factory=list)
    title_line: int | None = None
    debris: set[str] = field(default_factory=set)  # normalised title-block lines


def _bigrams(s: str) -> set[tuple[str, str]]:
    w = re.findall(r"\w+", strip_markers(s).lower())
    return set(zip(w, w[1:], strict=False))


def parse_report(
    text: str, *, file_name: str, title: str | None = None,
    errata: Collection[EndnoteDuplicate] = frozenset(),
) -> ParsedDocument:
    spans = line_spans(text)
    lines = [text[s:e] for s, e in spans]
    n = len(lines)
    warnings: list[str] = []
    rules = load_rules().for_kind("report")
    dropped, _cuts = classify_lines(spans, text, rules)

    def nxt(i: int) -> int:
        while i < n and not lines[i].strip():
            i += 1
        return i

    # --- report title and contents ---------------------------------------------
    doc_title = title
    first = nxt(0)
    if doc_title is None and first < n:
        doc_title = lines[first].strip()
    try:
        toc_i = next(i for i in range(n) if lines[i].strip() == "Contents")
    except StopIteration as exc:
        raise CorpusError(file_name, None, "report has no 'Contents' list") from exc
    toc: list[tuple[str, int]] = []
    i = toc_i + 1
    while i < n and (not lines[i].strip() or "\t" in lines[i]):
        if "\t" in lines[i]:
            toc.append((lines[i].split("\t")[0].strip(), i))
        i += 1
    toc_end = i
    published = None
    m = re.search(r"(?m)^\s*(January|February|March|April|May|June|July|August|September|October|November|December) ((?:19|20)\d\d)\s*$", "\n".join(lines[:toc_i]))
    if m:
        published = f"{m.group(2)}-{C._MONTHS[m.group(1).lower()]:02d}"

    # list of authors -> known names
    known: dict[str, str] = {}
    known_inst: dict[str, str] = {}
    try:
        la = next(i for i in range(toc_end, n) if lines[i].strip() == "List of authors")
        for j in range(la + 1, min(n, la + 200)):
            ln = lines[j].strip()
            if ln == "Executive Summary":
                break
            if "," in ln:
                name, inst = ln.split(",", 1)
                known[fold(name)] = name.strip()
                known_inst[fold(name)] = inst.strip()
    except StopIteration:
        la = toc_end

    norm_index: dict[str, list[int]] = {}
    for i in range(toc_end, n):
        k = norm(lines[i])
        if k:
            norm_index.setdefault(k, []).append(i)

    parts: list[_Part] = []
    # executive summary
    sum_i = next((i for i in range(la, n) if lines[i].strip() == "Executive Summary"), None)
    if sum_i is None:
        raise CorpusError(file_name, None, "report has no 'Executive Summary'")
    editors: tuple[Author, ...] = ()
    me = re.search(r"(?m)^Edited by:\s*(.+)$", text)
    if me:
        editors = tuple(
            Author(nm.strip(), known_inst.get(fold(nm)))
            for nm in re.split(r",\s*|\s+and\s+", me.group(1).strip()) if nm.strip()
        )
    parts.append(_Part("summary", "summary", "Executive Summary", None, None, sum_i, sum_i + 1, authors=editors))

    for entry, _toc_line in toc:
        if ":" not in entry:
            continue
        country, subtitle = (x.strip() for x in entry.split(":", 1))
        code = COUNTRIES.get(country.lower())
        if code is None:
            warnings.append(f"contents entry {entry!r}: unknown country, skipped")
            continue
        cands = [i for i in norm_index.get(norm(entry), []) if i > sum_i]
        if not cands:
            warnings.append(f"chapter {entry!r} listed in contents not found in text")
            continue
        ti = cands[0]
        start = ti
        names = {country.lower(), re.sub(r"^the ", "", country.lower())}
        for j in range(ti - 1, max(sum_i, ti - 16), -1):
            if lines[j].strip().lower() in names:
                start = j
                break
            if _NOTE.match(lines[j]):
                break
        p = _Part(code.lower(), "chapter", entry, None, code, start, ti + 1, title_line=ti)
        p.title = entry
        p.subtitle = subtitle
        p.debris = {norm(entry), norm(subtitle), norm(country)}
        for j in range(start, ti):
            if lines[j].strip():
                p.skip_lines.add(j)
                p.debris.add(norm(lines[j]))
        # bold title block may be split over lines: also record it joined
        bold = " ".join(lines[j].strip() for j in range(start, ti) if lines[j].strip().replace("*", ""))
        p.debris.add(norm(bold))
        # by-line
        b = nxt(ti + 1)
        if b < n:
            ln = lines[b].strip()
            by = None
            if ln.startswith("**By ") or (ln.startswith("By ") and not re.match(r"By\s+(?:\d|early|late|mid|the end|and large)", ln)):
                by = [b]
                if ln.startswith("**") and not ln.endswith("**"):
                    k = b + 1
                    while k < n and lines[k].strip() and k < b + 6:
                        by.append(k)
                        if lines[k].strip().endswith("**"):
                            break
                        k += 1
            elif len(ln) < 250 and "," in ln and not ln.endswith("."):
                by = [b]
            if by:
                p.byline_lines = by
                p.skip_lines.update(by)
                p.authors = parse_byline(" ".join(lines[k].strip() for k in by), known)
                p.body_line = by[-1] + 1
            else:
                warnings.append(f"{p.key}: no author line after the chapter title")
        parts.append(p)

    # order and ends
    parts.sort(key=lambda p: p.start_line)
    for a, b in zip(parts, parts[1:], strict=False):
        a.end_line = b.start_line
    parts[-1].end_line = n
    seen_keys: set[str] = set()
    for p in parts:
        if p.key in seen_keys:
            raise CorpusError(file_name, p.start_line + 1, f"chapter {p.key!r} appears twice")
        seen_keys.add(p.key)

    all_debris: set[str] = set()
    for p in parts:
        all_debris |= p.debris
    all_debris.discard("")

    out = _Output(warnings)
    src = _Lines(text, spans)
    front_end = spans[parts[0].start_line][0]
    front = Section(FRONT_KEY, None, "front_matter", doc_title or "", None, None, editors, 0, front_end, 0)
    out.sections.append(front)
    # front matter: passages for its paragraphs, contents as a table
    front_items = []
    for i in range(parts[0].start_line):
        if not lines[i].strip() or i in dropped or i == first:
            continue
        front_items.append(Item("table" if "\t" in lines[i] else "para", i))
    _PartEmitter(src, front, _MarkerCollector(text, FRONT_KEY, set(), out), out).emit(front_items)

    for ordinal, p in enumerate(parts, start=1):
        cs, ce = spans[p.start_line][0], (spans[p.end_line][0] if p.end_line < n else len(text))
        sec = Section(p.key, None, p.kind, p.title, p.subtitle, p.country, p.authors, cs, ce, ordinal)
        out.sections.append(sec)
        items: list[Item] = []
        notes: list[tuple[int, int, int, int]] = []  # (number, line, start, end)
        mode = "body"
        prev_blank = True
        for i in range(p.body_line, p.end_line):
            ln = lines[i]
            st = ln.strip()
            if not st:
                prev_blank = True
                continue
            if mode == "notes":
                mm = _NOTE.match(ln)
                if mm:
                    notes.append([int(mm.group(1)), i, spans[i][0] + mm.end(), spans[i][1]])  # type: ignore[arg-type]
                    prev_blank = False
                    continue
                la = i + 1
                while la < p.end_line and not lines[la].strip():
                    la += 1
                follows_note = la < p.end_line and _NOTE.match(lines[la]) is not None
                if notes and (not prev_blank or follows_note or re.match(r"<?https?://", st)):
                    notes[-1][3] = spans[i][1]  # type: ignore[index]
                    prev_blank = False
                    continue
                mode = "body"
            prev_blank = False
            if st == "Endnotes":
                mode = "notes"
                items.append(Item("endnotes", i))
                continue
            if i in dropped or i in p.skip_lines:
                items.append(Item("junk", i))
                continue
            nl = norm(ln)
            if nl in all_debris or (st.startswith("**") and norm(st.replace("*", "")) in all_debris):
                items.append(Item("junk", i))
                continue
            if "\t" in ln:
                items.append(Item("table", i))
                continue
            if st.startswith("**") and not st.endswith("**") and len(st) < 60:
                # a bold title fragment of a repeated title block
                items.append(Item("junk", i))
                continue
            if len(st) <= 250 and is_open(st) and not st[0].islower() and not _FRAGMENT_END.search(st):
                items.append(Item("short", i))
            else:
                items.append(Item("para", i))
        _classify_shorts(items, lines)
        # citations
        prev_num = 0
        earlier: list[tuple[int, str]] = []
        numbers: set[int] = set()
        for num, li, s, e in notes:
            while e > s and text[e - 1].isspace():
                e -= 1
            variant = 0
            if num == prev_num and (Path(file_name).name, p.key, num) in errata:
                variant = sum(1 for c in out.citations if c.section_key == p.key and c.number == num)
                warnings.append(
                    f"{p.key}: endnote {num} is numbered twice in the source (line {li + 1}); "
                    f"kept as variant {variant} (known erratum)"
                )
            elif num <= prev_num:
                raise CorpusError(
                    file_name, li + 1,
                    f"{p.key}: endnote {num} follows endnote {prev_num} (duplicate or decreasing numbering)",
                )
            if num > prev_num + 1:
                warnings.append(f"{p.key}: endnotes jump from {prev_num} to {num} (line {li + 1})")
            prev_num = num
            raw = text[s:e]
            urls = C.extract_urls(raw)
            d, prec = C.parse_date(raw)
            t, o = C.title_outlet(raw)
            ib = C.ibid_target(raw, num, earlier)
            out.citations.append(Citation(p.key, num, raw, urls, urls[0] if urls else None, t, o, d, prec, ib, s, e, variant))
            earlier.append((num, raw))
            numbers.add(num)
        # title line and by-line markers
        extra = []
        if p.title_line is not None:
            extra.append((p.title_line, "title"))
        extra += [(k, "byline") for k in p.byline_lines]
        markers = _MarkerCollector(text, p.key, numbers, out)
        for li, loc in extra:
            markers.collect(spans[li][0], spans[li][1], p.key, loc)
        _PartEmitter(src, sec, markers, out).emit(items)

    return out.document(doc_title, published)


def _classify_shorts(items: list[Item], lines: list[str]) -> None:
    """Decide heading vs pull-quote for short unpunctuated lines (a pull-quote repeats
    words of a paragraph in the same part; a heading does not)."""
    paras = [(k, _bigrams(lines[it.line])) for k, it in enumerate(items) if it.kind == "para"]
    for k, it in enumerate(items):
        if it.kind != "short":
            continue
        bg = _bigrams(lines[it.line])
        if not bg:
            it.kind = "junk"
            continue
        best = max((len(bg & pb) / len(bg) for _, pb in paras), default=0.0)
        st = lines[it.line].strip()
        colon_heading = bool(re.match(r"^[^:]{2,60}:\s", st))
        # interrupting a sentence: the paragraph before is open and the next starts lowercase
        prev = next((items[j] for j in range(k - 1, -1, -1) if items[j].kind not in ("junk",)), None)
        nxt_ = next((items[j] for j in range(k + 1, len(items)) if items[j].kind not in ("junk",)), None)
        interrupts = (
            prev is not None and prev.kind == "para" and is_open(lines[prev.line].strip())
            and nxt_ is not None and nxt_.kind == "para" and lines[nxt_.line].strip()[:1].islower()
        )
        threshold = 0.85 if colon_heading else 0.5
        if best >= threshold or (interrupts and best >= 0.3):
            it.kind = "pullquote"
        else:
            it.kind = "heading"
    # full-sentence pull-quotes: a short punctuated line whose words all recur in a paragraph
    for k, it in enumerate(items):
        if it.kind == "para" and len(lines[it.line].strip()) <= 250:
            bg = _bigrams(lines[it.line])
            if len(bg) >= 5 and any(
                kk != k and len(bg & pb) / len(bg) >= 0.9 for kk, pb in paras
            ):
                it.kind = "pullquote"


class _Lines(NamedTuple):
    """The stored text and the (start, end) span of each of its lines."""

    text: str
    spans: list[tuple[int, int]]


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

    def __init__(self, src: _Lines, section: Section, markers: _MarkerCollector, out: _Output):
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
