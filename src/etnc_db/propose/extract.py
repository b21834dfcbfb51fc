"""Candidate extraction: sentences -> triggers -> slots -> scored candidates.

    rules = load_rules(Path("etl/extraction"))
    candidates = propose(document, rules)        # document: ProposeInput

Pure and deterministic: the same input and rule files give the same candidates, in the
same order, with the same keys."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from etnc_db.quotes import normalize

from . import slots
from .candidate import Candidate, MentionInput, PassageInput, ProposeInput
from .prefilter import LiteralIndex, can_match
from .rules import FACT_TYPES, TYPE_FIELD, Rules, Trigger

CODE_VERSION = "propose-1"

# ----------------------------------------------------------------------------- sentences


@dataclass
class Sentence:
    passage: PassageInput
    index: int
    text: str
    start: int  # offsets in the passage text
    end: int
    spans: tuple[tuple[int, int], ...]  # stored-text spans (split at segment breaks)
    mentions: list[tuple[int, int, MentionInput]] = field(default_factory=list)  # sentence offsets
    triggers: dict[str, list[Trigger]] | None = None  # per fact type, those that can match (None: all)


@lru_cache(maxsize=1)
def _segmenter():
    from .sentences import Segmenter  # pysbd's boundaries, faster

    return Segmenter()


# An endnote marker right after a sentence's full stop goes with that sentence, not the next.
_LEADING_MARKERS = frozenset("⁰¹²³⁴⁵⁶⁷⁸⁹˒")


@lru_cache(maxsize=4096)
def split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans of ``text`` (pysbd, rule-based English), trailing spaces trimmed."""
    pieces = _segmenter().segment(text) if text.strip() else []
    spans, pos = [], 0
    for piece in pieces:
        found = text.find(piece, pos) if "".join(pieces) != text else pos
        if found < 0:
            found = pos
        start, end = found, found + len(piece)
        pos = end
        while start < end and (text[start].isspace() or text[start] in _LEADING_MARKERS):
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return tuple(spans)


def _segment_map(p: PassageInput) -> list[tuple[int, int, int]]:
    """(passage offset, stored start, length) per segment."""
    out, pos = [], 0
    for i, (s, e) in enumerate(p.segments):
        if i:
            pos += len(p.separators[i - 1]) if i - 1 < len(p.separators) else 1
        out.append((pos, s, e - s))
        pos += e - s
    return out


def _stored_spans(seg_map, a: int, b: int) -> tuple[tuple[int, int], ...]:
    spans = []
    for pos, s, length in seg_map:
        lo, hi = max(a, pos), min(b, pos + length)
        if lo < hi:
            spans.append((s + lo - pos, s + hi - pos))
    return tuple(spans)


def _passage_offset(seg_map, stored: int) -> int | None:
    for pos, s, length in seg_map:
        if s <= stored <= s + length:
            return pos + stored - s
    return None


def _may_propose(text: str, possible: dict[str, list[Trigger]]) -> bool:
    """Whether any trigger matches somewhere in `text` (of `possible`, the ones that can):
    a passage where none does proposes nothing, so its sentences need not be split
    (pysbd is the costly step)."""
    return any(t.regex.search(text) for triggers in possible.values() for t in triggers)


def possible_triggers(text: str, rules: Rules) -> dict[str, list[Trigger]]:
    """Per fact type, the triggers (in rule order) whose literal words occur in `text`:
    the only ones that can match in it or in any part of it (see `prefilter`)."""
    index = _literal_index(rules)
    can = iter(index.possible(text))
    return {fact_type: [t for t in rules.triggers[fact_type] if next(can)] for fact_type in FACT_TYPES}


_INDEXES: dict[int, tuple[Rules, LiteralIndex]] = {}


def _literal_index(rules: Rules) -> LiteralIndex:
    """The literal index of every trigger of `rules`, in FACT_TYPES then rule order (its
    `found` also knows the blockers' literals)."""
    held = _INDEXES.get(id(rules))
    if held is None or held[0] is not rules:
        held = _INDEXES[id(rules)] = (rules, LiteralIndex([t.regex for f in FACT_TYPES for t in rules.triggers[f]],
                                                          also=[b.regex for f in FACT_TYPES for b in rules.blockers[f]]))
    return held[1]


