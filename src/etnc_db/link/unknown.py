"""Spot organization-like names that the registry does not know yet, so curators
can add them: "Beijing Easpring Material Technology Co., Ltd", "University of
Tartu", "Aalborg University", "Fraunhofer Institute", "Ministry of Economy",
"European Space Agency", "Chinese Academy of Engineering". Pure heuristics on
capitalised word runs; a candidate is dropped when it overlaps an organization the
linker already links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from etnc_db.reference.registry import LinkingRules, Registry

from .linker import Linker


@dataclass(frozen=True)
class Candidate:
    surface: str
    char_start: int
    char_end: int
    pattern: str  # company-suffix | university | x-institute | ministry-of | x-agency |
    #               academy-of


_W = "[^\\W\u00b9\u00b2\u00b3\u2070-\u2079]"  # a word character, not a superscript
_CAP = rf"(?:[A-Z]{_W}*(?:['’&\-]{_W}+)*)"  # a capitalised word (acronyms included)


def _alternation(words: tuple[str, ...] | list[str], *, spaces: bool = False) -> str:
    """A regex group matching any of ``words`` literally (longest first); with
    ``spaces`` a space in a word matches any run of whitespace, or none after a
    punctuation mark ("Co., Ltd" also finds "Co.,Ltd")."""
    parts = []
    for w in sorted(set(words), key=len, reverse=True):
        if spaces:
            parts.append(r"\s*".join(re.escape(p) for p in w.split(" ")))
        else:
            parts.append(re.escape(w))
    return "(?:" + "|".join(parts) + ")" if parts else "(?!)"


class _Patterns(NamedTuple):
    """The candidate patterns built from the word lists of etl/reference/linking.yaml
    (``unknown_names``)."""

    by_name: list[tuple[str, re.Pattern[str]]]
    leading_noise: re.Pattern[str]
    trailing_joiner: re.Pattern[str]


def _build_patterns(rules: LinkingRules) -> _Patterns:
    """Compile the name patterns; every word from the rules is escaped (literal)."""
    joiners = _alternation(rules.unknown_joiners)
    joiners_no_and = _alternation([j for j in rules.unknown_joiners if j not in ("and", "&")])
    link = rf"(?:\s+{joiners}\s+|\s+)"  # joiners inside names
    link_no_and = rf"(?:\s+{joiners_no_and}\s+|\s+)"
    suffix = _alternation(rules.unknown_company_suffixes, spaces=True)
    by_name = [
        ("company-suffix", re.compile(rf"\b{_CAP}(?:\s+{_CAP}){{0,6}},?\s+{suffix}(?![\w])")),
        ("university", re.compile(rf"\b(?:{_CAP}\s+){{0,4}}University(?: of {_CAP}(?:{link_no_and}{_CAP}){{0,4}})?")),
        ("x-institute", re.compile(rf"\b{_CAP}(?:\s+{_CAP}){{0,4}}\s+Institute(?: (?:of|for) {_CAP}(?:{link}{_CAP}){{0,4}})?")),
        ("ministry-of", re.compile(rf"\bMinistry of {_CAP}(?:{link}{_CAP}){{0,5}}")),
        ("x-agency", re.compile(rf"\b{_CAP}(?:\s+{_CAP}){{0,4}}\s+Agency\b")),
        ("academy-of", re.compile(rf"\b{_CAP}(?:\s+{_CAP}){{0,3}}\s+Academy of {_CAP}(?:{link}{_CAP}){{0,3}}")),
    ]
    leading = re.compile(rf"^(?:{_alternation(rules.unknown_leading_words)}\s+)+")
    trailing = re.compile(rf"(?:\s+{joiners})+$")
    return _Patterns(by_name, leading, trailing)


_cache: dict[int, list] = {}


def _built_for(registry: Registry) -> list:
    """[registry, its patterns, its linker or None until needed], built once per registry object."""
    hit = _cache.get(id(registry))
    if hit is None or hit[0] is not registry:
        _cache.clear()
        hit = [registry, _build_patterns(registry.linking), None]
        _cache[id(registry)] = hit
    return hit


def organization_spans(text: str, registry: Registry) -> list[tuple[int, int]]:
    """The spans of the organization mentions a linker of ``registry`` finds in ``text``."""
    hit = _built_for(registry)
    if hit[2] is None:
        hit[2] = Linker(registry)
    return [(m.char_start, m.char_end) for m in hit[2].link(text) if m.entity_type == "organization"]


def detect_unknown_organizations(text: str, registry: Registry,
                                 known: list[tuple[int, int]] | None = None) -> list[Candidate]:
    """Organization-like names in ``text`` not covered by an organization mention.
    Offsets index ``text``; overlapping candidates keep the longest. ``known`` are the
    spans of those mentions (:func:`organization_spans`, offsets in ``text``) when the
    caller has already linked ``text`` with a linker of ``registry``; else it is linked here."""
    patterns = _built_for(registry)[1]
    if known is None:
        known = organization_spans(text, registry)
    found: list[Candidate] = []
    for name, rx in patterns.by_name:
        for m in rx.finditer(text):
            start, end = m.start(), m.end()
            surface = m.group(0)
            lead = patterns.leading_noise.match(surface)
            if lead:
                start += lead.end()
            tail = patterns.trailing_joiner.search(text[start:end])
            if tail:
                end = start + tail.start()
            surface = text[start:end]
            if len(surface.split()) < 2 or "\n" in surface:
                continue
            if any(s < end and start < e for s, e in known):
                continue
            found.append(Candidate(surface, start, end, name))
    found.sort(key=lambda c: (c.char_start - c.char_end, c.char_start))
    kept: list[Candidate] = []
    for c in found:
        if all(c.char_end <= k.char_start or k.char_end <= c.char_start for k in kept):
            kept.append(c)
    kept.sort(key=lambda c: c.char_start)
    return kept
