"""Gazetteer entity linking: find the countries, organizations and sectors of the
registry in a passage of text. One Aho-Corasick automaton holds every name, alias
and keyword; the rules that decide what a match means are in docs/linking.md.

    linker = Linker(load_registry(Path("etl/reference")))
    mentions = linker.link(passage_text, offset=passage_char_start)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, NamedTuple

import ahocorasick_rs

from etnc_db.reference.fold import fold, fold_keep_case, fold_with_origin, original_span
from etnc_db.reference.registry import LinkingRules, Registry, organization_surfaces

EntityType = Literal["country", "organization", "sector"]
_TargetType = Literal["country", "organization", "sector", "none"]

_URL = re.compile(r"https?://\S+|www\.\S+|<[^>\s]+>|\]\([^)]*\)")

_SUPERSCRIPTS = set("⁰¹²³⁴⁵⁶⁷⁸⁹")
_APOSTROPHES = "'\u2019"
_NEXT_WORDS = re.compile(r"^\s+(\w+)(?:\s+(\w+))?")
_PREV_WORD = re.compile(r"(\w+)\W*$")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() and ch not in _SUPERSCRIPTS


@dataclass(frozen=True)
class Mention:
    """A linked span; offsets index the stored document text (end exclusive)."""

    char_start: int
    char_end: int
    surface: str
    entity_type: EntityType
    entity_key: str
    rule: str


class Reject(NamedTuple):
    """A span that matched the gazetteer but was left unlinked, with the reason."""

    char_start: int
    char_end: int
    surface: str
    reason: str


@dataclass(frozen=True)
class _Target:
    entity_type: _TargetType
    key: str
    form: str  # registered spelling: its capitals must be capitals in the text
    rule: str  # country-name | country-adjective | country-metonym | organization-name |
    #            organization-alias | organization-ambiguous | sector-keyword
    prefix: bool = False  # "Sino-": no word boundary needed after it
    generic: bool = False  # organization alias that needs its country in context
    weak: str | None = None  # weak sector keyword (linking.yaml) this form comes from

    @property
    def rank(self) -> int:
        return {"country": 0, "organization": 1, "sector": 2, "none": 3}[self.entity_type]


def _case_ok(form: str, found: str) -> bool:
    """Every capital of the registered form (accents folded) is a capital in the text."""
    return all(i >= len(found) or found[i].isupper() for i in _capitals(form))


@lru_cache(maxsize=65536)
def _capitals(form: str) -> tuple[int, ...]:
    """Where the capitals of `form`, accents folded, are (worked out once per form)."""
    return tuple(i for i, f in enumerate(fold_keep_case(form)) if f.isupper())


def _keyword_variants(keyword: str, rules: LinkingRules) -> list[str]:
    """The keyword, its singular/plural twin and its US/UK spelling twin
    ("telecommunications" -> "telecommunication", "electric buses" -> "electric bus",
    "innovation centre" -> "innovation center"). Acronym keywords get none, and a
    variant on ``rules.variant_stoplist`` ("bridge" from "bridges") is dropped."""
    acronyms = {t.lower() for t in rules.acronym_tokens}
    out = [keyword]
    last = keyword.split(" ")[-1]
    if last.lower() not in acronyms and last.isalpha():
        if last.endswith(("ses", "xes", "ches", "shes")):
            out.append(keyword[:-2])
        elif last.endswith("s") and not last.endswith("ss"):
            out.append(keyword[:-1])
        elif not last.endswith(("y", "s")):
            out.append(keyword + "s")
    for uk, us in (("centre", "center"), ("isation", "ization"), ("defence", "defense")):
        out.extend(v.replace(uk, us) for v in list(out) if uk in v)
    return [v for v in dict.fromkeys(out) if v == keyword or v not in rules.variant_stoplist]


def _sector_form(keyword: str, rules: LinkingRules) -> str:
    """The spelling the text must have: a brand keyword with its capitals ("Galileo"),
    acronym tokens in capitals ("5G", "EVs"), everything else as registered."""
    proper = {k.lower(): k for k in rules.proper_keywords}
    if keyword.lower() in proper:
        return proper[keyword.lower()]
    acronyms = {t.lower(): t for t in rules.acronym_tokens}
    return " ".join(acronyms.get(tok.lower(), tok) for tok in keyword.split(" "))


class Linker:
    """Links text against a :class:`Registry`. Build once, call :meth:`link` per
    passage (it is stateless and thread-safe)."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self._targets: dict[str, list[_Target]] = {}
        country_words = self._add_countries(registry)
        self._add_organizations(registry, country_words)
        self._add_sectors(registry)
        for phrase in registry.linking.not_a_mention:
            self._add(phrase, _Target("none", phrase, phrase, "not-a-mention"))
        forms = sorted(registry.linking.legal_forms, key=len, reverse=True)
        self._legal_form = re.compile(
            r"(?:[ \t\u00a0]+(?:" + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms) + r")(?![\w&/-]))+"
        ) if forms else None
        self._patterns = list(self._targets)
        self._pattern_targets = [self._targets[p] for p in self._patterns]
        self._automaton = ahocorasick_rs.AhoCorasick(
            self._patterns, matchkind=ahocorasick_rs.MATCHKIND_STANDARD
        )

    def _add(self, surface: str, target: _Target) -> None:
        """Register ``surface`` under its folded form (case and accents ignored; the
        case rule is checked per match against ``target.form``)."""
        surface = " ".join(surface.split())
        if not surface:
            return
        lst = self._targets.setdefault(fold(surface), [])
        if target not in lst:
            lst.append(target)

    def _add_countries(self, registry: Registry) -> set[str]:
        """Country names and aliases; returns the lower-case country words (names and
        adjectives, not metonyms) for the generic-alias rule."""
        country_words: set[str] = set()
        for country in registry.countries.values():
            if "," not in country.name and "(" not in country.name:
                self._add(country.name, _Target("country", country.code, country.name, "country-name"))
                country_words.add(country.name.lower())
        for alias in registry.country_aliases:
            prefix = alias.surface.endswith("-")
            self._add(
                alias.surface,
                _Target("country", alias.code, alias.surface, f"country-{alias.form}", prefix),
            )
            if alias.form != "metonym":
                country_words.add(alias.surface.rstrip("-").lower())
        return country_words

    def _add_organizations(self, registry: Registry, country_words: set[str]) -> None:
        """Every organization surface, marked ambiguous or generic where it applies."""
        # one alternation instead of a regex per country word per surface
        words = sorted(country_words, key=len, reverse=True)
        country_word_re = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b") \
            if words else None
        for org in registry.organizations.values():
            ambiguous = {a.casefold() for a in org.ambiguous_aliases}
            for i, surface in enumerate(organization_surfaces(org)):
                rule = "organization-name" if i == 0 else "organization-alias"
                if surface.casefold() in ambiguous:
                    rule = "organization-ambiguous"
                generic = (
                    org.kind in registry.linking.generic_org_kinds
                    and org.country not in (None, "EU")
                    and _is_generic_surface(surface, country_word_re)
                )
                self._add(surface, _Target("organization", org.key, surface, rule, generic=generic))

    def _add_sectors(self, registry: Registry) -> None:
        """Sector keywords with their variants, in the spelling the text must have."""
        rules = registry.linking
        for sector in registry.sectors.values():
            for kw in sector.keywords:
                weak = kw if kw in rules.weak_sector_keywords else None
                for variant in _keyword_variants(kw, rules):
                    form = _sector_form(variant, rules)
                    self._add(form, _Target("sector", sector.key, form, "sector-keyword", weak=weak))

    @property
    def pattern_count(self) -> int:
        return len(self._patterns)

    # ------------------------------------------------------------------ matching

    def link(self, text: str, offset: int = 0, context_country: str | None = None) -> list[Mention]:
        """Mentions in ``text``, sorted by position, offsets shifted by ``offset``.
        ``context_country`` is the country the passage is about when the caller knows
        it (a report chapter's country); see :meth:`link_with_rejects`."""
        return self.link_with_rejects(text, offset, context_country)[0]

    def link_with_rejects(
        self, text: str, offset: int = 0, context_country: str | None = None
    ) -> tuple[list[Mention], list[Reject]]:
        """Mentions plus the spans deliberately left unlinked (ambiguous alias,
        metonym used as a place, generic alias out of context). Ambiguous and generic
        organization aliases are resolved with the countries named in the passage and,
        failing those, ``context_country``; a brand shared by a parent and its national
        subsidiaries follows ``context_country`` when given (docs/linking.md)."""
        chosen = _longest_first(self._candidates(text), len(text))
        out = _Outcome(text, offset)
        pending: list[_Span] = []
        for span in chosen:
            if not self._decide(span, out):
                pending.append(span)
        named = {m.entity_key for m in out.mentions if m.entity_type == "country"}
        for span in pending:
            self._resolve_by_country(span, named, context_country, out)
        self._decide_weak(out)
        self._extend_legal_forms(out)
        out.mentions.sort(key=lambda m: m.char_start)
        out.rejects.sort()
        return out.mentions, out.rejects

    def _candidates(self, text: str) -> list[_Span]:
        """Every automaton match on word boundaries, outside URLs, whose case fits
        at least one target. The automaton runs over the folded text; spans are
        mapped back to ``text``."""
        n = len(text)
        folded, origin = fold_with_origin(text)
        in_url = bytearray(n + 1)
        for u in _URL.finditer(text):
            in_url[u.start() : u.end()] = b"\x01" * (u.end() - u.start())
        out: list[_Span] = []
        for idx, f_start, f_end in self._automaton.find_matches_as_indexes(folded, overlapping=True):
            span = original_span(origin, n, f_start, f_end)
            if span is None:
                continue
            start, end = span
            if start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start]):
                continue
            found = fold_keep_case(text[start:end])
            ok = [t for t in self._pattern_targets[idx] if _case_ok(t.form, found)]
            if not ok:
                continue
            if end < n and _is_word_char(text[end]) and _is_word_char(text[end - 1]):
                continue
            if ok[0].prefix and not (end < n and text[end - 1] == "-"):
                continue
            if in_url[start]:
                continue
            out.append((start, end, ok))
        return out

    def _decide(self, span: _Span, out: _Outcome) -> bool:
        """Link or reject one chosen span; False when it needs the countries of the
        whole passage (ambiguous or generic organization alias)."""
        start, end, targets = span
        text = out.text
        best_rank = min(t.rank for t in targets)
        targets = [t for t in targets if t.rank == best_rank]
        kind = targets[0].entity_type
        if kind == "none":
            return out.reject(start, end, f"not a mention: {targets[0].key!r}")
        if kind == "organization":
            if _inside_longer_name(text, start, end):
                return out.reject(start, end, "part of a longer capitalised name")
            if len({t.key for t in targets}) == 1 and not targets[0].generic:
                targets = targets[:1]
            if len(targets) > 1 or targets[0].generic:
                return False  # needs the countries in context
        if kind == "sector":
            if _sector_word_in_name(text, start, end):
                return out.reject(start, end, "sector word inside a proper name")
            if len(targets) > 1:
                targets = _most_specific_sectors(targets, self.registry)
                if len(targets) > 1:
                    keys = "|".join(t.key for t in targets)
                    return out.reject(start, end, f"ambiguous sector keyword: {keys}")
        t = targets[0]
        if t.weak is not None:
            out.weak.append((start, end, t))  # decided once all other mentions are known
            return True
        if t.rule == "country-metonym":
            ok, reason = _metonym_context(text, start, end, self.registry.linking)
            if not ok:
                return out.reject(start, end, reason)
        return out.link(start, end - 1 if t.prefix else end, t.entity_type, t.key, t.rule)

    def _resolve_by_country(
        self, span: _Span, named: set[str], context_country: str | None, out: _Outcome
    ) -> None:
        """An ambiguous or generic organization alias: a brand family goes to
        :meth:`_resolve_brand`; otherwise link the one candidate whose country is named
        in the passage (or, when none is, is ``context_country``), else reject it."""
        start, end, targets = span
        keys = list(dict.fromkeys(t.key for t in targets))
        orgs = self.registry.organizations
        root = _family_root(keys, orgs) if len(keys) > 1 else None
        if root is not None:
            self._resolve_brand(span, keys, root, {context_country} if context_country else named, out)
            return
        in_context = [k for k in keys if orgs[k].country in named]
        if not in_context and context_country:
            in_context = [k for k in keys if orgs[k].country == context_country]
        if len(keys) == 1:
            if in_context:
                out.link(start, end, "organization", keys[0], "organization-generic-in-context")
            else:
                out.reject(start, end, f"generic alias of {keys[0]} without "
                                       f"{orgs[keys[0]].country} in the passage")
        elif len(in_context) == 1:
            out.link(start, end, "organization", in_context[0],
                     "organization-ambiguous-resolved-by-country")
        else:
            out.reject(start, end, "ambiguous alias: " + "|".join(keys))

    def _resolve_brand(self, span: _Span, keys: list[str], root: str, context: set[str],
                       out: _Outcome) -> None:
        """A brand shared by ``root`` and its own subsidiaries: the subsidiary when the
        context country is its country (and not the parent's), else the parent;
        unlinked when the context names the countries of two subsidiaries."""
        start, end, _ = span
        orgs = self.registry.organizations
        home = orgs[root].country
        subs = [k for k in keys if k != root and orgs[k].country in context
                and orgs[k].country != home]
        if len(subs) > 1 and home not in context:
            out.reject(start, end, "brand of several subsidiaries in context: " + "|".join(subs))
        elif len(subs) == 1 and home not in context:
            out.link(start, end, "organization", subs[0], "organization-subsidiary-in-context")
        else:
            out.link(start, end, "organization", root, "organization-brand-parent")

    def _extend_legal_forms(self, out: _Outcome) -> None:
        """A registered company's mention covers the legal forms written right after
        it ("ZTE Corp", "Ericsson AB", "Wingtech Technology Co Ltd"), unless another
        mention starts there."""
        if self._legal_form is None:
            return
        starts = {m.char_start - out.offset for m in out.mentions}
        orgs = self.registry.organizations
        for i, m in enumerate(out.mentions):
            if m.entity_type != "organization" or orgs[m.entity_key].kind != "company":
                continue
            end = m.char_end - out.offset
            tail = self._legal_form.match(out.text, end)
            if tail is None or any(end < s < tail.end() for s in starts):
                continue
            new_end = tail.end()
            out.mentions[i] = Mention(m.char_start, new_end + out.offset, out.text[m.char_start - out.offset:new_end],
                                      m.entity_type, m.entity_key, m.rule)

    def _decide_weak(self, out: _Outcome) -> None:
        """Link each held weak sector keyword that has context (:func:`_weak_context`),
        reject the others with the reason."""
        def spans(types: tuple[str, ...]) -> list[tuple[int, int]]:
            return [(m.char_start - out.offset, m.char_end - out.offset) for m in out.mentions
                    if m.entity_type in types]

        entities = spans(("country", "organization"))
        sectors = spans(("sector",))  # other weak keywords on hold do not count
        weak_rules = self.registry.linking.weak_sector_keywords
        for start, end, t in out.weak:
            assert t.weak is not None
            if _weak_context(out.text, start, end, weak_rules[t.weak], entities, sectors):
                out.link(start, end, t.entity_type, t.key, "sector-keyword-in-context")
            else:
                out.reject(start, end, f"weak sector keyword {t.weak!r} without context")


