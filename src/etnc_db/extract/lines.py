"""Line-level helpers shared by the parsers: line spans, normalisation, passage joining."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .parsed import Passage

_SUPS = "⁰¹²³⁴⁵⁶⁷⁸⁹˒⁻"
_TERMINAL = set('.!?:;"”’)…»')
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " "})


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, end excluding the line break ('\\n', '\\r\\n' or '\\r')."""
    out: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text):
        if m.start() == len(text) and m.end() == m.start():
            break
        s, e = m.span()
        body = m.group(0).rstrip("\r\n")
        out.append((s, s + len(body)))
    return out


def strip_markers(s: str) -> str:
    return re.sub(rf"[{_SUPS}]+", "", s)


def norm(s: str) -> str:
    s = strip_markers(s).replace("*", "").translate(_QUOTES)
    return re.sub(r"\s+", " ", s).strip().lower()


def is_open(s: str) -> bool:
    """True when a line does not end a sentence (the paragraph may continue)."""
    t = re.sub(rf"[\s{_SUPS},*]+$", "", s)
    if not t:
        return False
    return t[-1] not in _TERMINAL


@dataclass
class Item:
    kind: str  # para | short | heading | pullquote | table | junk | endnotes
    line: int


class PassageBuilder:
    """Collects body lines into passages, re-joining paragraphs split by layout.

    A line continues the pending paragraph when it starts lowercase, or when the
    pending paragraph is open (no sentence-final punctuation) and only layout debris
    (pull-quotes, captions, dropped lines) - not a heading - lies between them.
    """

    def __init__(self, text: str, part_key: str):
        self.text = text
        self.part_key = part_key
        self.passages: list[Passage] = []
        self._segs: list[tuple[int, int]] = []
        self._seps: list[str] = []
        self._section: str | None = None
        self._open = False
        self._gap = 0  # 0 none, 1 debris, 2 heading

    def transparent(self) -> None:
        self._gap = max(self._gap, 1)

    def heading(self) -> None:
        self._gap = 2

    def add_line(self, s: int, e: int, section: str, cuts: list[tuple[int, int]] | None = None) -> None:
        segs = _trimmed(self.text, s, e, cuts or [])
        if not segs:
            return
        first = self.text[segs[0][0]]
        join = bool(self._segs) and (
            first.islower() or (self._open and self._gap < 2)
        )
        if not join:
            self.flush()
            self._section = section
        else:
            ps, pe = self._segs[-1]
            hyphen = pe - ps >= 2 and self.text[pe - 1] == "-" and self.text[pe - 2].isalpha() and first.islower()
            self._seps.append("" if hyphen else " ")
        for i, seg in enumerate(segs):
            if i and self._segs:
                self._seps.append(" ")
            self._segs.append(seg)
        self._open = is_open(self.text[segs[-1][0]:segs[-1][1]])
        self._gap = 0

    def flush(self) -> None:
        if not self._segs:
            return
        parts = []
        for i, (a, b) in enumerate(self._segs):
            if i:
                parts.append(self._seps[i - 1])
            parts.append(self.text[a:b])
        n = len(self.passages) + 1
        self.passages.append(
            Passage(
                key=f"{self.part_key}/p{n}", section_key=self._section or self.part_key, ordinal=n,
                char_start=self._segs[0][0], char_end=self._segs[-1][1], text="".join(parts),
                segments=tuple(self._segs), separators=tuple(self._seps),
            )
        )
        self._segs, self._seps, self._open, self._gap = [], [], False, 0


def _trimmed(text: str, s: int, e: int, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, pos = [], s
    pieces = []
    for a, b in sorted(cuts):
        if a > pos:
            pieces.append((pos, a))
        pos = max(pos, b)
    if pos < e:
        pieces.append((pos, e))
    for a, b in pieces:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out
