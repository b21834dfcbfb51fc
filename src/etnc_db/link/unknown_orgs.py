"""Organization names in news text that the registry does not know yet - bare names
included ("Airbus", "BASF") - each with its span and a proposed registry entry.

    findings = detect_in_document(text, parsed_document, registry)
    print(to_registry_yaml(propose(findings)))

A capitalised name (a run of capitalised words, joined by "of", "for", "and", ...)
becomes a finding only when a cue says it is an organization:

* structure: a head word ("Oxford University", "Anadolu News Agency"), a prefix
  ("Ministry of ...", "Committee to ..."), a legal form ("SAIC Motor Corp.", "... GmbH"),
  a German compound ending ("Wirtschaftsministerium"), an acronym given in parentheses
  after an organization ("School of Economics and Management (SEM)");
* context: a descriptor before it ("Dutch company X", "telecom giant X"), an apposition
  after it ("X, a Chinese chipmaker"), a verb after it ("X said"), an organization noun
  after its possessive ("X's board"), a list after a group noun ("firms including X",
  "Unternehmen wie X"), coordination with a known organization ("X and Huawei");
* a stand-alone acronym of three or more capitals that is not a unit or a term;
* a name found by one of these is found at its other occurrences in the document.

Never a finding: names the registry knows (the Linker's organization and country
mentions, and its ambiguous/generic rejects), places (pycountry, etl/reference/
places.yaml), people (titles, first names, Chinese surnames, people already seen in the
document), months and weekdays, job titles ("Chief Financial Officer"), generic
references ("the Government"). The word lists are data: etl/reference/unknown_orgs.yaml
and etl/reference/person_names.yaml.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from etnc_db.extract.metadata import load_metadata_rules, load_places
from etnc_db.reference.registry import Registry

from .linker import Linker

REFERENCE_DIR = Path(__file__).resolve().parents[3] / "etl" / "reference"
_TOKEN = re.compile(r"[^\W_](?:[\w&'’./-]*[\w&])?|&")
_ELIDED = re.compile(r"(?:d|l|dell|dall|nell|sull|all|degl|qu)['’](?=[A-ZÀ-Ý])")  # d'Alsace, l’Industria
_COMPOUND_ADJECTIVE = re.compile(r"-(?:based|backed|owned|listed|controlled|funded|financed|led|made|run|registered|"
                                 r"headquartered|affiliated|linked|related)$")
_DIGIT_NAME = re.compile(r"\d+[A-Z][a-z]{3,}")
_ADVERB = re.compile(r"[A-ZÀ-Ý][a-zà-ÿ]{3,}mente")
_CAMEL = re.compile(r"[A-Z][a-z]+(?:[A-Z][a-z]+)+")
# family-name particles ("McDonald", "DeSantis") and German gender endings ("MitarbeiterInnen")
_OWNED = re.compile(r"(?i)(?:^|\s)(?:its|their|his|her|our|your|sein|seine[nmrs]?|ihr|ihre[nmrs]?|son|sa|ses|leur|leurs|su|sus|suo|sua|suoi|loro)\s+$")
_CAMEL_NOT = re.compile(r"(?:Mc|Mac|Fitz|De|Di|Da|Du|La|Le|Van|Von)[A-Z]|.*Innen$")
# German determiners: after "der/die/das" one opens a relative clause ("die das Unternehmen
# anwendet"), an adjective or a noun opens an apposition ("der chinesische Konzern")
_DE_DETERMINERS = r"(?:der|die|das|den|dem|des|ein|eine[nmrs]?|kein|keine[nmrs]?|sein|seine[nmrs]?|ihr|ihre[nmrs]?|diese[nmrs]?)"
_AND_THE = frozenset("the der die das the la le les el los las il".split())  # "and the ..." ends a prefix name
_ARTICLES = frozenset("The El La Le Les Il Lo Los Las Der Die Das De Het".split())
_JOINERS = frozenset(
    "of for and the de del della degli dello dei delle di du des der für und y e et la le to on van von da do dos das zur zum am an".split()
    + ["&"]
)
_SENTENCE_END = re.compile(r"(?:^|[.!?:;]['\"”’)]?\s+|[\"“‘(]\s*)$")
_CALENDAR = frozenset(
    "January February March April May June July August September October November December "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "Januar Februar März Juni Juli Oktober Dezember Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag "
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre "
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre "
    "lunes martes miércoles jueves viernes sábado domingo "
    "gennaio febbraio aprile maggio giugno luglio settembre ottobre novembre dicembre "
    "lunedì martedì mercoledì giovedì venerdì sabato domenica".split()
)
_CALENDAR_CF = frozenset(w.casefold() for w in _CALENDAR)
_NO_SUPERSCRIPTS = str.maketrans({ch: " " for ch in "⁰¹²³⁴⁵⁶⁷⁸⁹˒⁻"})
_PREPOSITIONS = frozenset("on to at in by from".split())  # end a name unless a prefix holds them
_REPORTING = frozenset("said says announced told reported confirmed denied declined added stated".split())
_LANG_COUNTRY = {"Ministerio": "ES", "Ministère": "FR", "Ministero": "IT", "Bundesministerium": "DE", "Bundesamt": "DE",
                 "Région": "FR", "Communauté": "FR", "Commune": "FR", "Département": "FR", "Préfecture": "FR",
                 "Regione": "IT", "Comune": "IT", "Provincia": "IT", "Tribunale": "IT",
                 "Junta": "ES", "Generalitat": "ES", "Xunta": "ES", "Ayuntamiento": "ES", "Diputación": "ES"}


@dataclass(frozen=True)
class UnknownOrg:
    """One occurrence of an organization name the registry lacks, with the proposed
    registry entry. Offsets index the text given to the detector (plus its offset)."""

    surface: str
    char_start: int
    char_end: int
    cue: str  # head:University | prefix:Ministry of | legal:Corp. | compound:ministerium |
    #           acronym | alias-of:<name> | descriptor:company | apposition:firm | verb:said |
    #           possessive:board | group:companies | coordinated | repeat
    key: str
    name: str
    kind: str
    country: str | None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cues:
    """Parsed etl/reference/unknown_orgs.yaml + person_names.yaml (see those files)."""

    heads: dict[str, str]
    first_heads: dict[str, str]
    prefixes: list[tuple[tuple[str, ...], str]]
    compounds: list[tuple[str, str]]
    legal_forms: frozenset[str]
    descriptors: dict[str, str]
    group_nouns: frozenset[str]
    verbs: frozenset[str]
    weak_verbs: frozenset[str]
    preceding: tuple[str, ...]
    possessed: frozenset[str]
    not_acronyms: frozenset[str]
    not_names: frozenset[str]
    generic: frozenset[str]
    titles: frozenset[str]
    job_titles: tuple[tuple[str, ...], ...]
    first_names: frozenset[str]
    surnames: frozenset[str]
    places: dict[str, str | None] = field(default_factory=dict)
    apposition_descriptors: dict[str, str] = field(default_factory=dict)
    attributive: frozenset[str] = frozenset()
    after_descriptors: dict[str, str] = field(default_factory=dict)
    modifiers: frozenset[str] = frozenset()
    postposed_adjectives: frozenset[str] = frozenset()
    descriptor_suffixes: tuple[tuple[str, str], ...] = ()
    lower_bodies: tuple[tuple[str, str], ...] = ()  # (lower-case phrase, kind), longest first
    territorial_words: frozenset[str] = frozenset()
    lone_heads: dict[str, str] = field(default_factory=dict)  # body words naming one body alone
    portfolio_ministries: re.Pattern[str] | None = None  # "the economy ministry"
    portfolio_kind: str = "government_body"
    location_words: frozenset[str] = frozenset()
    office_titles: tuple[str, ...] = ()
    adjectival_heads: dict[str, str] = field(default_factory=dict)
    product_nouns: frozenset[str] = frozenset()
    not_heads: frozenset[str] = frozenset()
    agencies: tuple[str, ...] = ()  # news agencies and outlets (news_metadata.yaml)
    agency_before: re.Pattern[str] | None = None  # words before a short agency name citing it
    agency_after: re.Pattern[str] | None = None  # words after it


def _inverse(mapping: dict[str, list[str]]) -> dict[str, str]:
    return {str(w): kind for kind, words in mapping.items() for w in words}


@lru_cache(maxsize=4)
def load_cues(reference_dir: Path | str | None = None) -> Cues:
    """Read the cue lists (a missing key fails loudly)."""
    ref = Path(reference_dir) if reference_dir else REFERENCE_DIR
    d = yaml.safe_load((ref / "unknown_orgs.yaml").read_text(encoding="utf-8"))
    p = yaml.safe_load((ref / "person_names.yaml").read_text(encoding="utf-8"))
    prefixes = sorted(((tuple(str(w).replace("’", "'").split()), k) for w, k in _inverse(d["prefixes"]).items()),
                      key=lambda x: -len(x[0]))
    compounds = sorted(((str(s).casefold(), k) for s, k in _inverse(d["compound_suffixes"]).items()), key=lambda x: -len(x[0]))
    return Cues(
        heads=_inverse(d["heads"]),
        first_heads=_inverse(d["first_heads"]),
        prefixes=prefixes,
        compounds=compounds,
        legal_forms=frozenset(str(x) for x in d["legal_forms"]),
        descriptors={k.casefold(): v for k, v in _inverse(d["descriptors"]).items()},
        group_nouns=frozenset(str(x).casefold() for x in d["group_nouns"]),
        verbs=frozenset(str(x) for x in d["verbs"]),
        weak_verbs=frozenset(str(x) for x in d["weak_verbs"]),
        preceding=tuple(sorted((str(x) for x in d["preceding"]), key=len, reverse=True)),
        possessed=frozenset(str(x).casefold() for x in d["possessed"]),
        not_acronyms=frozenset(str(x) for x in d["not_acronyms"]),
        # words that are heads or start a prefix may open a name ("Centre for ...")
        not_names=frozenset(str(x) for x in d["not_names"]) - set(_inverse(d["heads"])) - {w[0] for w, _k in prefixes},
        generic=frozenset(str(x).casefold() for x in d["generic"]),
        titles=frozenset(str(x).casefold().rstrip(".") for x in p["titles"]),
        job_titles=tuple(tuple(str(x).split()) for x in p["job_titles"]),
        first_names=frozenset(str(x) for x in p["first_names"]),
        surnames=frozenset(str(x) for x in p["surnames"]),
        places=load_places(),
        apposition_descriptors={k.casefold(): v for k, v in _inverse(d["apposition_descriptors"]).items()},
        attributive=frozenset(str(x).casefold() for x in d["attributive"]),
        after_descriptors={k.casefold(): v for k, v in _inverse(d["after_descriptors"]).items()},
        modifiers=frozenset(str(x) for x in d["modifiers"]),
        postposed_adjectives=frozenset(str(x).casefold() for x in d["postposed_adjectives"]),
        descriptor_suffixes=tuple(sorted(((str(x).casefold(), k) for x, k in _inverse(d["descriptor_suffixes"]).items()),
                                         key=lambda x: -len(x[0]))),
        lower_bodies=tuple(sorted(((str(x).replace("’", "'"), k) for x, k in _inverse(d["lower_bodies"]).items()),
                                  key=lambda x: -len(x[0]))),
        territorial_words=frozenset(str(x) for x in d["territorial_words"]),
        lone_heads=_inverse(d["lone_heads"]),
        portfolio_ministries=re.compile(
            r"(?<![\w-])(?:the|its|a|their|his|her)\s+(?P<name>(?:" + _words_alternation(d["portfolio_ministries"]["portfolios"])
            + r")(?:\s+and\s+(?:" + _words_alternation(d["portfolio_ministries"]["portfolios"]) + r"))?\s+(?:"
            + _words_alternation(d["portfolio_ministries"]["nouns"]) + r"))"),
        portfolio_kind=str(d["portfolio_ministries"]["kind"]),
        location_words=frozenset(str(x) for x in d["location_words"]),
        office_titles=tuple(sorted((str(x) for x in d["office_titles"]), key=len, reverse=True)),
        product_nouns=frozenset(str(x).casefold() for x in d["product_nouns"]),
        adjectival_heads=_inverse(d["adjectival_heads"]),
        not_heads=frozenset(str(x) for x in d["not_heads"]),
        agencies=load_metadata_rules().agencies,
        agency_before=re.compile(r"(?:^|[\s(])(?:" + _words_alternation(d["agency_source"]["before"]) + r")\s*$", re.I),
        agency_after=re.compile(r"\s*(?:" + _words_alternation(d["agency_source"]["after"]) + r")", re.I),
    )


def _words_alternation(words: list[str]) -> str:
    """Phrases as one regex alternation (longest first; "'" also matches "’", a
    phrase ending in an apostrophe or bracket may touch the name)."""
    out = []
    for w in sorted((str(x) for x in words), key=len, reverse=True):
        rx = re.escape(w).replace(r"\ ", r"\s+").replace("'", "['’]")
        out.append(rx if not w[-1:].isalnum() else rx + r"(?![\w])")
    return "|".join(out)


# ------------------------------------------------------------------ tokens and runs


@dataclass(frozen=True)
class _Tok:
    text: str  # without a possessive 's
    start: int
    end: int
    poss: bool  # written with 's / ’s

    @property
    def cap(self) -> bool:
        """Capitalised, also after an elided article ("d'Alsace") or after digits
        ("50Hertz"; not a unit: "5Gbps", "20GWh")."""
        return self.text[0].isupper() or _ELIDED.match(self.text) is not None or _DIGIT_NAME.fullmatch(self.text) is not None


def _tokens(text: str, cues: Cues) -> list[_Tok]:
    """Words with offsets; a possessive 's is split off, the dot of an abbreviated
    legal form ("Corp.", "Co.") is kept."""
    out = []
    for m in _TOKEN.finditer(text):
        w, s, e = m.group(0), m.start(), m.end()
        poss = bool(re.search(r"['’]s$", w)) and len(w) > 2
        if poss:
            w, e = w[:-2], e - 2
        if text[e:e + 1] == "." and w + "." in cues.legal_forms:
            w, e = w + ".", e + 1
        out.append(_Tok(w, s, e, poss))
    return out


def _continues_prefix(cur: list[_Tok], t: _Tok, cues: Cues) -> bool:
    """The lower-case word ``t`` continues an organization prefix that the run ends
    with ("Communauté" + "d'agglomération" of "Communauté d'agglomération de")."""
    w = t.text.replace("’", "'")
    for pw, _kind in cues.prefixes:
        for j in range(1, len(pw)):
            if j <= len(cur) and pw[j] == w and tuple(x.text.replace("’", "'") for x in cur[-j:]) == pw[:j]:
                return True
    return False


def _runs(text: str, toks: list[_Tok], cues: Cues | None = None) -> list[list[_Tok]]:
    """Runs of capitalised words separated by single spaces, with lower-case joiners
    ("of", "for", "and", "de", "&", ...) between them, and lower-case words that continue
    a listed prefix ("Communauté d'agglomération de"); a possessive ends a run."""
    runs: list[list[_Tok]] = []
    cur: list[_Tok] = []

    def flush() -> None:
        while cur and not cur[-1].cap:
            cur.pop()
        if cur:
            runs.append(list(cur))
        cur.clear()

    for t in toks:
        glued = bool(cur) and not cur[-1].poss and re.fullmatch(r"[ \t\u00a0]+", text[cur[-1].end:t.start]) is not None
        if t.cap or (glued and (t.text.lower() in _JOINERS or (cues is not None and _continues_prefix(cur, t, cues)))):
            if not glued:
                flush()
            cur.append(t)
        else:
            flush()
    flush()
    return runs


_LOWER_RE: dict[int, tuple[Cues, re.Pattern[str]]] = {}


def _lower_bodies_re(cues: Cues) -> re.Pattern[str]:
    """One regex for the lower-case public-body phrases of ``cues`` and the name after them."""
    hit = _LOWER_RE.get(id(cues))
    if hit is not None and hit[0] is cues:
        return hit[1]
    phrases = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p, _k in cues.lower_bodies)
    rx = re.compile(r"(?<![\w'-])(?P<phrase>" + phrases + r")(?:[ \t\u00a0]+|(?<='))"
                    r"(?P<name>[A-ZÀ-Ý][\w'-]*(?:[ \t\u00a0][A-ZÀ-Ý][\w'-]*){0,3})")
    _LOWER_RE[id(cues)] = (cues, rx)
    return rx


def _sentence_start(text: str, pos: int) -> bool:
    return bool(_SENTENCE_END.search(text[max(0, pos - 4):pos])) or not text[:pos].strip()


def _is_acronym(w: str) -> bool:
    letters = [ch for ch in w if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters) and w[0].isalpha() and "." not in w.rstrip(".")


# ------------------------------------------------------------------ deciding


@dataclass
class _Cand:
    start: int  # absolute offsets
    end: int
    surface: str
    cue: str
    kind: str
    structural: bool = False
    alias_of: int | None = None  # index of the finding this acronym abbreviates


class _Scanner:
    """Scans the segments of one document, remembering people, non-organization
    acronyms and the findings so far."""

    def __init__(self, text: str, registry: Registry, linker: Linker, cues: Cues, page_country: str | None = None):
        self.text = text.translate(_NO_SUPERSCRIPTS)  # endnote markers are no part of a name (same length)
        self.lower_words = set(re.findall(r"\b[a-z][a-z-]+\b", self.text))
        self.registry, self.linker, self.cues = registry, linker, cues
        self.page_country = page_country
        self.persons: set[str] = set()
        self.not_org_acronyms: set[str] = set()
        self.found: list[_Cand] = []
        self.countries: dict[int, tuple[int, str]] = {}  # start -> (end, code) of country mentions
        self.known: list[tuple[int, int]] = []  # registered organization spans
        self.known_keys: dict[tuple[int, int], str] = {}  # ... and their registry keys
        self.country_spans: list[tuple[int, int]] = []
        self.capitalised_mid: set[str] = set()
        self._offset = 0
        self.segments: list[tuple[int, int]] = []
        self.registered_forms: set[str] = set()  # names that hold a registered name
        self.registered_aliases: set[str] = set()  # "(NWF, ...)" right after a registered name
        self._alone: dict[str, bool] = {}
        self.pending: list[tuple[int, int]] = []  # bare names without a cue (yet)

    def scan(self, start: int, end: int) -> None:
        """Find candidates in the segment ``start:end`` of the document text."""
        text, offset = self.text[start:end], start
        self.segments.append((start, end))
        mentions, rejects = self.linker.link_with_rejects(text, offset)
        for m in mentions:
            if m.entity_type == "organization":
                self.known.append((m.char_start, m.char_end))
                self.known_keys[(m.char_start, m.char_end)] = m.entity_key
            elif m.entity_type == "country":
                self.country_spans.append((m.char_start, m.char_end))
                self.countries[m.char_start] = (m.char_end, m.entity_key)
        for r in rejects:
            if ("alias" in r.reason or "organization" in r.reason) and not self._of_another_country(r, mentions):
                self.known.append((r.char_start, r.char_end))
        self._offset = offset
        toks = _tokens(text, self.cues)
        for t in toks:
            if t.cap and not _sentence_start(text, t.start):
                self.capitalised_mid.add(t.text)
        self._subsidiaries(mentions)
        self._lower_bodies(text, offset)
        self._adjectival_bodies(text, offset)
        self._lone_bodies(text, offset)
        for run in _runs(text, toks, self.cues):
            self._run(text, offset, run)
        self._agencies(text, offset)

    def _of_another_country(self, reject, mentions) -> bool:
        """A generic alias the linker left unlinked (its country is not in the passage)
        that names its own country: "the Ministry of Economy of the Federal Republic of
        Germany" is a body of that country, not the registered namesake."""
        if "generic alias" not in reject.reason:
            return False
        tail = self.text[reject.char_end:reject.char_end + 60]
        starts = {reject.char_end + m.end() for m in re.finditer(r"(?=\S)", tail)
                  if re.fullmatch(r"\s+of\s+(?:the\s+)?(?:[A-Z][\w'’-]*\s+(?:of\s+)?){0,3}", tail[:m.end()])}
        return any(c.entity_type == "country" and c.char_start in starts for c in mentions)

    def _add(self, cand: _Cand) -> bool:
        """Keep ``cand`` unless it overlaps a registered name or a finding, or is excluded."""
        if any(s < cand.end and cand.start < e for s, e in self.known if not cand.cue.startswith("subsidiary:")):
            return False
        if any(c.start < cand.end and cand.start < c.end for c in self.found) or self._excluded(cand):
            return False
        self.found.append(cand)
        return True

    def _subsidiaries(self, mentions) -> None:
        """A registered organization followed by a country name is a national
        subsidiary the registry lacks ("Vodafone Germany", "T-Mobile US")."""
        orgs = [m for m in mentions if m.entity_type == "organization"]
        countries = {m.char_start: m for m in mentions if m.entity_type == "country" and m.rule == "country-name"}
        for m in orgs:
            gap = re.match(r"[ \t\u00a0]+", self.text[m.char_end:m.char_end + 3])
            c = countries.get(m.char_end + gap.end()) if gap else None
            if c is None or re.match(r"['’]s\b|[\w-]", self.text[c.char_end:c.char_end + 3]):
                continue
            kind = self.registry.organizations[m.entity_key].kind
            if kind != "company":
                continue  # "Ministry of Commerce People's Republic of China" is no subsidiary
            self.found.append(_Cand(m.char_start, c.char_end, self.text[m.char_start:c.char_end],
                                    f"subsidiary:{m.entity_key}", kind, True))

    def _lower_bodies(self, text: str, offset: int) -> None:
        """Public bodies written in lower case before a capitalised place or name ("the
        administrative court in Stockholm", "la région Grand Est", "la commune du
        Haguenau"); territorial words after a location word are places ("dans la région")."""
        if not self.cues.lower_bodies:
            return
        rx = _lower_bodies_re(self.cues)
        for m in rx.finditer(text.replace("’", "'")):
            phrase = m.group("phrase")
            words = re.findall(r"[^\s]+", m.group("name"))
            name: list[str] = []
            for w in words:
                if w in self.cues.first_names or w.casefold().rstrip(".") in self.cues.titles or (
                        name and w in self.cues.not_names):
                    break
                name.append(w)
            if not name:
                continue
            prev = re.findall(r"[\w']+", text[max(0, m.start() - 30):m.start()].replace("’", "'"))
            while prev and prev[-1].lower() in ("la", "le", "l'", "the", "el", "il", "die", "der"):
                prev.pop()
            if phrase.split()[0].rstrip("'") in self.cues.territorial_words and prev and prev[-1].lower() in self.cues.location_words:
                continue
            a = m.start("phrase")
            b = m.start("name") + len(" ".join(name))
            kind = dict(self.cues.lower_bodies)[phrase]
            self._add(_Cand(offset + a, offset + b, text[a:b], f"lower:{phrase}", kind, True))

    def _adjectival_bodies(self, text: str, offset: int) -> None:
        """A Romance first head followed by lower-case adjectives ("Commissione
        europea", "Commission européenne", "Banca centrale europea"): the adjectives
        belong to the name, which is written without further capitals."""
        kinds = {**{h: k for h, k in self.cues.first_heads.items() if " " not in h}, **self.cues.adjectival_heads}
        heads = list(kinds)
        rx = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, heads)) + r")((?:[ \t\u00a0]+[a-zà-ÿ][\w-]*){1,2})(?![\w-])")
        for m in rx.finditer(text):
            words = m.group(2).split()
            while words and words[-1].casefold() not in self.cues.postposed_adjectives:
                words.pop()
            if not words or any(w.casefold() not in self.cues.postposed_adjectives for w in words):
                continue
            prev = re.search(r"([A-ZÀ-Ý][\w'’-]*)[ \t]+$", text[max(0, m.start() - 30):m.start()])
            if prev and prev.group(1) not in _ARTICLES and not _sentence_start(text, m.start() - len(prev.group(0))):
                continue  # inside a longer capitalised name
            end = m.end(1) + len(re.match(r"(?:[ \t\u00a0]+[^\s]+){" + str(len(words)) + "}", m.group(2)).group(0))
            kind = kinds[m.group(1)]
            self._add(_Cand(offset + m.start(), offset + end, text[m.start():end], f"first-head:{m.group(1)}", kind, True))

    def _lone_bodies(self, text: str, offset: int) -> None:
        """Bodies named by one word or phrase of their own: a lone head capitalised after an
        article in mid-sentence ("de la Generalitat", "el Consulado chino"), and a
        ministry written in lower case after its portfolio ("the economy ministry")."""
        if self.cues.lone_heads:
            rx = re.compile(r"(?<=\s)(?:la|el|le|il|lo|l'|l’|die|der|den|dem|des|de|het)\s+(?P<name>"
                            + "|".join(map(re.escape, sorted(self.cues.lone_heads, key=len, reverse=True)))
                            + r")(?![\w-])(?![ \t]+[A-ZÀ-Ý])")
            for m in rx.finditer(text):
                a, b = m.span("name")
                self._add(_Cand(offset + a, offset + b, m.group("name"), f"lone-head:{m.group('name')}",
                                self.cues.lone_heads[m.group("name")], True))
        if self.cues.portfolio_ministries is not None:
            for m in self.cues.portfolio_ministries.finditer(text):
                a, b = m.span("name")
                self._add(_Cand(offset + a, offset + b, m.group("name"), "portfolio-ministry",
                                self.cues.portfolio_kind, True))

    def _agencies(self, text: str, offset: int) -> None:
        """News agencies and outlets of news_metadata.yaml cited in the text ("told
        dpa", "according to AFP"); short capitals ("AP", "EFE") only as a source."""
        for a in self.cues.agencies:
            for m in re.finditer(r"(?<![\w-])" + re.escape(a) + r"(?![\w-])", text):
                short = a.isupper() and len(a) <= 3
                if short:
                    before = text[max(0, m.start() - 20):m.start()]
                    after = text[m.end():m.end() + 20]
                    if not (self.cues.agency_before.search(before) or self.cues.agency_after.match(after)):
                        continue
                self._add(_Cand(offset + m.start(), offset + m.end(), a, f"agency:{a}", "company", True))

    # -------------------------------------------------------------- one run

    def _run(self, text: str, offset: int, run: list[_Tok]) -> None:
        """Split a run at coordinators and titles, then judge each part."""
        run = self._trim(run, text)
        if not run:
            return
        for k in range(len(run) - 2, -1, -1):  # "Investor FGC", "des Roboterherstellers X": a German descriptor noun
            w = run[k].text.casefold()
            before_k = run[k - 1].text if k else (re.findall(r"[\w'’-]+", text[max(0, run[0].start - 30):run[0].start]) or [""])[-1]
            j = k  # place adjectives in -er before the descriptor ("des Dortmunder Unternehmens X")
            while j and run[j - 1].cap and run[j - 1].text.endswith("er") and run[j - 1].text not in self.cues.heads:
                j -= 1
            adjectives = j < k and (j == 0 or not run[j - 1].cap)
            if run[k + 1].cap and run[k].text not in self.cues.heads and not run[k].poss and (
                    before_k[:1].islower() or before_k in _ARTICLES or adjectives) and (
                    w in self.cues.descriptors or (w.endswith("s") and w[:-1] in self.cues.descriptors) or (len(w) > 6 and any(
                        w.rstrip("s").endswith(suf) for suf, _k in self.cues.descriptor_suffixes))):
                if k:
                    self._run(text, offset, run[:j if adjectives else k])
                self._run(text, offset, run[k + 1:])
                return
        for k in range(max(1, len(run) - 3), len(run) - 1):  # "Région Grand Est Catherine Chen": a person ends it
            tail = run[k:]
            if run[k].text in self.cues.first_names and run[k - 1].cap and all(t.cap for t in tail) \
                    and not any(t.text in self.cues.heads or t.text in self.cues.places for t in tail):
                self._run(text, offset, run[:k])
                self._run(text, offset, run[k:])
                return
        if self._prefix(run) is not None:
            for k, t in enumerate(run):  # "Région Grand Est et de la Communauté d'agglomération de ...": two names
                if k and t.text in ("and", "und", "y", "et", "e") and k + 1 < len(run) and run[k + 1].text in _AND_THE:
                    self._run(text, offset, run[:k])  # "Ministry of X and the Belgian firm Y": the name ends
                    self._run(text, offset, run[k + 2:])
                    return
                if k and t.text in ("and", "und", "y", "et", "e"):
                    rest = run[k + 1:]
                    while rest and not rest[0].cap:
                        rest = rest[1:]
                    if rest and self._prefix(rest) is not None and (self._prefix(rest)[0] == 0 or all(
                            t.cap for t in rest[:self._prefix(rest)[0]])):
                        self._run(text, offset, run[:k])
                        self._run(text, offset, rest)
                        return
            self._part(text, offset, run)
            return
        parts, cur = [], []
        keep_and = self._field_list(run)
        for k, t in enumerate(run):
            coord = (t.text in ("and", "und", "y", "et", "e") and not keep_and) or t.text in _PREPOSITIONS
            title = k > 0 and t.cap and t.text.casefold().rstrip(".") in self.cues.titles
            if coord or title:
                if cur:
                    parts.append(cur)
                cur = [] if coord else [t]
                continue
            cur.append(t)
        if cur:
            parts.append(cur)
        for part in parts:
            part = self._trim(part, text)
            if part:
                self._part(text, offset, part)

    def _field_list(self, run: list[_Tok]) -> bool:
        """"Post and Telecom Authority", "Trade and Industry Ministry": words joined by
        "and" before a public-body head, none of them a head or registered; or before a
        legal form ("Hamburger Hafen und Logistik AG")."""
        words = [t.text for t in run]
        if words[-1] in self.cues.legal_forms and ({"and", "und", "&"} & set(words)):
            return not any(s <= self._offset + run[0].start < e for s, e in self.known)
        if not ("and" in words or "und" in words) or words[-1] not in self.cues.heads or self.cues.heads[words[-1]] == "company":
            return False
        before = words[: max(i for i, w in enumerate(words) if w in ("and", "und"))]
        return not any(self.cues.heads.get(w, "company") != "company" for w in before) and not any(
            s <= self._offset + run[0].start < e for s, e in self.known)

    def _trim(self, run: list[_Tok], text: str | None = None) -> list[_Tok]:
        """Drop leading sentence openers, articles, months and weekdays, and trailing
        joiners. Kept: the first word of a place ("New York Times") and, in mid-sentence,
        an article written with a capital ("El Pais", "Les Dernières Nouvelles")."""
        while run and not run[0].poss:
            w = run[0].text
            if len(run) > 1 and run[1].cap and (f"{w} {run[1].text}" in self.cues.places or (
                    w in _ARTICLES and text is not None and not _sentence_start(text, run[0].start)
                    and not (w == "The" and self._prefix(run[1:]) is not None))):
                break  # "El Pais", "The Budapest Times"; not "The Bank of Lithuania"
            if not (w in self.cues.not_names or not run[0].cap or w in _CALENDAR or w.casefold() in _CALENDAR_CF):
                break
            if len(run) > 1 and run[1].cap and w in self.cues.places:
                break  # "Beijing Jiaotong University": a place opens the name
            run = run[1:]
        while run and (not run[-1].cap or (len(run) > 2 and run[-1].text in _CALENDAR and not run[-2].cap)):
            run = run[:-1]  # trailing joiners, and a date after one ("... Presse-Agentur am Mittwoch")
        return run

    def _prefix(self, run: list[_Tok]) -> tuple[int, str, str] | None:
        """(index, prefix, kind) of the first organization prefix in the run that is
        followed by a capitalised word."""
        words = [t.text.replace("’", "'") for t in run]
        for k in range(len(words)):
            for pw, kind in self.cues.prefixes:
                n = len(pw)
                if tuple(words[k:k + n]) != pw:
                    continue
                nxt = k + n + (1 if k + n < len(words) and words[k + n] in ("the", "la", "le", "der", "die", "das") else 0)
                if nxt < len(words) and run[nxt].cap:
                    return k, " ".join(pw), kind
        return None

    def _part(self, text: str, offset: int, part: list[_Tok]) -> None:
        """Judge one part: structure first, then acronym, then context."""
        cand = self._structural(text, offset, part)
        if cand is None and len(part) == 1 and _is_acronym(part[0].text):
            cand = self._acronym(text, offset, part[0])
            w = part[0].text
            if cand is None and (w in self.cues.not_acronyms or w in self.not_org_acronyms or w in self.registered_aliases
                                 or not w.isalpha() or w in self.registry.countries):
                return
        if cand is None:
            part = self._unplace(offset, part)
            if not part or self._person(text, part) or len(part) > 4:
                return
            cue = self._context(text, part)
            if cue is None:
                if len(part) == 1 and not self._not_a_name(text, part, part[0].text) \
                        and not self._common_noun(part[0].text):
                    self.pending.append((offset + part[0].start, offset + part[-1].end))
                return
            s, e = part[0].start, part[-1].end
            cand = _Cand(offset + s, offset + e, text[s:e], cue[0], cue[1])
        if self._excluded(cand) or any(c.start < cand.end and cand.start < c.end for c in self.found):
            return
        prev = self.found[-1] if self.found else None
        if (prev and cand.alias_of is None and " " not in cand.surface and text[:part[0].start].endswith("(")
                and re.fullmatch(r"\s*\(", self.text[prev.end:cand.start])):
            cand = _Cand(cand.start, cand.end, cand.surface, f"alias-of:{prev.surface}", prev.kind, True,
                         alias_of=len(self.found) - 1)  # "Federal Network Agency (Bundesnetzagentur)"
        self.found.append(cand)

    def _structural(self, text: str, offset: int, part: list[_Tok]) -> _Cand | None:
        """Prefix ("Ministry of ..."), legal form, head word, or German compound."""
        words = [t.text for t in part]
        pre = self._prefix(part)
        if pre is not None:
            k, prefix, kind = pre
            j = k  # leading capitalised words belong to the name ("European Court of Justice")
            while j > 0 and part[j - 1].cap and not part[j - 1].poss and not self._title_word(part[j - 1].text):
                j -= 1
            if j > 0 and part[0].cap:
                self._person(text, part[:j])  # "Anna Schmidt of the Kiel Institute ..."
            last = len(part) - 1
            for i in range(k + len(prefix.split()) + 1, len(part)):  # "... Trade Controls on December 29"
                if part[i].text in _PREPOSITIONS:
                    last = i - 1
                    while last > j and not part[last].cap:
                        last -= 1
                    break
            s, e = part[j].start, _extend_list(text, part[last].end) if last == len(part) - 1 else part[last].end
            return _Cand(offset + s, offset + e, text[s:e], f"prefix:{prefix}", kind, True)
        s = part[0].start
        if len(part) >= 2 and words[-1] in self.cues.legal_forms:
            e = part[-1].end
            return _Cand(offset + s, offset + e, text[s:e], f"legal:{words[-1]}", "company", True)
        if len(part) >= 2 and words[0] in self.cues.first_heads and (part[1].cap or words[1] in _JOINERS):
            e = part[-1].end
            return _Cand(offset + s, offset + e, text[s:e], f"first-head:{words[0]}", self.cues.first_heads[words[0]], True)
        h = len(part) - 1
        if h >= 2 and words[h - 1] in _JOINERS and " ".join(words[h:]) in self.cues.places and words[h - 2] in self.cues.heads:
            h -= 2  # "Santana Motor de Linares": the head before "de <place>" ends the name
        end_h = h
        if h >= 3 and words[h - 1] in ("&", "and") and words[h - 2] in self.cues.heads and words[h] not in self.cues.heads:
            h -= 2  # "Wageningen University & Research": the head before "& <word>"
        if h >= 2 and words[h] in self.cues.places and words[h - 1] in self.cues.heads \
                and self.cues.heads[words[h - 1]] != "company":
            h -= 1  # "Vrije Universiteit Brussel": a place after the head belongs to the name
        two = f"{words[h - 1]} {words[h]}" if h else ""
        head = two if two in self.cues.heads else words[h] if words[h] in self.cues.heads else self._compound_head(words[h])
        if head and h and any(t.cap for t in part[:h]) and text[s:part[h].end].casefold() not in self.cues.generic:
            k = next((i + 1 for i, w in enumerate(words[:h]) if w in ("of", "at") and i and self._title_word(words[0])), 0)
            j = next((i for i, w in enumerate(words[:h]) if w in _JOINERS), None)
            if not k and j and " ".join(words[:j]) in self.cues.places:
                k = j + 1  # "la divisione di Hong Kong di Applied Materials"
            k += 1 if k and words[k] in ("the",) else 0
            for i in range(k, h):  # "US-Beratungsfirma Rhodium Group": a German descriptor compound opens it
                low = words[i].casefold()
                if len(low) > 6 and any(low.endswith(suf) for suf, _kind in self.cues.descriptor_suffixes):
                    k = i + 1
            if k >= h - (1 if " " in head else 0) or self._job_title(words[k: h + 1]) or (
                    self.cues.heads[head] == "company" and not self._distinctive(part[k:h])):
                return None
            return _Cand(offset + part[k].start, offset + part[end_h].end, text[part[k].start:part[end_h].end],
                         f"head:{head}", self.cues.heads[head], True)
        last = part[-1]  # a German compound is a name of one word ("Angaben des Bundeskanzleramts")
        if len(last.text) > 6 and (len(part) == 1 or not part[-2].cap):
            low = last.text.casefold()
            forms = (low, low[:-1] if low.endswith("s") else "", low[:-2] if low.endswith("es") else "")
            for suffix, kind in self.cues.compounds:
                if any(f.endswith(suffix) and not (f == suffix and f in self.cues.descriptors) for f in forms if f):
                    # (the suffix alone as a plain noun is no name: "ein Konzern aus Shanghai")
                    return _Cand(offset + last.start, offset + last.end, last.text, f"compound:{suffix}", kind, True)
        return None

    def _compound_head(self, w: str) -> str | None:
        """The head a compound word ends in: the part after its last hyphen, also in the
        genitive ("Presse-Agentur", "Sai-Konzerns"), or a long English company head
        closing a word ("Microsystems", "Optoelectronics")."""
        if "-" in w:
            tail = w.rsplit("-", 1)[1]
            for form in (tail, tail[:-1] if tail.endswith("s") else None):
                if form and form[:1].isupper() and form in self.cues.heads:
                    return form
            return None
        if not (w[:1].isupper() and w[1:].islower()):
            return None
        for head, kind in self.cues.heads.items():
            if kind == "company" and len(head) >= 7 and head.isalpha() and len(w) >= len(head) + 3 \
                    and w.endswith(head.lower()):
                return head
        return None

    def _distinctive(self, toks: list[_Tok]) -> bool:
        """A word that makes a company-like phrase a name: an acronym, a word with a digit,
        hyphen or inner capital, a country or place, or a word the text never writes in
        lower case ("Kestrel Robotics" yes, "Critical Raw Materials" no)."""
        for t in toks:
            w = t.text
            if not any(ch.isalpha() for ch in w):
                continue
            if _is_acronym(w) or any(ch.isdigit() for ch in w) or "-" in w or any(ch.isupper() for ch in w[1:]):
                return True
            if w in self.cues.places or w in _country_words(self.registry) or w.lower() not in self.lower_words:
                return True
        return False

    def _title_word(self, w: str) -> bool:
        return w.casefold().rstrip(".") in self.cues.titles or w in self.cues.first_names or w in self.persons

    def _unplace(self, offset: int, part: list[_Tok]) -> list[_Tok]:
        """Drop leading countries and places from a bare name ("in China UCAS is"); a
        city or province opening a name of three or more words stays ("Zhejiang
        Jingsheng Mechanical")."""
        while len(part) > 1 and (any(s == offset + part[0].start for s, _e in self.country_spans) or (
                part[0].text in self.cues.places and len(part) < 3)):
            part = part[1:]
        return part

    def _job_title(self, words: list[str]) -> bool:
        """The words are (or start with) a job title ("Chief Financial Officer")."""
        return any(tuple(words[: len(j)]) == j for j in self.cues.job_titles if len(j) > 1)

    def _acronym(self, text: str, offset: int, t: _Tok) -> _Cand | None:
        """An acronym: the alias of the finding just before "(ACR)", not an organization
        when it abbreviates a non-organization phrase, else a finding of 3+ letters."""
        w = t.text
        if w in self.cues.not_acronyms or w in self.not_org_acronyms or w in self.registry.countries:
            return None
        before = text[:t.start]
        if re.search(r"\(\s*$", before) and re.match(r"\s*:", text[t.end:]) or re.search(r"\(\s*[A-Z][\w.]*\s*:\s*$", before):
            self.not_org_acronyms.add(w)  # a stock ticker: "(NYSE: TEF)"
            return None
        if re.search(r"(?<![\w-])" + re.escape(w) + r"s(?![\w-])", self.text):
            self.not_org_acronyms.add(w)  # written in the plural, a term: "MNOs", "OEMs"
            return None
        if self._after_registered(offset + t.start):
            self.registered_aliases.add(w)  # "Newport Wafer Fab (NWF, now ... NNL)"
            return None
        if before.endswith("(") and text[t.end:t.end + 1] == ")":
            office = self._office(before[:-1])
            if office:
                return _Cand(offset + t.start, offset + t.end, w, f"office:{office}", "government_body", True)
            person = re.search(r"([\w'’-]+)\s*\($", before)
            if person and person.group(1) in self.persons and not self.cues.places.get(person.group(1)):
                return _Cand(offset + t.start, offset + t.end, w, "party-of:person", "party", True)  # "Jane Doe (CDU)"
            prev = self.found[-1] if self.found else None
            name_end = offset + len(before.rstrip("( "))
            if prev and prev.end == name_end:
                return _Cand(offset + t.start, offset + t.end, w, f"alias-of:{prev.surface}", prev.kind, True,
                             alias_of=len(self.found) - 1)
            if any(e == name_end for _s, e in self.known):
                return None
            if re.search(r"[A-Z][\w-]*\s*\($", before) or _initials_of(w, before[:-1]):
                self.not_org_acronyms.add(w)  # "Foreign Direct Investment (FDI)", "science, technology and innovation (STI)"
                return None
        return None  # a stand-alone acronym needs a context cue like any bare name

    def _after_registered(self, pos: int) -> bool:
        """``pos`` lies in a parenthesis opened right after a registered name."""
        before = self.text[max(0, pos - 80):pos]
        m = re.search(r"\(([^()]*)$", before)
        if not m:
            return False
        paren = pos - len(before) + m.start()
        end = len(self.text[:paren].rstrip())
        if any(c.end == end for c in self.found):
            return False  # "University of <Chinese Academy of Sciences> (UCAS)": the new name's
        return any(e == end for _s, e in self.known)

    def _office(self, before: str) -> str | None:
        """The office title when ``before`` ends with an office holder's title and its
        scope ("Secretary of State for Business, Energy and Industrial Strategy")."""
        for title in self.cues.office_titles:
            if re.search(r"(?<![\w-])" + re.escape(title) + r"\s+[A-Z][^()]{0,100}$", before.rstrip()):
                return title
        return None

    def _common_noun(self, w: str) -> bool:
        """A plain capitalised word that the text also writes in lower case ("the
        Cluster" beside "a semiconductor cluster") is a common noun used as a name."""
        return w.isalpha() and w[1:].islower() and w.lower() in self.lower_words

    def _person(self, text: str, part: list[_Tok]) -> bool:
        """A person's name: after a title or role word, starting with a first name or a
        title, a family name alone, or words of a person seen earlier. Remembered."""
        words = [t.text for t in part]
        prev = re.findall(r"[\w.-]+", text[max(0, part[0].start - 40):part[0].start])
        prev_word = prev[-1].casefold().rstrip(".") if prev else ""
        title_case = all(w[:1].isupper() and not _is_acronym(w) for w in words)
        person = (
            prev_word in self.cues.titles
            or (prev_word in _REPORTING and 2 <= len(words) <= 3 and title_case)  # said Kenneth Fredriksen
            or (2 <= len(words) <= 3 and title_case and self._role_apposition(text, part[-1].end))
            or words[0] in self.cues.first_names
            or words[0].casefold().rstrip(".") in self.cues.titles
            or (len(words) <= 3 and any(w in self.cues.surnames for w in words) and not any(_is_acronym(w) for w in words))
            or all(w in self.persons for w in words)
        )
        if person:
            self.persons.update(w for w in words if w.casefold().rstrip(".") not in self.cues.titles)
        return person

    def _role_apposition(self, text: str, end: int) -> bool:
        """", Huawei's vice president for ...": an apposition whose first noun is a role
        (a title word before any descriptor) makes the name before it a person's."""
        m = re.match(r",\s+((?:[\w’'.-]+\s+){0,5}?[\w.-]+)", text[end:end + 80])
        if not m:
            return False
        for w in re.findall(r"[\w.-]+", m.group(1)):
            low = w.casefold().rstrip(".")
            if low in self.cues.descriptors or low in self.cues.apposition_descriptors:
                return False
            if low in self.cues.titles and w[:1].islower():
                return True
        return False

    def _round3_context(self, before: str) -> tuple[str, str] | None:
        """Cues read from the sentence's structure before a bare name: a person's role at
        it, a nationality adjective standing for the company after a Romance article, a
        list after a colon that a group noun opens."""
        if self._role_at(before):
            return "role-at", "company"
        adj = _ARTICLE_ADJECTIVE.search(before)
        if adj and adj.group(1) in self.cues.postposed_adjectives:
            return f"article-adjective:{adj.group(1)}", "company"  # "dalla statunitense X", "la china X"
        of = _DESCRIPTOR_OF.search(before)
        if of and of.group(1).casefold() in self.cues.descriptors and not any(
                len(w) <= 2 or w in self.cues.location_words for w in of.group(2).split()):  # "... resta in X": a place
            return f"descriptor-of:{of.group(1).casefold()}", self.cues.descriptors[of.group(1).casefold()]
        listed = _colon_list_noun(before, self.cues.group_nouns)
        return (f"group-list:{listed}", "company") if listed else None

    def _role_at(self, before: str) -> bool:
        """A person's role at the name: "Director General of International Affairs at X",
        "a senior analyst at X", "chercheur chez X". The role (a title word) opens the
        phrase before "at" within its clause, and only capitalised words and of/for
        phrases follow it (no verb: "the minister arrived at X" is a place)."""
        m = re.search(r"([^,.;:()\"“”]{0,90}?)\s+(?:at|chez|bei|presso)\s+(?:the\s+)?$", before)
        if not m:
            return False
        words = m.group(1).split()
        for k, w in enumerate(words):
            if w.casefold().rstrip(".") in self.cues.titles:
                rest = words[k + 1:]
                return all(x[:1].isupper() or x in ("of", "for", "the", "and", "de", "du", "des", "di", "für", "von") for x in rest)
        return False

    def _context(self, text: str, part: list[_Tok]) -> tuple[str, str] | None:
        """(cue, kind) from the words around a bare name, or None."""
        s, e = part[0].start, part[-1].end
        surface = text[s:e]
        if self._not_a_name(text, part, surface):
            return None
        before, after = text[max(0, s - 100):s], text[e:e + 100]
        if part[-1].text in self.cues.not_heads and len(part) > 1:
            return None  # "FDI Act", "Green Deal": a law, programme or place, not an organization
        nxt_word = re.match(r"\s+([a-z]+)", after)
        if nxt_word and nxt_word.group(1) in self.cues.product_nouns:
            if len(part) == 1 and _is_acronym(part[0].text):
                self.not_org_acronyms.add(part[0].text)
            return None  # "the SHENG programme"
        near = re.search(r"((?:[\w-]+[ \t]+){1,2})$", before)
        if near and any(w.casefold() in self.cues.product_nouns for w in near.group(1).split()):
            return None  # "the model X", "el modelo eléctrico X": a product, not a maker
        cue = self._descriptor(before)
        if cue:
            return cue
        m = re.match(r",\s+(?:(?:a|an|the|one of the|ein|eine|un|une|una|uno|il|lo|la|le|el"
                     r"|(?:der|die|das)(?=\s+(?!" + _DE_DETERMINERS + r"\s)(?:[A-ZÄÖÜ]|[a-zäöüß]+e[nmrs]?\s+[A-ZÄÖÜ]))"  # not a relative clause
                     r"|[A-Z][\w.-]*(?:\s[A-Z][\w.-]*)?['’]s)\s+|l['’])"
                     r"([^,.;:()]{1,60})", after)  # "X, a Chinese firm", "X, Greece's privatisation agency", "X, l'associazione"
        for w in (m.group(1).split()[:5] if m else []):
            for d in (w.casefold(), w.casefold()[:-1]):
                kind = self.cues.descriptors.get(d) or self.cues.apposition_descriptors.get(d)
                if kind:
                    return f"apposition:{w}", kind
        single = len(part) == 1  # two or three bare capitalised words are mostly a person
        if single and self._common_noun(part[0].text):
            return None  # "the Cluster" beside "the cluster": only a descriptor makes it a name
        nxt = re.match(r"(?:\s*[\"”“’'»])?\s+(?:[a-z]+ly\s+)?([a-zà-ÿ]+)\b", after)  # also a quoted name: „Handelsblatt“ hatte
        initial = _sentence_start(text, s)
        plain = single and part[0].text.isalpha() and part[0].text[1:].islower()
        if initial and plain and part[0].text not in self.capitalised_mid:
            single = bool(nxt) and nxt.group(1) in _REPORTING  # "Vehicles produced" is no actor
        actor = single or (len(part) > 1 and self._not_a_person_name(part))
        if re.search(r"(?:^|\s)(?i:der|die|das|den|dem|des|ein|eine|einer|einem|einen|eines|im|am|vom|zum|zur|beim|ins)"
                     r"(?:\s+[a-zäöüß][\w-]*){0,2}\s+$", before):
            actor = False  # a German noun after its article ("im vergangenen Jahr haben ..."), no name
        if actor and nxt and not part[-1].poss and (nxt.group(1) in self.cues.verbs or (
                nxt.group(1) in self.cues.weak_verbs and (not initial or len(part) > 1))):
            return f"verb:{nxt.group(1)}", "company"
        cue = self._round3_context(before)
        if cue:
            return cue
        low_before = before.casefold()
        for phrase in self.cues.preceding:
            if re.search(r"(?<![\w-])" + re.escape(phrase.casefold()) + r"\s+(?:the\s+)?$", low_before):
                return f"preceding:{phrase}", "company"
        if single and part[-1].poss:
            owned = re.match(r"['’]s\s+(?:[a-z-]+\s+){0,2}?([a-zA-Z]+)\b", after)
            if owned and owned.group(1).casefold() in self.cues.possessed:
                return f"possessive:{owned.group(1)}", "company"
        after_noun = re.match(r"\s+([a-z]+(?:\s+[a-z]+)?)", after)
        if after_noun and not part[-1].poss:
            for n in (after_noun.group(1), after_noun.group(1).split()[0]):
                if n in self.cues.after_descriptors:
                    return f"after:{n}", self.cues.after_descriptors[n]
                if single and n in self.cues.attributive and re.search(r"(?i)\bthe\s+$", before):
                    return f"attributive:{n}", "company"  # "the CRRC subsidiary"
        group = re.search(r"\b([A-Za-zäöüéèáíóúñ]+)\s+(?:such as|like|including|incl\.|wie|como|comme|come|as)\s+"
                          r"(?:[^.;:()]{0,80}?(?:,|\band\b|\bund\b|\by\b|\bet\b)\s+)?$", before)
        if group and group.group(1).casefold() in self.cues.group_nouns:
            return f"group:{group.group(1)}", "company"
        if single and not initial:
            cue = self._parallel(text, s)
            if cue:
                return cue
        if single and _is_acronym(part[0].text) and len(part[0].text) >= 3 and part[0].text.isalpha() and len(
                re.findall(r"(?<![\w-])" + re.escape(part[0].text) + r"(?![\w-])", self.text)) >= 2:
            return "acronym-repeated", "other"
        if single and _CAMEL.fullmatch(part[0].text) and not _CAMEL_NOT.match(part[0].text) \
                and not _OWNED.search(before):  # "its WeChat account": a product of the owner's
            return "camel-case", "company"  # "OnlyFans", "WirtschaftsWoche": an inner capital makes a brand
        return self._coordinated(s, e, text) if single else None

    def _descriptor(self, before: str) -> tuple[str, str] | None:
        """A descriptor right before the name: "Dutch company X", "telecom giant X",
        "le quotidien local X" (after skipping post-posed adjectives), "der
        Chipanlagenbauer X" (a German compound ending)."""
        tail = re.search(r"((?:[\w-]+[ \t\u00a0]+){1,4})$", before)  # words joined by spaces only
        if not tail:
            return None
        prev = tail.group(1).split()
        k = len(prev)
        while k > 1 and len(prev) - k < 2 and prev[k - 1].islower() and prev[k - 1].casefold() in self.cues.postposed_adjectives:
            k -= 1
        for kk in dict.fromkeys((len(prev), k)):
            for n in (2, 1):
                d = " ".join(prev[kk - n:kk]).casefold()
                for form in (d, d[:-1] if d.endswith("s") else None):  # "las firmas X"
                    if kk >= n and form in self.cues.descriptors:
                        return f"descriptor:{form}", self.cues.descriptors[form]
        last = prev[-1] if prev else ""
        low = last.casefold()
        if re.fullmatch(r"[\w.]+-(?:based|headquartered|listed|owned|controlled|backed|registered)", low):
            return f"descriptor:{low.rsplit('-', 1)[1]}", "company"  # "Philippines-based X", "state-owned X"
        if last[:1].isupper() and len(last) > 6:
            for suffix, kind in self.cues.descriptor_suffixes:
                for form in (low, low[:-1] if low.endswith("s") else None, low[:-2] if low.endswith("es") else None):
                    if form and form.endswith(suffix) and len(form) > len(suffix) + 2:
                        return f"descriptor:-{suffix}", kind  # "des Roboterherstellers Kuka"
        return None

    def _not_a_person_name(self, part: list[_Tok]) -> bool:
        """A name of two to four words that cannot be a person's: it holds an acronym
        or a place, or opens with an article ("El Pais", "CRRC Qingdao Sifang")."""
        return part[0].text in _ARTICLES or any(
            _is_acronym(t.text) or t.text in self.cues.places for t in part)

    def _parallel(self, text: str, s: int) -> tuple[str, str] | None:
        """"17.4% for BYD, 19.9% for Geely and 37.6% for X": the preposition before the
        name also introduces a registered or found organization in the same sentence."""
        m = re.search(r"\b(for|to|by|with|from)\s+$", text[max(0, s - 12):s])
        if not m:
            return None
        prep = m.group(1)
        a = max(text.rfind(". ", 0, s), text.rfind("; ", 0, s), 0)
        b = min([x for x in (text.find(". ", s), text.find("; ", s)) if x >= 0] or [len(text)])
        spans = self.known + [(c.start, c.end) for c in self.found]
        for ks, _ke in spans:
            k = ks - self._offset
            if a <= k < b and k != s and re.search(r"\b" + prep + r"\s+$", text[max(0, k - 8):k]):
                return f"parallel:{prep}", "company"
        return None

    def _coordinated(self, s: int, e: int, text: str) -> tuple[str, str] | None:
        """"X and <registered organization>" / "<registered organization> and X"."""
        return ("coordinated", "company") if self._next_to(self._offset + s, self._offset + e, self.known) else None

    def _next_to(self, a: int, b: int, spans: list[tuple[int, int]]) -> bool:
        """The span a:b and one of ``spans`` are joined by "and" or "&" (not a comma:
        lists of people are written with commas)."""
        before = re.search(r"(?: and| und| y| et| &)\s+$", self.text[max(0, a - 6):a])
        after = re.match(r"(?: and| und| y| et| &)\s+", self.text[b:b + 6])
        return any((before and ke == a - len(before.group(0))) or (after and ks == b + after.end())
                   for ks, ke in spans)

    def resolve_pending(self) -> None:
        """Bare names without a cue that are listed with a finding or a registered
        organization ("Stellantis and Leapmotor signed") are organizations too."""
        changed = True
        while changed:
            changed = False
            spans = [(c.start, c.end) for c in self.found] + self.known
            for a, b in list(self.pending):
                taken = any(x < b and a < y for x, y in spans)
                if taken or self._next_to(a, b, spans):
                    self.pending.remove((a, b))
                    cand = _Cand(a, b, self.text[a:b], "coordinated", "company")
                    if not taken and not self._excluded(cand):
                        self.found.append(cand)
                        changed = True

    def _not_a_name(self, text: str, part: list[_Tok], surface: str) -> bool:
        """Months, sentence openers and plural agent nouns ("Officials said"), generic
        words, places, job titles and compound adjectives ("Chinese-backed")."""
        words = [t.text for t in part]
        if _COMPOUND_ADJECTIVE.search(words[-1]):
            return True
        if len(words) == 1 and _ADVERB.fullmatch(words[0]):
            return True  # "Recentemente", "Finalmente", "Actualmente": a Romance adverb opening a sentence
        if any(w in _CALENDAR or w.casefold() in _CALENDAR_CF for w in words):
            return True
        if len(words) == 1 and (words[0] in self.cues.not_names or words[0] in self.cues.heads
                                or words[0] in self.cues.modifiers
                                or words[0] in self.cues.not_acronyms or words[0][:-1] in self.cues.not_acronyms):
            return True  # also plural terms: "EVs", "MoUs", "OEMs"
        if surface.casefold() in self.cues.generic or surface in self.cues.places or self._job_title(words) \
                or _ELIDED.sub("", surface, count=1) in self.cues.places:  # "l’Italia"
            return True
        a, b = self._offset + part[0].start, self._offset + part[-1].end
        return any(s <= a and b <= e for s, e in self.country_spans)

    def _registered_alone(self, surface: str) -> bool:
        """The linker, given the name alone, links all of it: a registered name that its
        context hid ("der Nachrichtenagentur Reuters": part of a longer capitalised name)."""
        hit = self._alone.get(surface)
        if hit is None:
            hit = any(m.entity_type in ("organization", "country") and m.char_start == 0 and m.char_end == len(surface)
                      for m in self.linker.link(surface))
            self._alone[surface] = hit
        return hit

    def _excluded(self, c: _Cand) -> bool:
        """Registered, a country, a place, generic, a person or a job title."""
        if c.surface.casefold() in self.cues.generic or c.surface in self.cues.places:
            return True
        if self._registered_alone(c.surface):
            self.registered_forms.add(c.surface)
            return True
        if c.surface in self.persons or all(w in self.persons for w in c.surface.split()):
            return True
        if any(s <= c.start and c.end <= e for s, e in self.country_spans):
            return True
        if not c.cue.startswith("legal:") and any(
                re.search(r"\b" + re.escape(" ".join(j)) + r"\s*,\s*$", self.text[max(0, c.start - 60):c.start])
                for j in self.cues.job_titles if len(j) > 1):
            return True  # "Chief Financial Officer, Group ...": the scope of a job title
        paren = re.match(r"\s*\(([^()]{2,12})\)", self.text[c.end:c.end + 16])
        if paren and any(s == c.end + paren.start(1) for s, _e in self.known):
            return True  # the long form of a registered acronym: "Long Name (ZTE)"
        for s, e in self.known:
            if s < c.end and c.start < e:
                prefix_owner = c.cue.startswith("prefix:") and s > c.start
                # "Council Secretariat", "Huawei Foundation": a non-company head after a
                # registered name makes another organization ("Huawei Technologies" does not)
                head_owner = c.cue.startswith("head:") and c.kind != "company" and e < c.end and s >= c.start \
                    and c.cue[5:] in self.text[e:c.end]  # the head after the registered name, not a place
                if not (prefix_owner or head_owner or self._joint_venture(c) or self._legal_subsidiary(c, s, e)):
                    self.registered_forms.add(c.surface)
                    return True
        return False


    def _joint_venture(self, c: _Cand) -> bool:
        """A head after the names of two registered organizations is their joint venture
        ("Gotion InoBat Batteries"; "Stellantis CATL Energy")."""
        keys = {k for (s, e), k in self.known_keys.items() if c.start <= s and e <= c.end}
        return c.cue.startswith("head:") and len(keys) >= 2

    def _legal_subsidiary(self, c: _Cand, s: int, e: int) -> bool:
        """A legal-form name that opens with a registered name and adds capitalised words
        before its legal form is a subsidiary the registry lacks ("Acme Shipping Ports
        Limited" beside a registered "Acme Shipping"), unless the registry knows the
        whole name without the legal form or the name renames one just before it."""
        if not c.cue.startswith("legal:") or s != c.start or e >= c.end:
            return False
        words = self.text[e:c.end].split()
        while words and (words[-1] in self.cues.legal_forms or words[-1].rstrip(",") in self.cues.legal_forms):
            words.pop()
        added = [w for w in words if w[:1].isupper()]
        stem = self.text[c.start:e] + (" " + " ".join(words) if words else "")
        # a new name given in a parenthesis after a registered one is that organization's
        # ("Newport Wafer Fab (NWF, now Nexperia Newport Ltd)")
        return bool(added) and not self._registered_alone(stem) and not self._after_registered(c.start)