def _family_root(keys: list[str], orgs: dict) -> str | None:
    """The key among ``keys`` that is a parent (or grand-parent, ...) of all the
    others, or None when the claimants are not one corporate family."""
    def ancestors(key: str) -> set[str]:
        seen: set[str] = set()
        cur = orgs[key].parent
        while cur is not None and cur not in seen:
            seen.add(cur)
            cur = orgs[cur].parent
        return seen

    for root in keys:
        if all(root in ancestors(k) for k in keys if k != root):
            return root
    return None


_Span = tuple[int, int, list[_Target]]


class _Outcome:
    """The mentions and rejects of one passage, with offsets shifted on the way in."""

    def __init__(self, text: str, offset: int):
        self.text, self.offset = text, offset
        self.mentions: list[Mention] = []
        self.rejects: list[Reject] = []
        self.weak: list[tuple[int, int, _Target]] = []  # weak sector keywords on hold

    def link(self, start: int, end: int, etype: str, key: str, rule: str) -> bool:
        o = self.offset
        self.mentions.append(Mention(start + o, end + o, self.text[start:end], etype, key, rule))  # type: ignore[arg-type]
        return True

    def reject(self, start: int, end: int, reason: str) -> bool:
        o = self.offset
        self.rejects.append(Reject(start + o, end + o, self.text[start:end], reason))
        return True


