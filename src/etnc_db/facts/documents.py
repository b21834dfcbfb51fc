"""The loaded documents as the facts stage sees them: stored text, chapters (with their
country), and endnote markers with the date of the endnote they point at, read from the
run's own connection (the documents were written earlier in the same transaction).

A span's endnotes are the markers in its sentences: from the start of the sentence the
span starts in to the end of the sentence it ends in (the terminal punctuation, closing
quotes and the markers right after it), never a fixed character window."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date

import psycopg

from etnc_db.quotes import NormalizedText

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹˒,"
_SENTENCE_END = re.compile(r"[.!?…](?=[\s\"'”’»)\]⁰¹²³⁴⁵⁶⁷⁸⁹]|$)|\n\s*\n|\n(?=\S)")
_ABBREVIATIONS = ("e.g", "i.e", "etc", "Mr", "Ms", "Dr", "St", "No", "vs", "approx", "Co", "Inc", "Ltd", "U.S", "U.K")


@dataclass(frozen=True)
class Marker:
    start: int
    end: int
    citation_key: str
    cited_date: date | None
    cited_precision: str


@dataclass
class DocumentText:
    key: str
    text: str
    chapters: list[tuple[int, int, str, str | None]] = field(default_factory=list)  # start, end, section_key, country
    markers: list[Marker] = field(default_factory=list)
    _normalized: NormalizedText | None = None

    @property
    def normalized(self) -> NormalizedText:
        if self._normalized is None:
            self._normalized = NormalizedText(self.text)
        return self._normalized

    def chapter_at(self, offset: int) -> tuple[int, int, str, str | None] | None:
        for chapter in self.chapters:
            if chapter[0] <= offset < chapter[1]:
                return chapter
        return None

    def part_span(self, part: str) -> tuple[int, int] | None:
        for start, end, key, _ in self.chapters:
            if key.rsplit("/", 1)[-1] == part:
                return start, end
        return None

    def sentence_bounds(self, start: int, end: int) -> tuple[int, int]:
        """Start of the sentence holding `start`, end of the one holding `end - 1`
        (after its terminal punctuation, closing quotes and the note markers that follow)."""
        text = self.text
        lo = _last_end_before(text, start) or 0
        hi = end
        for m in _SENTENCE_END.finditer(text, max(end - 1, 0)):
            if not _is_abbreviation(text, m.start()):
                hi = m.end()
                break
        else:
            hi = len(text)
        while hi < len(text) and (text[hi] in _SUPERSCRIPTS or text[hi] in "\"'”’»)]"):
            hi += 1
        return lo, max(hi, end)

    def cited(self, start: int, end: int) -> list[Marker]:
        """The markers inside the sentences of the span [start, end)."""
        lo, hi = self.sentence_bounds(start, end)
        i = bisect.bisect_left(self.markers, lo, key=lambda m: m.start)
        out: dict[str, Marker] = {}
        while i < len(self.markers) and self.markers[i].start < hi:
            out.setdefault(self.markers[i].citation_key, self.markers[i])
            i += 1
        return list(out.values())


def _is_abbreviation(text: str, dot: int) -> bool:
    if text[dot] != ".":
        return False
    word = re.search(r"[\w.]+$", text[max(0, dot - 8):dot])
    return bool(word) and (word.group(0) in _ABBREVIATIONS or len(word.group(0)) == 1)


def _last_end_before(text: str, pos: int) -> int | None:
    """Offset just after the last sentence end before `pos` (the next sentence's start)."""
    window_start = max(0, pos - 2000)
    last = None
    for m in reversed(list(_SENTENCE_END.finditer(text, window_start, pos))):  # the last one that is no abbreviation
        if not _is_abbreviation(text, m.start()):
            last = m.end()
            break
    if last is None:
        return None if window_start == 0 else window_start
    while last < pos and (text[last] in _SUPERSCRIPTS or text[last].isspace()):
        last += 1
    return last


def read_documents(conn: psycopg.Connection) -> dict[str, DocumentText]:
    """Every loaded document with its chapters and resolved endnote markers."""
    docs = {key: DocumentText(key, content)
            for key, content in conn.execute("SELECT document_key, content FROM core.documents")}
    for doc_key, start, end, section_key, country in conn.execute(
        "SELECT d.document_key, s.char_start, s.char_end, s.section_key, c.country_code "
        "FROM core.document_sections s JOIN core.documents d USING (document_id) "
        "LEFT JOIN core.countries c ON c.country_id = s.country_id "
        "WHERE s.parent_id IS NULL ORDER BY s.char_start"
    ):
        docs[doc_key].chapters.append((start, end, section_key, country))
    for doc_key, start, end, citation_key, cited, precision in conn.execute(
        "SELECT d.document_key, m.char_start, m.char_end, c.citation_key, c.published_date, c.date_precision "
        "FROM core.citation_markers m JOIN core.documents d USING (document_id) "
        "JOIN core.citations c USING (citation_id) ORDER BY m.char_start"
    ):
        docs[doc_key].markers.append(Marker(start, end, citation_key, cited, precision))
    return docs