def _initials_of(acronym: str, before: str) -> bool:
    """The words right before ``before``'s end spell ``acronym`` by their initials
    (joiners skipped): "science, technology and innovation (STI)", "Protection du
    potentiel scientifique et technique (PPST)"."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", before[-120:]) if w.lower() not in _JOINERS]
    n = len(acronym)
    return n >= 2 and len(words) >= n and "".join(w[0] for w in words[-n:]).upper() == acronym.upper()


# a Romance article (or article-preposition) and a lower-case adjective right before a
# name: the adjective stands for the noun it qualifies ("a cominciare dalla statunitense
# X", "la china X", "l'allemand X"): a company named by its nationality
_ARTICLE_ADJECTIVE = re.compile(
    r"(?:(?<![\w'’])(?:la|il|lo|el|le|los|las|les|dalla|della|alla|nella|sulla|dal|del|al|nel|dello|allo|du|au)\s+"
    r"|(?<![\w'’])(?:l|dell|all|dall|nell)['’])([a-zà-ÿ]+)\s+$")


# a Romance descriptor qualified by what it makes, then the name: "la società di droni
# militari X", "l'entreprise de batteries X", "la empresa de semiconductores X"
_DESCRIPTOR_OF = re.compile(r"(?<!\w)([^\W\d_]+)\s+(?:di|de|del|della|des|du|d['’])\s*((?:[a-zà-ÿ]+\s+){1,3})$")


_COLON_LIST = re.compile(
    r"\b([^\W\d_]+)\b[^.;:!?\n]{0,80}:\s+"  # a group noun before the colon, in the same sentence
    r"(?:[^.;:!?\n]{0,160}?(?:,|\(|\band\b|\bund\b|\by\b|\bet\b|\be\b|\bor\b))?\s*$")


def _colon_list_noun(before: str, nouns: frozenset[str]) -> str | None:
    """The group noun ("firms", "operators", "Unternehmen") of a sentence that
    introduces a list after a colon, when the name stands in that list (right after the
    colon, or after a comma, 'and' or an opening parenthesis): "Four firms were cleared
    to bid: A, B (C and D) and E" -> "firms"; None otherwise."""
    m = _COLON_LIST.search(before)
    if not m:
        return None
    head = before[m.start():before.find(":", m.start())]
    return next((w for w in reversed(re.findall(r"[^\W\d_]+", head)) if w.casefold() in nouns), None)


