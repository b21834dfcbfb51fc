"""Find evidence quotes in a document's stored text: every quote of a document in one
pass (an Aho-Corasick automaton over the normalized quotes, run once over the
normalized text), ignoring differences of whitespace, line breaks, quote-mark style and
superscript note markers. The cost is one pass over the text however many quotes miss.

A match reports the stored offsets and whether the stored text equals the quote
(`exact`) or only its normalized form (`normalized`)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})
_SUPERSCRIPTS = set("⁰¹²³⁴⁵⁶⁷⁸⁹˒")
_SUPERSCRIPT_POINTS = sorted(ord(c) for c in _SUPERSCRIPTS)
# what str.isspace() calls whitespace (and re's \s), as code points
_SPACE_POINTS = sorted(i for i in range(0x3001) if chr(i).isspace())
_QUOTE_POINTS = [(k, ord(v)) for k, v in _QUOTES.items()]


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    method: str  # exact | normalized


class NormalizedText:
    """A normalized copy of a text with a map back to the original offsets: note markers
    dropped, every whitespace run one space (none at the start), quote marks straightened.
    Computed on the code points as arrays (numpy), not character by character."""

    def __init__(self, text: str):
        import numpy as np

        points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        positions = np.flatnonzero(~np.isin(points, _SUPERSCRIPT_POINTS))
        space = np.isin(points[positions], _SPACE_POINTS)
        after_space = np.concatenate(([True], space[:-1]))
        kept = positions[~space | ~after_space]
        out = points[kept].copy()
        out[np.isin(out, _SPACE_POINTS)] = 32
        for curly, straight in _QUOTE_POINTS:
            out[out == curly] = straight
        self.text = out.astype("<u4").tobytes().decode("utf-32-le")
        # stored offset per normalized character: a 4- or 8-byte array, not a list of
        # Python ints (36 bytes a character, 2 GB for the 100x corpus's texts)
        self.index = kept.astype(np.uint32 if len(text) < 2**32 else np.int64)

    def span(self, start: int, length: int) -> tuple[int, int]:
        """Stored offsets of the normalized stretch [start, start + length)."""
        return int(self.index[start]), int(self.index[start + length - 1]) + 1


# normalize() without the offset map: note markers dropped and quote marks straightened
# by one str.translate, whitespace runs collapsed by str.split (the same whitespace as
# str.isspace). About a hundred times faster than NormalizedText on a short quote.
_TRANSLATE = str.maketrans({**{c: None for c in _SUPERSCRIPTS}, **_QUOTES})


def normalize(text: str) -> str:
    """The normalized form of `text` (NormalizedText(text).text, stripped)."""
    return " ".join(text.translate(_TRANSLATE).split())


def find_all(text: str, quotes: list[str], normalized: NormalizedText | None = None) -> dict[str, list[Match]]:
    """Every occurrence of every quote in `text` (by normalized quote), in text order."""
    import ahocorasick_rs

    normalized = normalized or NormalizedText(text)
    normalized_quotes = {q: normalize(q) for q in quotes}
    needles = sorted({n for n in normalized_quotes.values() if n})
    found: dict[str, list[Match]] = {n: [] for n in needles}
    if needles:
        automaton = ahocorasick_rs.AhoCorasick(needles)
        for i, start, end in automaton.find_matches_as_indexes(normalized.text, overlapping=True):
            s, e = normalized.span(start, end - start)
            found[needles[i]].append(Match(s, e, "normalized"))
    out: dict[str, list[Match]] = {}
    for q in quotes:
        matches = sorted(found.get(normalized_quotes[q], []), key=lambda m: m.start)
        out[q] = [_exact_if_possible(text, q, m) for m in matches]
    return out


def _exact_if_possible(text: str, quote: str, m: Match) -> Match:
    """Widen a match over the note markers and spaces the quote itself starts or ends
    with (normalization drops them), and call it exact when the stored text equals it."""
    start, end = m.start, m.end
    tail = len(quote) - len(quote.rstrip("".join(_SUPERSCRIPTS) + " "))
    head = len(quote) - len(quote.lstrip("".join(_SUPERSCRIPTS) + " "))
    if tail and text[end:end + tail] == quote[len(quote) - tail:]:
        end += tail
    if head and text[start - head:start] == quote[:head]:
        start -= head
    return Match(start, end, "exact" if text[start:end] == quote else "normalized")


def find_quote(text: str, quote: str, normalized: NormalizedText | None = None,
               within: tuple[int, int] | None = None) -> Match | None:
    """The first occurrence of `quote`, preferring one inside `within`."""
    matches = find_all(text, [quote], normalized)[quote]
    if within:
        inside = [m for m in matches if within[0] <= m.start < within[1]]
        if inside:
            return inside[0]
    return matches[0] if matches else None


def in_span(matches: list[Match], span: tuple[int, int] | None) -> list[Match]:
    """The matches starting inside `span` (all when None)."""
    if span is None:
        return matches
    starts = [m.start for m in matches]
    return matches[bisect.bisect_left(starts, span[0]):bisect.bisect_left(starts, span[1])]