def _longest_first(candidates: list[_Span], n: int) -> list[_Span]:
    """Longest match first, then leftmost; a span overlapping a chosen one is dropped.
    Returned in text order."""
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
    taken = bytearray(n + 1)
    chosen: list[_Span] = []
    for start, end, targets in candidates:
        if any(taken[start:end]):
            continue
        taken[start:end] = b"\x01" * (end - start)
        chosen.append((start, end, targets))
    chosen.sort(key=lambda c: (c[0], c[1]))
    return chosen


def _is_generic_surface(surface: str, country_word_re: re.Pattern | None) -> bool:
    """A multi-word institutional name with no acronym and no country word in it
    ("Ministry of Foreign Affairs", "National Science Centre"). `country_word_re`
    matches any country word, on word boundaries, in lower-case text."""
    tokens = re.findall(r"[\w-]+", surface)
    if len(tokens) < 2:
        return False
    low = surface.lower()
    if any(sum(ch.isupper() for ch in tok) >= 2 for tok in tokens):
        return False
    return country_word_re is None or country_word_re.search(low) is None


def _inside_longer_name(text: str, start: int, end: int) -> bool:
    """A one-word, title-case organization alias ("Council") right after another
    title-case word ("China Council for the Promotion ...") belongs to a longer name."""
    surface = text[start:end]
    if " " in surface or not surface[:1].isupper() or any(c.isupper() for c in surface[1:]):
        return False
    window = text[max(0, start - 60) : start]
    m = re.search(r"([,\w]) (\w+) $", window)  # the previous word, itself mid-sentence
    if not m:
        return False
    if not (m.group(1) == "," or m.group(1).islower()):
        return False
    prev = m.group(2)
    return prev[:1].isupper() and not any(c.isupper() for c in prev[1:])