def _extend_list(text: str, end: int) -> int:
    """Extend a prefix name over a list of capitalised parts ("Ministerio de Industria,
    Comercio y Turismo", "Department for Business, Energy & Industrial Strategy")."""
    cap = r"[A-ZÀ-Ý][\w-]*(?:\s+[A-ZÀ-Ý][\w-]*)*"
    m = re.match(rf"(?:,\s+{cap})+,?\s+(?:and|y|und|et|e|&)\s+{cap}", text[end:])
    return end + m.end() if m else end


# ------------------------------------------------------------------ the document


def _propagate(sc: _Scanner) -> None:
    """Other occurrences of a found name in the scanned segments are findings too."""
    taken = [(c.start, c.end) for c in sc.found] + sc.known
    for c in list(sc.found):
        if len(c.surface) < 3:
            continue
        rx = re.compile(r"(?<![\w-])" + re.escape(c.surface) + r"(?![\w-])")
        for s, e in sc.segments:
            for m in rx.finditer(sc.text, s, e):
                a, b = m.span()
                if not any(x < b and a < y for x, y in taken):
                    sc.found.append(_Cand(a, b, c.surface, "repeat", c.kind, c.structural))
                    taken.append((a, b))


def _guess_country(sc: _Scanner, c: _Cand) -> str | None:
    """Country of a finding: a country or place in its name, a country word just
    before it ("China's X", "Dutch company X") or in an apposition after it ("X, a
    Chinese firm"), the language of a ministry's name, and for public bodies the
    country of the page's dateline."""
    for s, (e, code) in sorted(sc.countries.items()):
        if c.start <= s and e <= c.end and code != "EU":
            return code
    for w in c.surface.replace("-", " ").split():
        w = _ELIDED.sub("", w).replace("’", "'")  # "d'Alsace", "Xi’an"
        code = sc.cues.places.get(w) or _country_words(sc.registry).get(w)
        if code and code != "EU":
            return code
    for place, code in sc.cues.places.items():  # "région Grand Est"
        if code and " " in place and re.search(r"(?<![\w-])" + re.escape(place) + r"(?![\w-])", c.surface):
            return code
    for _s, (e, code) in sorted(sc.countries.items(), reverse=True):
        between = sc.text[e:c.start]
        if c.start - 45 <= e <= c.start and re.fullmatch(r"(?:['’]s)?(?:\s+[a-z][\w-]*){0,4}\s+", between) and not (
                set(between.split()) & (sc.cues.verbs | sc.cues.weak_verbs | _REPORTING | {"that", "and", "or", "to"})):
            return code
    based = re.search(r"(?:^|\s)([A-Z][\w.']*(?: [A-Z][\w.']*)?)-(?:based|headquartered|listed)\s+$", sc.text[max(0, c.start - 40):c.start])
    if based:
        code = sc.cues.places.get(based.group(1)) or _country_words(sc.registry).get(based.group(1))
        if code and code != "EU":
            return code  # "Philippines-based X", "Hong Kong-listed X"
    m = re.match(r",\s+(?:a|an|the)\s+", sc.text[c.end:c.end + 12])
    if m:
        for s, (_e, code) in sc.countries.items():
            if c.end + m.end() <= s <= c.end + m.end() + 25:
                return code
    first = c.surface.split()[0]
    first = first if first in _LANG_COUNTRY else first.capitalize()
    if first in _LANG_COUNTRY:
        return _LANG_COUNTRY[first]
    if c.cue.startswith("compound:"):
        return "DE"
    return sc.page_country if c.kind in ("government_body", "agency") else None


