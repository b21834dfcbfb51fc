"""Accent- and case-folding for matching, with a way back to the original offsets.

"Telefónica", "TELEFONICA" and "Telefonica" all fold to "telefonica"; "Škoda" to
"skoda"; "Straße" to "strasse"; "Ørsted" to "orsted". Each character is folded on its
own: lower-cased, decomposed (Unicode NFKD), stripped of combining marks, and a few
letters without a decomposition are spelled out (ß -> ss, æ -> ae, ø -> o, ł -> l, ...).
Other scripts (Chinese, Greek, Cyrillic) are only lower-cased, never transliterated.

A character may fold to several ("ß" -> "ss") or to none (a lone combining mark), so
:func:`fold_with_origin` also returns, when lengths differ, the original index of
every folded character; :func:`original_span` maps a match in the folded text back to
the original text.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters NFKD leaves alone but readers write without the mark.
_SPELLED_OUT = {
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
    "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "ħ": "h", "Ħ": "H",
    "ı": "i", "þ": "th", "Þ": "TH",
}


@lru_cache(maxsize=8192)
def fold_char_keep_case(ch: str) -> str:
    """``ch`` without accents, case kept ("Š" -> "S", "ß" -> "ss", "²" -> "2")."""
    if ch.isascii():
        return ch
    out = []
    for part in unicodedata.normalize("NFKD", ch):
        if unicodedata.combining(part):
            continue
        out.append(_SPELLED_OUT.get(part, part))
    return "".join(out)


@lru_cache(maxsize=8192)
def fold_char(ch: str) -> str:
    """``ch`` without accents, lower-cased ("Š" -> "s")."""
    if ch.isascii():
        return ch.lower()
    return fold_char_keep_case(ch).lower()


def fold(text: str) -> str:
    """``text`` lower-cased and without accents (the form the automaton matches)."""
    if text.isascii():
        return text.lower()
    return "".join(fold_char(c) for c in text)


def fold_keep_case(text: str) -> str:
    """``text`` without accents, case kept (for the capital-letter rules)."""
    if text.isascii():
        return text
    return "".join(fold_char_keep_case(c) for c in text)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def fold_with_origin(text: str) -> tuple[str, list[int] | None]:
    """The folded text and, when it is not one character per character of ``text``,
    the index in ``text`` of each folded character (None: the same index)."""
    if text.isascii():
        return text.lower(), None
    # Mostly ASCII (a curly quote, a dash, an accented name): lower-case the ASCII runs
    # in C and fold only the other characters; when each folds to one character the
    # offsets are unchanged. Otherwise fold character by character to know the origins.
    pieces, pos = [], 0
    for m in _NON_ASCII.finditer(text):
        folded = [fold_char(c) for c in m.group()]
        if any(len(f) != 1 for f in folded):
            break
        pieces += (text[pos:m.start()].lower(), "".join(folded))
        pos = m.end()
    else:
        pieces.append(text[pos:].lower())
        return "".join(pieces), None
    parts = [fold_char(c) for c in text]  # some character folds to more or fewer than one
    origin: list[int] = []
    for i, p in enumerate(parts):
        origin.extend([i] * len(p))
    return "".join(parts), origin


def original_span(origin: list[int] | None, text_len: int, start: int, end: int) -> tuple[int, int] | None:
    """The span of ``text`` that the folded span [start, end) comes from, or None when
    the folded span begins or ends inside the folding of one character (the "s" of
    "ß" -> "ss"). Combining marks right after the span belong to it."""
    if origin is None:
        return start, end
    first = origin[start]
    if start > 0 and origin[start - 1] == first:
        return None
    if end < len(origin) and origin[end] == origin[end - 1]:
        return None
    return first, origin[end] if end < len(origin) else text_len
