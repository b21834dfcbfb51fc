"""A cheap test before a rule's regex: the literal words every match must contain.

    low = lowered(sentence)                  # once per text
    if may_match(trigger.regex, low) and trigger.regex.search(sentence): ...

``literals(regex)`` reads the regex's parse tree (``re._parser``, Python >= 3.11) for a set
of lowercase ASCII strings one of which occurs in every match (``\\b(?:build|built)\\b``
-> {"build", "built"}), or None when it cannot tell. A text whose lowercase form holds
none of them cannot match, so its regex scan is skipped; the answer of the regex is the
same either way. Rule regexes are mostly case-insensitive: a text holding a character
that such a regex matches with an ASCII letter but that does not lower to it (ſ, ı, İ)
is not prefiltered (``lowered`` returns None)."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from re import _constants as c
from re import _parser

_REPEATS = (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT)


@lru_cache(maxsize=1)
def ascii_case_folds() -> frozenset[str]:
    """Non-ASCII characters that a case-insensitive regex matches with an ASCII letter
    but whose ``str.lower()`` is not that lowercase letter (ſ, ı, İ)."""
    letters = re.compile(r"[a-z]", re.IGNORECASE)
    return frozenset(ch for ch in map(chr, range(0x80, 0x10000))
                     if letters.fullmatch(ch) and not (len(ch.lower()) == 1 and ch.lower().isascii()))


def folds_safe(text: str) -> bool:
    return text.isascii() or ascii_case_folds().isdisjoint(text)


def lowered(text: str) -> str | None:
    """The text to prefilter with: ``text.lower()``, or None when it holds ſ, ı or İ."""
    return text.lower() if folds_safe(text) else None


def may_match(regex: re.Pattern[str], low: str | None) -> bool:
    """False only when ``regex`` cannot match the text whose ``lowered`` form is ``low``."""
    if low is None:
        return True
    need = literals(regex)
    return need is None or any(s in low for s in need)


class LiteralIndex:
    """``may_match`` for many regexes over one text at once: every literal of every regex
    (and of the regexes in `also`) is found in one Aho-Corasick pass over the text."""

    def __init__(self, regexes: list[re.Pattern[str]], also: list[re.Pattern[str]] = ()):
        import ahocorasick_rs

        self.needs = [literals(rx) for rx in regexes]
        words = {w for rx in [*regexes, *also] if (need := literals(rx)) for w in need}
        self.words = sorted(words)
        self._automaton = ahocorasick_rs.AhoCorasick(self.words) if self.words else None

    def found(self, text: str) -> frozenset[str] | None:
        """The literals ``text`` holds (lowercased), or None when it cannot be prefiltered."""
        low = lowered(text)
        if low is None:
            return None
        if self._automaton is None:
            return frozenset()
        return frozenset(self._automaton.find_matches_as_strings(low, overlapping=True))

    def possible(self, text: str) -> list[bool]:
        """Per regex, whether it may match in ``text`` (or in any part of it)."""
        found = self.found(text)
        if found is None:
            return [True] * len(self.needs)
        return [need is None or not found.isdisjoint(need) for need in self.needs]


def can_match(regex: re.Pattern[str], found: frozenset[str] | None) -> bool:
    """``may_match`` from a text's ``LiteralIndex.found`` literals (the index must hold
    the regex's literals)."""
    if found is None:
        return True
    need = literals(regex)
    return need is None or not found.isdisjoint(need)


@cache
def literals(regex: re.Pattern[str]) -> tuple[str, ...] | None:
    """Lowercase ASCII strings one of which every match of ``regex`` contains, or None."""
    try:
        tree = _parser.parse(regex.pattern, regex.flags)
    except Exception:  # noqa: BLE001 - a pattern this reader cannot parse is not prefiltered
        return None
    found = _sequence(list(tree))
    return tuple(sorted(found)) if found else None


def _better(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    """The more selective of two sets (longest shortest string, then fewer strings)."""
    if a is None or b is None:
        return a or b
    return b if _rank(b) > _rank(a) else a


def _rank(strings: frozenset[str]) -> tuple[int, int]:
    return min(map(len, strings)), -len(strings)


def _run_factor(chars: list[str]) -> frozenset[str] | None:
    """The longest ASCII piece of a run of literal characters."""
    pieces = [p for p in re.split(r"[^\x00-\x7f]", "".join(chars).lower()) if p]
    return frozenset([max(pieces, key=len)]) if pieces else None


def _sequence(items: list) -> frozenset[str] | None:
    """A necessary set of one sequence of parse items: its best element's."""
    best, run = None, []
    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        best, run = _better(best, _run_factor(run)), []
        best = _better(best, _element(op, av))
    return _better(best, _run_factor(run))


def _element(op, av) -> frozenset[str] | None:
    if op is c.SUBPATTERN:
        return _sequence(list(av[-1]))
    if op is c.ATOMIC_GROUP:
        return _sequence(list(av))
    if op in _REPEATS and av[0] >= 1:
        return _sequence(list(av[2]))
    if op is c.BRANCH:
        branches = [_sequence(list(b)) for b in av[1]]
        if any(b is None for b in branches):
            return None
        return frozenset().union(*branches)
    return None