_COUNTRY_WORDS: dict[int, tuple[Registry, dict[str, str]]] = {}


def _country_words(registry: Registry) -> dict[str, str]:
    """One-word country names and adjectives of the registry ("Chinese" -> CN)."""
    hit = _COUNTRY_WORDS.get(id(registry))
    if hit is None or hit[0] is not registry:
        words = {a.surface: a.code for a in registry.country_aliases
                 if a.form in ("name", "adjective") and " " not in a.surface and not a.surface.endswith("-")}
        words.update({c.name: c.code for c in registry.countries.values() if " " not in c.name})
        hit = (registry, words)
        _COUNTRY_WORDS.clear()
        _COUNTRY_WORDS[id(registry)] = hit
    return hit[1]


def _slug(s: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")


def _drop_registered_variants(sc: _Scanner) -> None:
    """A finding that is part of a registered name written in the same document is
    a short form of that organization ("EV Motors" beside "Ebro-EV Motors")."""
    registered = {sc.text[s:e] for s, e in sc.known} | sc.registered_forms
    sc.found = [
        c for c in sc.found
        if not any(c.surface != r and re.search(r"(?<![\w])" + re.escape(c.surface) + r"(?![\w])", r.replace("-", " ")
                                                   if " " in c.surface else r) for r in registered)
    ]


def _groups(sc: _Scanner) -> list[UnknownOrg]:
    """One proposed entry per name (its acronym and repeats joined to it), and the
    findings as :class:`UnknownOrg` occurrences carrying that entry."""
    owner: dict[int, int] = {}
    by_surface: dict[str, int] = {}
    for i, c in enumerate(sc.found):
        if c.alias_of is not None:
            owner[i] = owner.get(c.alias_of, c.alias_of)
        else:
            owner[i] = by_surface.setdefault(c.surface, i)
    for i, c in enumerate(sc.found):  # an acronym seen before its definition
        if c.alias_of is None and c.surface in {sc.found[j].surface for j in owner if sc.found[j].alias_of is not None}:
            owner[i] = next(owner[j] for j in owner if sc.found[j].alias_of is not None and sc.found[j].surface == c.surface)
    entries: dict[int, dict] = {}
    for i, c in enumerate(sc.found):
        g = entries.setdefault(owner[i], {"names": [], "acronyms": [], "kind": None, "country": None, "sure": False})
        (g["acronyms"] if c.alias_of is not None else g["names"]).append(c.surface)
        if g["kind"] is None or (c.structural and not g["sure"]):  # a structural cue decides the kind
            g["kind"], g["sure"] = c.kind, c.structural
        g["country"] = g["country"] or _guess_country(sc, c)
    out = []
    for i, c in enumerate(sc.found):
        g = entries[owner[i]]
        out.append(_finding(c, g))
    return sorted(out, key=lambda f: f.char_start)


def _finding(c: _Cand, g: dict) -> UnknownOrg:
    names = list(dict.fromkeys(g["names"])) or list(dict.fromkeys(g["acronyms"]))
    name = max(names, key=len)
    acr = next(iter(dict.fromkeys(g["acronyms"])), None)
    full = f"{name} ({acr})" if acr and acr != name else name
    short = acr or name
    key = _slug(short)
    if g["kind"] in ("government_body", "agency") and g["country"] and g["country"] != "EU":
        key = f"{g['country'].lower()}-{key}"
    aliases = tuple(dict.fromkeys([*(a for a in g["acronyms"]), *(n for n in names if n != name)]))
    if acr and name not in aliases:
        aliases = (*aliases, name)
    return UnknownOrg(c.surface, c.start, c.end, c.cue, key, full, g["kind"] or "other", g["country"], aliases)


_cache: dict[int, tuple[Registry, Linker]] = {}


def _linker_for(registry: Registry) -> Linker:
    hit = _cache.get(id(registry))
    if hit is None or hit[0] is not registry:
        _cache.clear()
        hit = (registry, Linker(registry))
        _cache[id(registry)] = hit
    return hit[1]


def find_unknown_organizations(
    text: str, registry: Registry, *, offset: int = 0, linker: Linker | None = None, country: str | None = None
) -> list[UnknownOrg]:
    """Unregistered organization names in one text (a passage); offsets are shifted
    by ``offset``. ``country`` is the page's country (e.g. from its dateline), used as
    the country guess of public bodies that give no other hint."""
    sc = _Scanner(text, registry, linker or _linker_for(registry), load_cues(), country)
    sc.scan(0, len(text))
    _propagate(sc)
    sc.resolve_pending()
    _propagate(sc)
    _drop_registered_variants(sc)
    found = _groups(sc)
    if offset:
        found = [_shift(f, offset) for f in found]
    return found


def _shift(f: UnknownOrg, offset: int) -> UnknownOrg:
    from dataclasses import replace

    return replace(f, char_start=f.char_start + offset, char_end=f.char_end + offset)


def detect_in_document(text: str, doc, registry: Registry, *, linker: Linker | None = None) -> list[UnknownOrg]:
    """Unregistered organization names in a parsed document: every passage segment is
    scanned; names found there are also found in the title and the headings. Offsets
    index the stored ``text``. ``doc`` is an extract.parsed.ParsedDocument."""
    sc = _Scanner(text, registry, linker or _linker_for(registry), load_cues(), _page_country(text, doc))
    for p in doc.passages:
        for s, e in p.segments:
            sc.scan(s, e)
    body = list(sc.segments)
    _publisher(sc, getattr(doc, "publisher", None))
    extra = [(m.char_start, m.char_end) for m in doc.metadata_spans if m.field == "title"]
    extra += [(h.char_start, h.char_start + len(h.title)) for h in doc.sections if h.kind == "heading"]
    for s, e in extra:
        if text[s:e] and not any(a <= s < b for a, b in body):
            mentions = (sc.linker.link(text[s:e], s))
            sc.known.extend((m.char_start, m.char_end) for m in mentions if m.entity_type == "organization")
            sc.segments.append((s, e))
    _propagate(sc)
    sc.resolve_pending()
    _propagate(sc)
    _drop_registered_variants(sc)
    return _groups(sc)


def _publisher(sc: _Scanner, publisher: str | None) -> None:
    """The outlet that the page names as its publisher is an organization where the
    body cites it ("..., Inside Towers reported")."""
    if not publisher or len(publisher) < 3 or not publisher[:1].isupper():
        return
    rx = re.compile(r"(?<![\w-])" + re.escape(publisher) + r"(?![\w-])")
    for s, e in list(sc.segments):
        for m in rx.finditer(sc.text, s, e):
            sc._add(_Cand(m.start(), m.end(), publisher, "publisher", "company", True))


def _page_country(text: str, doc) -> str | None:
    """Country of the place in the page's wire dateline ("BRUSSELS, ... (Reuters) -")."""
    places = load_cues().places
    for r in getattr(doc, "removed", ()):
        if r.rule_id == "metadata-dateline":
            for w in re.findall(r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*)?", text[r.char_start:r.char_end]):
                for cand in (w, w.title(), w.split()[0], w.split()[0].title()):
                    if places.get(cand):
                        return places[cand]
    return None


# ------------------------------------------------------------------ proposals


@dataclass(frozen=True)
class Proposal:
    """A registry entry ready to paste (docs/curation.md §5), with its evidence."""

    key: str
    name: str
    kind: str
    country: str | None
    aliases: tuple[str, ...]
    surfaces: tuple[str, ...]
    cues: tuple[str, ...]
    count: int
    documents: tuple[str, ...] = ()


def propose(findings: list[UnknownOrg], document: str | None = None) -> list[Proposal]:
    """One proposal per key, in order of first occurrence (``document`` is noted as
    evidence). Proposals from several documents can be merged with :func:`merge`."""
    out: dict[str, Proposal] = {}
    for f in findings:
        p = out.get(f.key)
        if p is None:
            out[f.key] = Proposal(f.key, f.name, f.kind, f.country, f.aliases, (f.surface,), (f.cue,), 1,
                                  (document,) if document else ())
        else:
            out[f.key] = Proposal(
                p.key, p.name, p.kind, p.country or f.country, p.aliases,
                tuple(dict.fromkeys([*p.surfaces, f.surface])), tuple(dict.fromkeys([*p.cues, f.cue])),
                p.count + 1, p.documents,
            )
    return list(out.values())


def merge(proposals: list[Proposal]) -> list[Proposal]:
    """Proposals of several documents merged by key (aliases, surfaces, cues, counts
    and documents joined)."""
    out: dict[str, Proposal] = {}
    for p in proposals:
        q = out.get(p.key)
        if q is None:
            out[p.key] = p
            continue
        join = (lambda a, b: tuple(dict.fromkeys([*a, *b])))  # noqa: E731
        out[p.key] = Proposal(q.key, max(q.name, p.name, key=len), q.kind, q.country or p.country,
                              join(q.aliases, p.aliases), join(q.surfaces, p.surfaces), join(q.cues, p.cues),
                              q.count + p.count, join(q.documents, p.documents))
    return list(out.values())


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000).strip()
    return dumped[:-4].strip() if dumped.endswith("\n...") else dumped