def sentences(doc: ProposeInput, rules: Rules | None = None) -> list[Sentence]:
    """The sentences of every passage (of the passages where a trigger of `rules`
    matches, when given), with the mentions inside each."""
    import bisect

    starts = [m.char_start for m in doc.mentions]
    out: list[Sentence] = []
    for p in doc.passages:
        possible = possible_triggers(p.text, rules) if rules is not None else None
        if possible is not None and not _may_propose(p.text, possible):
            continue
        seg_map = _segment_map(p)
        lo = bisect.bisect_left(starts, p.segments[0][0]) if p.segments else 0
        hi = bisect.bisect_right(starts, p.segments[-1][1]) if p.segments else 0
        pmentions = []
        for m in doc.mentions[lo:hi]:
            a = _passage_offset(seg_map, m.char_start)
            b = _passage_offset(seg_map, m.char_end)
            if a is not None and b is not None and b > a:
                pmentions.append((a, b, m))
        for i, (a, b) in enumerate(split_sentences(p.text)):
            s = Sentence(p, i, p.text[a:b], a, b, _stored_spans(seg_map, a, b), triggers=possible)
            s.mentions = [(ma - a, mb - a, m) for ma, mb, m in pmentions if a <= ma and mb <= b]
            out.append(s)
    return out


# ----------------------------------------------------------------------------- triggers


@dataclass(frozen=True)
class Hit:
    trigger: Trigger
    start: int
    end: int


_NOT_GIVEN = frozenset({"\0not given"})


def trigger_hits(sentence: str, fact_type: str, rules: Rules, triggers: list[Trigger] | None = None,
                 words: frozenset[str] | None = _NOT_GIVEN) -> list[Hit]:
    """The non-empty matches of the type's triggers, in rule order, minus those inside a
    blocker's match. `triggers`: the type's triggers that can match in a text holding the
    sentence (`possible_triggers`), to skip the others; regexes whose literal words the
    sentence lacks are not run either (`words`: the sentence's literals, from
    `_literal_index(rules).found`, when already known)."""
    if words is _NOT_GIVEN:
        words = _literal_index(rules).found(sentence)
    found = [(t, m) for t in (rules.triggers[fact_type] if triggers is None else triggers) if can_match(t.regex, words)
             for m in t.regex.finditer(sentence) if m.end() > m.start()]
    if not found:
        return []
    blocked = [(m.start(), m.end()) for b in rules.blockers[fact_type] if can_match(b.regex, words)
               for m in b.regex.finditer(sentence)]
    return [Hit(t, m.start(), m.end()) for t, m in found
            if not any(s <= m.start() and m.end() <= e for s, e in blocked)]


# ----------------------------------------------------------------------------- context cues