# a word for the weak-keyword rule: letters/digits with inner hyphens, apostrophes,
# dots or "&" ("China-linked", "France's", "R&D"); separated by spaces or one hyphen
_WORD = "[^\\W\u00b9\u00b2\u00b3\u2070-\u2079]"  # a word character, not an endnote mark
_PREV_TOKEN = re.compile(rf"((?:{_WORD}|[&'’.\-])*{_WORD})(?:\s+|-)$")
_NEXT_TOKEN = re.compile(rf"(?:\s+|-)((?:{_WORD}|[&'’.\-])*{_WORD})")
_COORDINATORS = frozenset({"and", "or"})


def _neighbour_words(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    """Spans of the word right before and right after text[start:end], stepping over
    one "and"/"or" ("research and industrial"; the flag says a coordinator was
    stepped over). Punctuation stops the search."""
    out = []
    for before in (True, False):
        pos = start if before else end
        for coordinated in (False, True):
            m = _PREV_TOKEN.search(text, max(0, pos - 60), pos) if before \
                else _NEXT_TOKEN.match(text, pos, pos + 60)
            if not m:
                break
            if text[m.start(1) : m.end(1)].lower() not in _COORDINATORS:
                out.append((m.start(1), m.end(1), coordinated))
                break
            pos = m.start(1) if before else m.end(1)
    return out


def _weak_context(text: str, start: int, end: int, words: frozenset[str],
                  entities: list[tuple[int, int]], sectors: list[tuple[int, int]]) -> bool:
    """Does a neighbouring word give the weak keyword at text[start:end] its sector
    sense: it is on ``words`` (whole or one of its hyphen/apostrophe parts, folded),
    lies in a country or organization mention (``entities``), or is a sector mention
    joined by "and"/"or" ("ICT and construction")?"""
    for w_start, w_end, coordinated in _neighbour_words(text, start, end):
        spans = entities + sectors if coordinated else entities
        if any(s < w_end and w_start < e for s, e in spans):
            return True
        word = fold(text[w_start:w_end])
        if word in words or any(p in words for p in re.split(r"[-'’]", word)):
            return True
    return False


def _title_word(word: str) -> bool:
    return word[:1].isupper() and not word.isupper()


def _sector_word_in_name(text: str, start: int, end: int) -> bool:
    """A capitalised sector keyword next to another capitalised word, mid-sentence,
    is part of a name ("EU Chips Act", "Estonian Crop Research Institute")."""
    surface = text[start:end]
    if not _title_word(surface):
        return False
    before = re.search(r"(\w[\w&'’-]*) $", text[max(0, start - 40) : start])
    after = re.match(r" ([\w&-]+)", text[end : end + 40])
    prev_cap = bool(before) and _title_word(before.group(1)) or (
        bool(before) and before.group(1).isupper() and before.group(1).isalpha()
    )
    next_cap = bool(after) and (after.group(1)[:1].isupper())
    return prev_cap or next_cap


def _most_specific_sectors(targets: list[_Target], registry: Registry) -> list[_Target]:
    """Keep sub-sectors when a keyword belongs to a parent and its child."""
    keys = {t.key for t in targets}
    keep = [t for t in targets if not any(registry.sectors[k].parent == t.key for k in keys)]
    return keep or targets


def _metonym_context(text: str, start: int, end: int, rules: LinkingRules) -> tuple[bool, str]:
    """Is the capital at text[start:end] used for its government? The verb, adverb and
    preposition lists come from ``rules`` (etl/reference/linking.yaml)."""
    after = text[end : end + 40]
    if after[:1] in _APOSTROPHES and (after[1:2] == "s" and not _is_word_char(after[2:3] or " ")
                                      or not _is_word_char(after[1:2] or " ")):
        return True, "possessive"
    m = _NEXT_WORDS.match(after)
    if m:
        first, second = m.group(1), m.group(2)
        if first in rules.government_verbs:
            return True, "subject"
        if (first in rules.adverbs or first.endswith("ly")) and second in rules.government_verbs:
            return True, "subject"
    p = _PREV_WORD.search(text[max(0, start - 30) : start])
    prev = p.group(1).lower() if p and text[p.end(1) + max(0, start - 30): start].strip() == "" else None
    if prev in rules.government_prepositions:
        return True, "object"
    if prev in rules.location_prepositions:
        return False, f"metonym used as a place ('{prev} {text[start:end]}')"
    return False, "metonym without a government-action context"