def to_registry_yaml(proposals: list[Proposal], *, evidence: bool = True) -> str:
    """The proposals as entries of etl/reference/organizations/*.yaml (the format of
    docs/curation.md §5), each preceded by a comment with its evidence. ``parent``,
    ``ownership`` and ``sectors`` are left for the curator (null / unknown / [])."""
    lines: list[str] = []
    for p in proposals:
        if evidence:
            docs = f" in {', '.join(p.documents)}" if p.documents else ""
            lines.append(f"# found {p.count}x as {', '.join(repr(s) for s in p.surfaces)}{docs}; cues: {', '.join(p.cues)}")
        lines += [
            f"- key: {_scalar(p.key)}",
            f"  name: {_scalar(p.name)}",
            f"  kind: {p.kind}",
            f"  country: {_scalar(p.country)}",
            "  parent: null",
            "  ownership: unknown",
            "  sectors: []",
            f"  aliases: [{', '.join(_scalar(a) for a in p.aliases)}]",
        ]
    return "\n".join(lines) + ("\n" if lines else "")


def corpus_proposals(settings, corpus=None, document: str | None = None) -> list[Proposal]:
    """`etnc-db entities unknown`: the unregistered organization names of the corpus
    documents (or of one), merged into one proposed registry entry per key with their
    surfaces, cues, counts and documents — so the registry can grow with each load."""
    from etnc_db.extract import parse_document
    from etnc_db.extract.corpus import read_document, scan_corpus
    from etnc_db.extract.errata import load_errata
    from etnc_db.reference.registry import load_registry

    registry = load_registry(settings.reference_dir)
    errata = load_errata(settings.reference_dir)
    linker = _linker_for(registry)
    found: list[Proposal] = []
    for source in scan_corpus(corpus or settings.corpus_dir).files:
        if document and source.key != document:
            continue
        text = read_document(source)
        parsed = parse_document(text, kind=source.kind, file_name=source.file_name, title=source.title, errata=errata)
        found += propose(detect_in_document(text, parsed, registry, linker=linker), source.key)
    return merge(found)