_POSSESSIVE = re.compile(r"^(?:'s|’s|'|’)(?!\w)")
_GOV_AFTER = re.compile(r"^\s+(?:federal |national |central |new )?(?:government|authorities|parliament|ministry|ministries|state|cabinet|regulators?|administration|legislators?|lawmakers|presidency|prime minister|president|chancellor|competent authorities|security services?)\b", re.IGNORECASE)
_TARGET_BEFORE = re.compile(r"\b(?:on|against|targeting|towards|toward|from|to|into|with|over|of|for|by|vis-à-vis|involving|between)\s+(?:the\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_LOC_BEFORE = re.compile(r"\b(?:in|at|near|into|across|throughout|within|outside)\s+(?:the\s+)?$", re.IGNORECASE)
_HOST_BEFORE = re.compile(r"\b(?:in|into|to)\s+(?:the\s+)?(?:[\w-]+\s+)?$", re.IGNORECASE)
_BY_BEFORE = re.compile(r"\b(?:by|from)\s+(?:the\s+)?(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_OBJ_BEFORE = re.compile(r"\b(?:of|in|into|acquired|acquire|acquires|acquiring|bought|buy|buys|purchased|took over|take over|takes over|stake in|shares in)\s+(?:the\s+|a\s+)?(?:[\w-]+\s+)?$", re.IGNORECASE)
_DESC_NOUN = re.compile(r"^[\s-]*(?:(?:state-owned|private|leading|major|large|big|tech|technology|telecom|telecoms|automotive|battery|EV|electric vehicle|solar|research|academic|industrial|energy)\s+){0,2}(?:companies|company|firms?|investors?|buyers?|partners?|universit(?:y|ies)|institutions?|enterprises?|entities|manufacturers?|carmakers?|automakers?|chipmakers?|vendors?|suppliers?|counterparts?|researchers?|scientists?|actors?|owners?|groups?|consortium|players?|operators?|students?|nationals?|citizens?|governments?|authorities|side|delegations?|providers?)\b", re.IGNORECASE)
_GOODS_NOUN = re.compile(r"^[\s-]*(?:[\w-]+\s+)?(?:equipment|technolog(?:y|ies)|products?|goods|imports?|exports?|EVs?|electric vehicles?|cars?|capital|ownership|investments?|investors?|drones?|cameras?|components?|modules?|inverters?|apps?|software|hardware|systems?|platforms?)\b", re.IGNORECASE)
# A country name used as a modifier or possessor: a noun follows, not a conjunction,
# preposition, verb or punctuation.
_ATTRIBUTIVE = re.compile(r"^(?:'s|’s|')?\s+(?!(?:and|or|but|nor|as|in|on|at|to|for|from|with|by|of|over|after|before|since|until|which|that|who|were|was|is|are|has|have|had|will|would|could|can|may|might|should|did|does|do|itself|alone|also|too|amid)\b)[A-Za-z]")
_HEDGE = re.compile(r"\b(?:could|might|may|potential(?:ly)?|possible|possibly|should|hypothetical|whether|if)\b", re.IGNORECASE)
_GENERIC = re.compile(r"\b(?:such as|for example|e\.g\.|including|many|several|various|numerous|increasingly|growing|general(?:ly)?|often|typically|remain(?:s|ed)?|overall|broader|trend|debate|discourse|narrative|perceived|perception)\b", re.IGNORECASE)
_CAPWORD_LOC = re.compile(r"\b(?:in|near|at)\s+((?:[A-Z][a-zà-žß'’-]+)(?:[ -](?:[A-Z][a-zà-žß'’-]+)){0,2})")
_NOT_PLACE = set(slots.MONTHS) | {"the", "china", "europe", "addition", "particular", "general", "turn", "fact", "response", "this", "that", "its", "their", "january"}
# Agreement types concluded by governments: when the sentence names no party, the
# chapter's country and China are the likely signatories (a chapter tells its
# country's relations with China).
GOVERNMENT_AGREEMENTS = {"st_agreement", "strategic_partnership", "joint_declaration", "framework_agreement"}
GOV_KINDS = {"government_body", "agency", "international_organization", "party"}


def _describes(m: MentionInput, after: str) -> bool:
    """A country adjective that describes actors or goods ("Chinese vendors", "Chinese-made EVs")."""
    return m.rule == "country-adjective" and bool(_DESC_NOUN.match(after) or _GOODS_NOUN.match(after))


def _ctx_before(s: Sentence, start: int, n: int = 40) -> str:
    return s.text[max(0, start - n):start]


def _after(s: Sentence, end: int, n: int = 40) -> str:
    return s.text[end:end + n]


# ----------------------------------------------------------------------------- slots per type


def _sectors(s: Sentence) -> list[str]:
    return list(dict.fromkeys(m.entity_key for _, _, m in s.mentions if m.entity_type == "sector" and m.entity_key))


def _orgs(s: Sentence) -> list[tuple[int, int, MentionInput]]:
    return [x for x in s.mentions if x[2].entity_type == "organization"]


def _countries(s: Sentence) -> list[tuple[int, int, MentionInput]]:
    return [x for x in s.mentions if x[2].entity_type == "country" and x[2].entity_key]


def _org_value(m: MentionInput) -> str:
    return m.entity_key or m.surface


def _description(s: Sentence, rules: Rules, country_start: int | None = None) -> tuple[str, str | None] | None:
    for cue in rules.unnamed_actor:
        for m in cue.regex.finditer(s.text):
            country = None
            for a, _b, cm in _countries(s):
                if m.start() <= a < m.end():
                    country = cm.entity_key
            if country is not None or country_start is None:
                return m.group(0), country
    return None


def _country_descriptions(s: Sentence) -> list[tuple[int, int, str, str]]:
    """Adjective + noun groups naming unnamed actors: "Chinese partners" -> (start, end, text, CN)."""
    out = []
    for a, b, m in _countries(s):
        if m.rule != "country-adjective":
            continue
        nm = _DESC_NOUN.match(s.text[b:])
        if nm:
            out.append((a, b + nm.end(), s.text[a:b + nm.end()], m.entity_key))
    return out


def _date(s: Sentence, doc: ProposeInput, position: int) -> slots.DateValue | None:
    dates = _sentence_dates(s.text, doc.published)
    return slots.nearest(dates, position) if dates else None


@lru_cache(maxsize=64)
def _sentence_dates(text: str, published: str | None) -> tuple[slots.DateValue, ...]:
    """The dates of a sentence, found once for all the candidates of its fact types."""
    return tuple(slots.find_dates(text, published))


def _role_cues(s: Sentence, rules: Rules, orgs: list) -> dict[int, str]:
    """Role an organization's context states (slots.yaml ``roles``): "acquisition of X",
    "X was acquired", "X, owned by" -> target; "X's investment in", "X acquired" -> investor."""
    out: dict[int, str] = {}
    for i, (a, b, _m) in enumerate(orgs):
        before, after = s.text[max(0, a - 60):a], s.text[b:b + 60]
        for cue in rules.roles:
            if cue.regex.search(before if cue.value.endswith("before") else after):
                out[i] = cue.value.split("_")[0]
                break
    return out


def _roles(s: Sentence, rules: Rules, hit: Hit, orgs: list) -> tuple[tuple | None, tuple | None]:
    """(investor, target) among the sentence's non-government organizations."""
    cued = _role_cues(s, rules, orgs)
    investor = next((orgs[i] for i in sorted(cued) if cued[i] == "investor"), None)
    target = next((orgs[i] for i in sorted(cued) if cued[i] == "target"), None)
    free = [x for i, x in enumerate(orgs) if i not in cued]
    if investor is None:
        for a, b, m in free:  # "... by X" / "from X"
            if a >= hit.start and _BY_BEFORE.search(_ctx_before(s, a)):
                investor = (a, b, m)
                break
    if investor is None:
        before = [x for x in free if x[1] <= hit.end]
        if before:
            investor = before[-1] if not _OBJ_BEFORE.search(_ctx_before(s, before[-1][0])) else before[0]
    if target is None:
        for a, b, m in free:
            if investor and m is investor[2]:
                continue
            if a >= hit.start and _OBJ_BEFORE.search(_ctx_before(s, a)):
                target = (a, b, m)
                break
    if target is None and investor is not None and investor[0] >= hit.start:
        before = [x for x in free if x[1] <= hit.start and x[2] is not investor[2]]
        if before:
            target = before[-1]
    if investor is None and free and target is None:
        investor = free[0]
    return investor, target


def _type_on_company(type_value: str | None, target, doc: ProposeInput, mapping: dict[str, str]) -> str:
    """The fact's type, recoded by ``mapping`` (slots.yaml ``*_type_on_company``) when its
    target (a mention tuple or an organization key) is a registered company: money put
    into a named company is a stake, a ban on a named company a vendor restriction."""
    key = target[2].entity_key if isinstance(target, tuple) else target
    info = doc.organizations.get(key) if key else None
    value = type_value or "other"
    return mapping.get(value, value) if info is not None and info.kind == "company" else value


def _investment(s: Sentence, doc: ProposeInput, rules: Rules, hit: Hit, type_value: str | None,
                amount: slots.Amount | None) -> dict:
    orgs = [x for x in _orgs(s) if not (x[2].entity_key and doc.organizations.get(x[2].entity_key)
                                         and doc.organizations[x[2].entity_key].kind in GOV_KINDS)]
    investor, target = _roles(s, rules, hit, orgs)
    investor_key = _org_value(investor[2]) if investor else None
    info = doc.organizations.get(investor_key) if investor else None
    if target is None and info is not None and info.parent and info.parent_country \
            and info.parent_country != info.country:  # a foreign group's local subsidiary: the group invests in it
        target, investor_key = investor, info.parent
        investor = None
    proposed: dict = {"investor": investor_key, "investor_description": None}
    if investor_key is None:  # an adjective group right before the target describes the target
        descs = [d for d in _country_descriptions(s) if not (target and 0 <= target[0] - d[1] <= 2)]
        if descs:
            proposed["investor_description"] = descs[0][2]
            proposed["investor_country"] = descs[0][3]
    proposed["target"] = _org_value(target[2]) if target else None
    # host country: a country after in/into/to; else the target's country; else the chapter's
    host = None
    investor_cc = info.parent_country if info is not None and investor is None else \
        doc.organizations[investor_key].country if investor_key in doc.organizations else None
    for a, _, m in _countries(s):
        if m.rule in ("country-name",) and _HOST_BEFORE.search(_ctx_before(s, a, 30)):
            host = m.entity_key
            break
    if host is None and target and target[2].entity_key in doc.organizations:
        host = doc.organizations[target[2].entity_key].country
    if host is None:
        names = [m.entity_key for _, _, m in _countries(s) if m.rule == "country-name" and m.entity_key != investor_cc]
        host = names[0] if names else None
    if host is None and s.passage.chapter_country not in (None, "EU"):
        host = s.passage.chapter_country
    location = None
    for lm in _CAPWORD_LOC.finditer(s.text):
        word = lm.group(1)
        if word.lower() in _NOT_PLACE or any(a <= lm.start(1) < b for a, b, _ in s.mentions):
            continue
        location = word
        break
    proposed.update({
        "target_name": None, "host_country": host, "location": location,
        "investment_type": _type_on_company(type_value, target, doc, rules.investment_type_on_company),
        "amount": amount.amount if amount else None,
        "currency": amount.currency if amount else None,
        "amount_qualifier": amount.qualifier if amount else None,
    })
    if amount and amount.amount_max:
        proposed["amount_max"] = amount.amount_max
    return proposed


def _agreement(s: Sentence, doc: ProposeInput, rules: Rules, hit: Hit, type_value: str | None) -> dict:
    parties: list[dict] = []
    seen = set()
    descs = _country_descriptions(s)
    for a, _b, m in sorted(s.mentions, key=lambda x: x[0]):
        if m.entity_type == "organization":
            value = _org_value(m)
            if ("o", value) in seen:
                continue
            seen.add(("o", value))
            parties.append({"organization": value, "role": "signatory" if type_value in ("mou",) else "partner"})
        elif m.entity_type == "country" and m.entity_key:
            desc = next((d for d in descs if d[0] == a), None)
            if desc:
                if ("d", desc[2]) in seen:
                    continue
                seen.add(("d", desc[2]))
                parties.append({"description": desc[2], "country": desc[3], "role": "partner"})
                continue
            if m.rule == "country-adjective" or (_LOC_BEFORE.search(_ctx_before(s, a, 20)) and m.rule == "country-name"):
                continue
            if ("c", m.entity_key) in seen:
                continue
            seen.add(("c", m.entity_key))
            parties.append({"country": m.entity_key, "role": "signatory"})
    parties = _party_countries(parties, doc)
    orgs = [doc.organizations.get(x["organization"]) for x in parties if "organization" in x]
    states_only = all(info is not None and info.kind in GOV_KINDS for info in orgs)  # no company or institute
    bilateral = states_only and any(cue.regex.search(s.text) for cue in rules.bilateral)
    if (type_value in GOVERNMENT_AGREEMENTS and states_only) or bilateral:
        # the chapter's country and its counterpart: China, unless the sentence names another
        foreign = any(x.get("country") not in (None, "EU", "CN", s.passage.chapter_country) and "description" not in x
                      for x in parties)
        for code in (s.passage.chapter_country, None if foreign else "CN"):
            if code and code != "EU" and ("c", code) not in seen:
                seen.add(("c", code))
                parties.append({"country": code, "role": "signatory"})
    if type_value is None:  # untyped: the kind of a named party may tell ("cooperation with a university")
        kinds = [doc.organizations[x["organization"]].kind for x in parties
                 if x.get("organization") in doc.organizations]
        type_value = next((rules.agreement_type_by_party_kind[k] for k in kinds
                           if k in rules.agreement_type_by_party_kind), None)
    return {"parties": parties, "agreement_type": type_value or "other"}


def _party_countries(parties: list[dict], doc: ProposeInput) -> list[dict]:
    """Countries next to named organizations: a government body's country is a party
    (a ministry signs for its state); with only companies or institutions named, a
    country in the sentence qualifies them ("China's Dongfeng", "in Brazil"), not a party."""
    kinds = {x["organization"]: doc.organizations.get(x["organization"]) for x in parties if "organization" in x}
    if not kinds:
        return parties
    gov = [info.country for info in kinds.values() if info is not None and info.kind in GOV_KINDS and info.country]
    if not gov:
        return [x for x in parties if "organization" in x or "description" in x]
    return parties


def _policy(s: Sentence, doc: ProposeInput, rules: Rules, hit: Hit, type_value: str | None,
            stance: str | None) -> dict:
    issuer = None
    issuers = [x for x in _orgs(s) if x[2].entity_key and doc.organizations.get(x[2].entity_key)
               and doc.organizations[x[2].entity_key].kind in GOV_KINDS]
    if issuers:
        issuer = slots.nearest([_Span(a, b, m) for a, b, m in issuers], hit.start).item
    jurisdiction, strength = None, -1
    choices = []
    for a, b, m in _countries(s):
        after, before = _after(s, b), _ctx_before(s, a)
        if _POSSESSIVE.match(after) or _GOV_AFTER.match(after):
            rank = 3
        elif b <= hit.start + 1 and not _TARGET_BEFORE.search(before) and not _describes(m, after) \
                and not (m.rule == "country-adjective" and m.entity_key == "CN"):
            rank = 2
        elif not _TARGET_BEFORE.search(before) and not _describes(m, after) and m.entity_key != "CN":
            rank = 1
        else:
            continue
        choices.append((rank, -abs(a - hit.start), m.entity_key))
    for cue in rules.jurisdiction:
        for jm in cue.regex.finditer(s.text):
            before = _ctx_before(s, jm.start())
            if _TARGET_BEFORE.search(before) and not _POSSESSIVE.match(_after(s, jm.end())):
                continue
            choices.append((3 if jm.end() <= hit.start + 1 else 2, -abs(jm.start() - hit.start), cue.value))
    if choices:
        choices.sort(reverse=True)
        strength, _, jurisdiction = choices[0]
    if issuer is not None and strength < 3:
        info = doc.organizations.get(issuer.entity_key)
        if info is not None:
            jurisdiction = info.country or "multilateral"
    if jurisdiction is None:
        jurisdiction = s.passage.chapter_country
    targets: list[dict] = []
    seen = set()
    for _a, _b, m in _orgs(s):
        if issuer is not None and m.entity_key == issuer.entity_key:
            continue
        if m.entity_key and doc.organizations.get(m.entity_key) and doc.organizations[m.entity_key].kind in GOV_KINDS:
            continue
        value = _org_value(m)
        if value not in seen:
            seen.add(value)
            targets.append({"organization": value})
    for a, b, m in _countries(s):
        if m.entity_key == jurisdiction:
            continue
        if m.entity_key != "CN" and m.rule != "country-adjective" and _ATTRIBUTIVE.match(_after(s, b)):
            continue  # "EU tariffs", "US suppliers", "the EU's toolbox": whose, not whom
        if _TARGET_BEFORE.search(_ctx_before(s, a)) or _describes(m, _after(s, b)) or m.entity_key == "CN":
            if ("c", m.entity_key) not in seen:
                seen.add(("c", m.entity_key))
                targets.append({"country": m.entity_key})
    if stance is None:
        stance = slots.first_cue(rules.stance_cues, s.text) or "neutral"
    company = next((x["organization"] for x in targets if "organization" in x), None)
    type_value = _type_on_company(type_value, company, doc, rules.measure_type_on_company)  # "banned Huawei"
    type_value = rules.measure_type_in_jurisdiction.get(jurisdiction or "", {}).get(type_value, type_value)
    return {"jurisdiction": jurisdiction, "issuer": issuer.entity_key if issuer else None,
            "measure_type": type_value or "other", "stance": stance, "targets": targets}


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    item: MentionInput


# ----------------------------------------------------------------------------- candidates

FIELD_ORDER = {
    "investment": ("investor", "investor_description", "investor_country", "target", "target_name", "host_country",
                   "location", "investment_type", "status", "amount", "amount_max", "currency", "amount_qualifier",
                   "date", "sectors"),
    "agreement": ("parties", "agreement_type", "status", "date", "sectors"),
    "policy_measure": ("jurisdiction", "issuer", "measure_type", "status", "stance", "targets", "date", "sectors"),
}


@dataclass
class RawCandidate:
    fact_type: str
    sentences: list[Sentence]
    proposed: dict
    features: dict[str, float]
    title: str
    meta: dict[str, str] = field(default_factory=dict)  # rule-level outputs, keys of the calibration tables

    @property
    def evidence(self) -> tuple[tuple[int, int], ...]:
        return tuple(span for s in self.sentences for span in s.spans)


def _features(s: Sentence, hits: list[Hit], proposed: dict, fact_type: str, other_types: int,
              found: dict[str, bool]) -> dict[str, float]:
    """The confidence model's inputs for one candidate; ``found`` says whether the slots
    amount, date and status_cue were filled."""
    countries = {m.entity_key for _, _, m in _countries(s)}
    orgs = _orgs(s)
    return {
        "trigger": max(h.trigger.weight for h in hits),
        "triggers": min(len({h.trigger.where for h in hits}), 3) / 3,
        "typed": 1.0 if proposed.get(TYPE_FIELD[fact_type][0]) not in (None, "other") else 0.0,
        "org": 1.0 if any(m.entity_key for _, _, m in orgs) else 0.0,
        "unknown_org": 1.0 if any(not m.entity_key for _, _, m in orgs) else 0.0,
        "orgs": min(len(orgs), 3) / 3,
        "china": 1.0 if countries & {"CN", "HK", "MO"} else 0.0,
        "countries": min(len(countries), 3) / 3,
        "amount": 1.0 if found["amount"] else 0.0,
        "date": 1.0 if found["date"] else 0.0,
        "status_cue": 1.0 if found["status_cue"] else 0.0,
        "hedge": 1.0 if _HEDGE.search(s.text) else 0.0,
        "generic": min(len(_GENERIC.findall(s.text)), 2) / 2,
        "length": min(len(s.text), 400) / 400,
        "other_types": other_types / 2,
        "first_in_passage": 1.0 if s.index == 0 else 0.0,
    }


def _title(fact_type: str, p: dict, hit_text: str) -> str:
    def party(x: dict) -> str:
        return x.get("organization") or x.get("description") or x.get("country") or "?"

    if fact_type == "investment":
        who = p.get("investor") or p.get("investor_description") or "unnamed investor"
        what = (p.get("investment_type") or "investment").replace("_", " ")
        where = p.get("target") or p.get("location") or p.get("host_country") or ""
        return f"{who}: {what}{' in ' + where if where else ''}"
    if fact_type == "agreement":
        names = [party(x) for x in p.get("parties", [])[:3]]
        kind = (p.get("agreement_type") or "agreement").replace("_", " ")
        return f"{' – '.join(names) or 'Unnamed parties'}: {kind}"
    kind = (p.get("measure_type") or "measure").replace("_", " ")
    return f"{p.get('jurisdiction') or '?'} {kind} ({hit_text.strip()})"


def extract(doc: ProposeInput, rules: Rules) -> list[RawCandidate]:
    """Every candidate with its features, before confidence scoring and thresholds."""
    sents = sentences(doc, rules)
    index = _literal_index(rules)
    hits_by = []
    for s in sents:
        words = index.found(s.text)
        hits_by.append({t: trigger_hits(s.text, t, rules, s.triggers[t] if s.triggers else None, words)
                        for t in FACT_TYPES})
    out: list[RawCandidate] = []
    for i, s in enumerate(sents):
        hits = hits_by[i]
        for fact_type in FACT_TYPES:
            th = hits[fact_type]
            if not th:
                continue
            best = max(th, key=lambda h: (h.trigger.weight, -h.start))
            type_key = TYPE_FIELD[fact_type][0]
            order = {t.where: k for k, t in enumerate(rules.triggers[fact_type])}
            typed = sorted((h for h in th if h.trigger.type_value), key=lambda h: (order[h.trigger.where], h.start))
            type_value = typed[0].trigger.type_value if typed else None
            anchor = typed[0] if typed else best
            trig_status = next((h.trigger.status for h in sorted(th, key=lambda h: order[h.trigger.where])
                                if h.trigger.status), None)
            status, status_cue = slots.status_for(fact_type, s.text, rules, trig_status, type_value)
            used = [s]
            amount = None
            if fact_type == "investment":
                amounts = slots.find_amounts(s.text, rules)
                amount = amounts[0] if amounts else None
                nxt = sents[i + 1] if i + 1 < len(sents) else None
                if amount is None and nxt is not None and nxt.passage is s.passage \
                        and not any(hits_by[i + 1].values()):
                    amounts = slots.find_amounts(nxt.text, rules)
                    if amounts:
                        amount = amounts[0]
                        used.append(nxt)
            date = _date(s, doc, anchor.start)
            if fact_type == "investment":
                proposed = _investment(s, doc, rules, anchor, type_value, amount)
            elif fact_type == "agreement":
                proposed = _agreement(s, doc, rules, anchor, type_value)
            else:
                stance = next((h.trigger.stance for h in sorted(th, key=lambda h: order[h.trigger.where])
                               if h.trigger.stance), None)
                cue_stance = slots.first_cue(rules.stance_cues, s.text)
                if stance == "neutral" and cue_stance:
                    stance = cue_stance
                proposed = _policy(s, doc, rules, anchor, type_value, stance)
            proposed["status"] = status
            proposed["date"] = date.value if date else None
            proposed["sectors"] = _sectors(s)
            proposed = {k: proposed[k] for k in FIELD_ORDER[fact_type] if k in proposed}
            other = sum(1 for t in FACT_TYPES if t != fact_type and hits[t])
            feats = _features(s, th, proposed, fact_type, other,
                              {"amount": bool(amount), "date": bool(date), "status_cue": bool(status_cue)})
            meta = {"anchor": anchor.trigger.regex.pattern, "type": proposed.get(type_key) or "other",
                    "status": status, "stance": proposed.get("stance") or "",
                    "hit": s.text[anchor.start:anchor.end]}
            out.append(RawCandidate(fact_type, used, proposed, feats,
                                    _title(fact_type, proposed, s.text[anchor.start:anchor.end]), meta))
    return out


# ----------------------------------------------------------------------------- keys and version


def candidate_key(document_key: str, fact_type: str, evidence_text: str) -> str:
    payload = "\x1f".join((document_key, fact_type, normalize(evidence_text)))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


@lru_cache(maxsize=8)
def _code_digest() -> str:
    digest = hashlib.sha256(CODE_VERSION.encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def extractor_version(rules: Rules, weights_fingerprint: str = "") -> str:
    digest = hashlib.sha256("\0".join((_code_digest(), rules.fingerprint, weights_fingerprint)).encode())
    return f"{CODE_VERSION}+{digest.hexdigest()[:12]}"


def finalize(doc: ProposeInput, raws: list[RawCandidate], scores: list[float], version: str,
             thresholds: dict[str, float] | None = None, proposed: list[dict] | None = None) -> list[Candidate]:
    kept = []
    proposed = proposed or [r.proposed for r in raws]
    for raw, score, fields in zip(raws, scores, proposed, strict=True):
        if thresholds is not None and score < thresholds.get(raw.fact_type, 0.0):
            continue
        text = " ".join(doc.text[a:b] for a, b in raw.evidence)
        kept.append((raw, score, fields, candidate_key(doc.document_key, raw.fact_type, text)))
    keys = numbered([key for *_, key in kept])
    return [Candidate(key, doc.document_key, raw.fact_type, raw.evidence, fields,
                      _title(raw.fact_type, fields, raw.meta.get("hit", "")), round(score, 4), version,
                      dict(raw.features))
            for (raw, score, fields, _), key in zip(kept, keys, strict=True)]


def numbered(keys: list[str]) -> list[str]:
    """Candidate keys in document order, the second and later copies of a key (the same
    evidence proposed twice) numbered ``key-2``, ``key-3``; a key numbered before (in a
    part of the document proposed on its own) is numbered again."""
    used: dict[str, int] = {}
    out = []
    for key in keys:
        base = key.partition("-")[0]
        n = used.get(base, 0)
        used[base] = n + 1
        out.append(f"{base}-{n + 1}" if n else base)
    return out
