"""Find an evidence quote in a document's stored text: exactly first, then ignoring
differences of whitespace, line breaks, quote-mark style and superscript note markers."""

from __future__ import annotations

import re
from dataclasses import dataclass

_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'", "“": '"', "”": '"', "„": '"', "‟": '"'})
_SUPERSCRIPTS = set("⁰¹²³⁴⁵⁶⁷⁸⁹˒")


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    method: str  # exact | normalized


class NormalizedText:
    """A normalized copy of a text with a map back to the original offsets."""

    def __init__(self, text: str):
        chars: list[str] = []
        index: list[int] = []
        prev_space = True
        for i, ch in enumerate(text):
            if ch in _SUPERSCRIPTS:
                continue
            if ch.isspace():
                if prev_space:
                    continue
                chars.append(" ")
                index.append(i)
                prev_space = True
                continue
            chars.append(ch.translate(_QUOTES))
            index.append(i)
            prev_space = False
        self.text = "".join(chars)
        self.index = index


def normalize(text: str) -> str:
    return NormalizedText(text).text.strip()


def find_quote(text: str, quote: str, normalized: NormalizedText | None = None,
               within: tuple[int, int] | None = None) -> Match | None:
    """Locate `quote`; prefer an occurrence inside `within` (the part's own chapter)."""
    starts = [m.start() for m in re.finditer(re.escape(quote), text)] if quote else []
    if starts:
        best = _prefer(starts, within)
        return Match(best, best + len(quote), "exact")
    normalized = normalized or NormalizedText(text)
    needle = normalize(quote)
    if not needle:
        return None
    found = [m.start() for m in re.finditer(re.escape(needle), normalized.text)]
    if not found:
        return None
    mapped = [normalized.index[s] for s in found]
    best_i = found[mapped.index(_prefer(mapped, within))]
    start = normalized.index[best_i]
    end = normalized.index[best_i + len(needle) - 1] + 1
    return Match(start, end, "normalized")


def _prefer(starts: list[int], within: tuple[int, int] | None) -> int:
    if within:
        inside = [s for s in starts if within[0] <= s < within[1]]
        if inside:
            return inside[0]
    return starts[0]
