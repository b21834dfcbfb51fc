"""Spot organization-like names that the registry does not know yet, so curators
can add them: "Beijing Easpring Material Technology Co., Ltd", "University of
Tartu", "Aalborg University", "Fraunhofer Institute", "Ministry of Economy",
"European Space Agency", "Chinese Academy of Engineering". Pure heuristics on
capitalised word runs; a candidate is dropped when it overlaps an organization the
linker already links."""

from __future__ import annotations

import re
from dataclasses import dataclass

from etnc_db.reference.registry import Registry

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
_LINK = r"(?:\s+(?:of|for|and|the|de|di|du|der|für|&)\s+|\s+)"  # joiners inside names
_LINK_NO_AND = r"(?:\s+(?:of|for|the|de|di|du|der|für)\s+|\s+)"
_RUN = rf"{_CAP}(?:{_LINK}{_CAP}){{0,6}}"
_SUFFIX = (
    r"(?:Co\.,?\s*Ltd\.?|Co\.,?\s*Limited|Co\.|Ltd\.?|Limited|GmbH|AG|S\.A\.|S\.p\.A\.|"
    r"SpA|Inc\.?|Corp\.?|Corporation|Group|plc|PLC|N\.V\.|B\.V\.|Holdings?)"
)
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("company-suffix", re.compile(rf"\b{_CAP}(?:\s+{_CAP}){{0,6}},?\s+{_SUFFIX}(?![\w])")),
    ("university", re.compile(rf"\b(?:{_CAP}\s+){{0,4}}University(?: of {_CAP}(?:{_LINK_NO_AND}{_CAP}){{0,4}})?")),
    ("x-institute", re.compile(rf"\b{_CAP}(?:\s+{_CAP}){{0,4}}\s+Institute(?: (?:of|for) {_CAP}(?:{_LINK}{_CAP}){{0,4}})?")),
    ("ministry-of", re.compile(rf"\bMinistry of {_CAP}(?:{_LINK}{_CAP}){{0,5}}")),
    ("x-agency", re.compile(rf"\b{_CAP}(?:\s+{_CAP}){{0,4}}\s+Agency\b")),
    ("academy-of", re.compile(rf"\b{_CAP}(?:\s+{_CAP}){{0,3}}\s+Academy of {_CAP}(?:{_LINK}{_CAP}){{0,3}}")),
]
_LEADING_NOISE = re.compile(r"^(?:(?:The|A|An|In|On|At|For|By|With|From|And|But|While|As|Both|Its|Their|This|That)\s+)+")
_TRAILING_JOINER = re.compile(r"(?:\s+(?:of|for|and|the|de|di|du|der|für|&))+$")

_cache: dict[int, tuple[Registry, Linker]] = {}


def _linker_for(registry: Registry) -> Linker:
    hit = _cache.get(id(registry))
    if hit is None or hit[0] is not registry:
        _cache.clear()
        hit = (registry, Linker(registry))
        _cache[id(registry)] = hit
    return hit[1]


def detect_unknown_organizations(text: str, registry: Registry) -> list[Candidate]:
    """Organization-like names in ``text`` not covered by an organization mention.
    Offsets index ``text``; overlapping candidates keep the longest."""
    known = [
        (m.char_start, m.char_end)
        for m in _linker_for(registry).link(text)
        if m.entity_type == "organization"
    ]
    found: list[Candidate] = []
    for name, rx in _PATTERNS:
        for m in rx.finditer(text):
            start, end = m.start(), m.end()
            surface = m.group(0)
            lead = _LEADING_NOISE.match(surface)
            if lead:
                start += lead.end()
            tail = _TRAILING_JOINER.search(text[start:end])
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
