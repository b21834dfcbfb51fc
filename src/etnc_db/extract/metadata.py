"""Document metadata read from a news page's own text: the headline, the publication
date (with its precision) and the publisher, each with the line and span it came from.

    meta = detect_metadata(text, "news_article")
    meta.title, meta.published, meta.published_precision, meta.publisher, meta.spans

Where to look is data (etl/reference/news_metadata.yaml, places in places.yaml); the
dates themselves are parsed by dateparser. Dates come only from the page store's
prefix line, labelled date lines ("Updated: ..."), date lines at the top of the page
and wire datelines opening a paragraph - never from a sentence of the body. The
manifest still overrides all of this: the caller decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pycountry
import yaml

from .junk import Classification, _complement, classify, load_rules
from .lines import line_spans
from .parsed import MetadataSpan, Removal

REFERENCE_DIR = Path(__file__).resolve().parents[3] / "etl" / "reference"
_PRECISION_RANK = {"day": 3, "month": 2, "year": 1}
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_STORE = re.compile(r"^\s*date (\d{4}(?:-\d{2}){0,2})\b")
_TIME = re.compile(r"(?i)^\d{1,2}(?:[:.h]\d{2}){1,2}(?:[ap]\.?m\.?)?$")
_WORD = re.compile(r"[^\W_][\w'’.&@-]*|\$[\d.,]+\w*|[€£]\s?[\d.,]+\w*")
_STOP = frozenset(
    "the a an and or of in on at to for from with by as is are was were be been has have had its it "
    "this that these those new over after into about amid says said say will would can could not no more "
    "than up out how why what who when where which their his her they them our your you we since".split()
)


@dataclass(frozen=True)
class MetadataRules:
    """Parsed etl/reference/news_metadata.yaml (see the comments in that file)."""

    languages: tuple[str, ...]
    top_lines: int
    date_label: re.Pattern[str]
    date_line_words: frozenset[str]
    source_label: re.Pattern[str]
    agencies: tuple[str, ...]
    agency_re: re.Pattern[str]
    writer_widgets: tuple[re.Pattern[str], ...]
    byline_roles: frozenset[str]
    byline_role_words: frozenset[str]
    title_skip: tuple[re.Pattern[str], ...]
    min_words: int
    max_words: int
    max_chars: int
    places: dict[str, str | None] = field(default_factory=dict)
    date_filler: frozenset[str] = frozenset()  # words a date line may hold (see _date_filler)
    second_label: re.Pattern[str] | None = None  # a date label after the line's first word ("Publication date")
    byline_collectives: frozenset[str] = frozenset()
    dated_line_rules: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Metadata:
    """What the text says about itself. ``spans`` tells where each value was read;
    ``removals`` are the date lines and wire datelines that are not article text;
    ``title_line`` is the 0-based line of the headline (None without one)."""

    title: str | None = None
    published: str | None = None  # YYYY-MM-DD | YYYY-MM | YYYY
    published_precision: str | None = None  # day | month | year
    publisher: str | None = None
    spans: tuple[MetadataSpan, ...] = ()
    removals: tuple[Removal, ...] = ()
    title_line: int | None = None
    date_lines: frozenset[int] = frozenset()


@dataclass(frozen=True)
class _Date:
    value: str
    precision: str
    start: int
    end: int
    line: int
    rule: str


@dataclass(frozen=True)
class _Publisher:
    value: str
    priority: int
    start: int
    end: int
    line: int
    rule: str


def _alternation(words: list[str], flags: str = "") -> str:
    alts = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return f"(?{flags}:{alts})"


@lru_cache(maxsize=4)
def load_places(path: Path | str | None = None) -> dict[str, str | None]:
    """Place name -> ISO country code (None for areas): places.yaml plus every country
    name pycountry knows (name, common name), each mapped to its own code."""
    p = Path(path) if path else REFERENCE_DIR / "places.yaml"
    with open(p, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    out: dict[str, str | None] = {}
    for c in pycountry.countries:
        for attr in ("name", "common_name"):
            name = getattr(c, attr, None)
            if name and "," not in name and "(" not in name:
                out[name] = c.alpha_2
    for name, code in _translated_country_names().items():
        out.setdefault(name, code)
    for row in data["places"]:
        for name in row["names"]:
            out[str(name)] = row.get("country")
    return out


@lru_cache(maxsize=1)
def _translated_country_names() -> dict[str, str]:
    """Country names in the news languages of news_metadata.yaml ("Italia", "Alemania",
    "Chine", "Deutschland"), from pycountry's own ISO 3166 translations (installed with
    it; nothing is downloaded)."""
    import gettext

    with open(REFERENCE_DIR / "news_metadata.yaml", encoding="utf-8") as fh:
        languages = [str(x) for x in yaml.safe_load(fh)["languages"]]
    out: dict[str, str] = {}
    for lang in languages:
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for c in pycountry.countries:
            for attr in ("name", "common_name"):
                name = getattr(c, attr, None)
                local = tr.gettext(name) if name else None
                if local and local != name and "," not in local and "(" not in local:
                    out.setdefault(local, c.alpha_2)
    return out


@lru_cache(maxsize=4)
def load_metadata_rules(path: Path | str | None = None) -> MetadataRules:
    """Read and compile etl/reference/news_metadata.yaml (a bad regex fails loudly)."""
    p = Path(path) if path else REFERENCE_DIR / "news_metadata.yaml"
    with open(p, encoding="utf-8") as fh:
        d = yaml.safe_load(fh)
    head = d.get("headline") or {}
    agencies = tuple(str(a) for a in d["agencies"])
    return MetadataRules(
        languages=tuple(d["languages"]),
        top_lines=int(d["top_lines"]),
        date_label=re.compile(
            r"(?i)^\s*" + _alternation(d["date_labels"]) + r"\b\s*(?:on|le|am|el)?\s*:?\s*"
            + r"|(?i:\b" + _alternation(d["date_labels"]) + r")\s*:\s*"
        ),
        date_line_words=frozenset(str(w).lower() for w in d["date_line_words"]),
        source_label=re.compile(r"(?:^|\s)" + _alternation(d["source_labels"], "i") + r"\s*:\s*"
                                + r"|^\s*(?:date\s+\d{4}(?:-\d\d){0,2}\s+)?" + _alternation(d["credit_phrases"], "i") + r"\s+"),
        agencies=agencies,
        agency_re=re.compile(r"(?<![\w-])" + _alternation(list(agencies)) + r"(?![\w-])"),
        writer_widgets=tuple(re.compile(x) for x in d.get("writer_widgets") or []),
        byline_roles=frozenset(str(x) for x in d.get("byline_roles") or []),
        byline_role_words=frozenset(str(x) for x in d.get("byline_role_words") or []),
        title_skip=tuple(re.compile(x) for x in d.get("title_skip") or []),
        min_words=int(head.get("min_words", 3)),
        max_words=int(head.get("max_words", 30)),
        max_chars=int(head.get("max_chars", 250)),
        places=load_places(),
        date_filler=_date_filler(d),
        byline_collectives=frozenset(str(x) for x in d.get("byline_collectives") or []),
        dated_line_rules=frozenset(str(x) for x in d.get("dated_line_rules") or []),
        second_label=re.compile(r"^\s*[A-ZÀ-Ý][^\W\d_]+\s+" + _alternation(d["date_labels"], "i") + r"\b\s*:?\s*"),
    )


def _date_filler(d: dict) -> frozenset[str]:
    """Words a date line may hold besides its date: date_line_words, the words of the
    date labels ("Published", "date") wherever they stand, and dateparser's own date
    vocabulary of the page languages (month, weekday and filler words: "in", "on")."""
    words = {str(w).lower() for w in d["date_line_words"]}
    for label in d["date_labels"]:
        words.update(w.casefold() for w in re.findall(r"[^\W\d_]+", str(label)))
    for lang in d["languages"]:
        words |= _date_vocabulary(lang)[0]
    return frozenset(words)


# ------------------------------------------------------------------ dates


@lru_cache(maxsize=4)
def _date_parser(languages: tuple[str, ...]):
    from dateparser.date import DateDataParser

    return DateDataParser(languages=list(languages), settings=_SETTINGS)


_NEAR = 4  # how many words away from a number a date word may stand (_languages_to_try)
_SETTINGS = {"PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["year"], "DATE_ORDER": "DMY"}


def find_date(s: str, languages: tuple[str, ...]) -> tuple[str, str, int, int] | None:
    """The most precise date in ``s`` that states a four-digit year: (value, precision,
    start, end), value ``YYYY-MM-DD``/``YYYY-MM``/``YYYY``, offsets into ``s``; None if
    none. Each language is tried on its own (a mixed search may read a lone year); of
    equally precise readings the longest wins ("12 mars 2024 à 10h30" is French)."""
    if not _YEAR.search(s):
        return None
    found = [d for d in (_find_date_in(s, lang) for lang in _languages_to_try(s, languages)) if d]
    # the most precise reading; of equally precise ones the one that reads more of the text
    return max(found, key=lambda d: (_PRECISION_RANK[d[1]], d[3] - d[2]), default=None)


def _languages_to_try(s: str, languages: tuple[str, ...]) -> list[str]:
    """The languages worth a search of ``s``: the first one; every other one with a
    word of its date vocabulary (dateparser's own locale data: month, weekday and unit
    names, am/pm, filler and relative words) near a number, or a match of one of its
    rewrite patterns; and one of those left, for a reading of the digits alone ("4-6,
    2024" beside an English "March"). Languages that see only digits read them alike;
    searching each of them was most of the time spent on a page. Checked to read as
    a search in every language on every dated line of the shipped corpus."""
    words = _words_near_numbers(s)
    low = s.casefold()
    out, blind = [], []
    for n, lang in enumerate(languages):
        vocab, patterns = _date_vocabulary(lang)
        if n == 0 or words & vocab or any(p.search(low) for p in patterns):
            out.append(lang)
        else:
            blind.append(lang)
    return [lang for lang in languages if lang in out or blind[:1] == [lang]]


def _words_near_numbers(s: str, reach: int = _NEAR) -> set[str]:
    """The words of ``s`` (lower case) at most ``reach`` words away from a number:
    only they can join a date that dateparser reads ("12 mars 2024 à 10h30")."""
    toks = re.findall(r"[^\W\d_]+|\d+", s)
    near = {k for k, t in enumerate(toks) if t[0].isdigit()}
    return {t.casefold() for k, t in enumerate(toks)
            if not t[0].isdigit() and any(abs(k - j) <= reach for j in near)}


@lru_cache(maxsize=16)
def _date_vocabulary(lang: str) -> tuple[frozenset[str], tuple]:
    """The words dateparser knows for ``lang`` (month, weekday and unit names in every
    form - "années" -, am/pm words, the filler words it skips: "le", "um", relative
    words: "heute") and its rewrite patterns."""
    import regex  # dateparser's own regex engine (its patterns use variable look-behinds)
    from dateparser.languages.loader import default_loader

    info = default_loader.get_locale(lang).info
    words: set[str] = set()
    for key in (*_MONTHS, *_WEEKDAYS, *_UNITS, "am", "pm", "skip", "ago", "in", "pertain"):
        for form in info.get(key) or []:
            words.update(w.casefold() for w in re.findall(r"[^\W\d_]+", str(form)))
    for forms in (info.get("relative-type") or {}).values():  # "heute", "il y a"
        for form in forms:
            words.update(w.casefold() for w in re.findall(r"[^\W\d_]+", str(form)))
    patterns = []
    for rewrite in info.get("simplifications") or []:
        for pattern in rewrite:
            plain = re.fullmatch(r"[^\W\d_][\w' ]*", pattern)
            patterns.append(regex.compile(r"(?<!\w)" + regex.escape(pattern) + r"(?!\w)" if plain else pattern, regex.I))
    return frozenset(words), tuple(patterns)


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")  # "années 2000" is French


def _find_date_in(s: str, lang: str) -> tuple[str, str, int, int] | None:
    """The first date with a four-digit year that dateparser finds in ``s`` in ``lang``."""
    from dateparser.search import search_dates

    found = search_dates(s, languages=[lang], settings=_SETTINGS) or []
    pos = 0
    for sub, when in found:
        start = s.find(sub, pos)
        pos = max(pos, start + 1)
        if start < 0 or not _YEAR.search(sub):
            continue
        if not 1900 <= when.year <= 2100:
            continue
        period = _date_parser((lang,)).get_date_data(sub).period or "day"
        precision = {"time": "day"}.get(period, period)
        if precision not in _PRECISION_RANK:
            continue
        value = {"day": when.strftime("%Y-%m-%d"), "month": when.strftime("%Y-%m"), "year": when.strftime("%Y")}
        return value[precision], precision, start, start + len(sub)
    return None


def _is_date_line(line: str, date: tuple[str, str, int, int], rules: MetadataRules) -> bool:
    """True when ``line`` holds the date and little else: times, zones, labels, weekday
    and at most three capitalised words (a place, a name, an outlet), or, after a date
    that opens the line, at most two short words of any case (a section, a button)."""
    _value, precision, a, b = date
    if precision == "year":
        return False
    rest = rules.date_label.sub(" ", line[:a] + " " + line[b:])
    rest = rest.replace(line[a:b], " ")  # the same date stated twice ("Published 23.6.2025 | in English on 23.6.2025")
    filler = rules.date_filler
    leftover = []
    for w in re.findall(r"[^\s,|/()–—·-]+", rest):
        if _TIME.match(w) or w.lower().strip(".") in filler or not any(ch.isalnum() for ch in w):
            continue
        leftover.append(w)
    if not line[:a].strip() and len(leftover) <= 2 and all(len(w) <= 8 for w in leftover):
        return True  # a line that opens with the date and ends in a section slug or button ("16 Feb 2024 / eu Print")
    return len(leftover) <= 3 and all(w[0].isupper() or w[0].isdigit() for w in leftover)


_DATELINE = re.compile(
    r"^(?P<place>[A-Z][\w'’.-]*(?:[ /][A-Z][\w'’.-]*){0,3})"
    r"(?P<date>\s*,\s*[^()\n:–—]{3,40}?)?"
    r"\s*(?:\((?P<agency>[^()\n]{2,40})\))?"
    r"\s*(?P<sep>--|—|–|-|:)\s+(?=\S)"
)
_AGENCY_FIRST = re.compile(r"^\((?P<agency>[^()\n]{2,40})\)\s*(?:--|—|–|-)\s+(?=\S)")


def _dateline(line: str, rules: MetadataRules) -> tuple[int, str | None, tuple | None] | None:
    """A wire dateline opening ``line``: (its length, the agency or None, the date or
    None). "BRUSSELS, 18 November 2022 (Reuters) -", "Berlin (Reuters) -", "(Bloomberg) --",
    "MADRID :"; the place must be in capitals or a known place, or carry a date or agency."""
    m = _AGENCY_FIRST.match(line)
    if m:
        return m.end(), m.group("agency").strip(), None
    m = _DATELINE.match(line)
    if not m:
        return None
    place, agency = m.group("place"), m.group("agency")
    date = find_date(m.group("date"), rules.languages) if m.group("date") else None
    dated = bool(m.group("date")) and bool(re.search(r"\d", m.group("date") or ""))
    known = all(p in rules.places for p in place.split("/"))
    caps = place.replace("/", "").replace(" ", "").replace(".", "").isupper() and len(place) >= 3
    if not (agency or dated or caps or (known and m.group("sep") == ":")):
        return None
    if m.group("date") and not dated:
        return None
    return m.end(), agency.strip() if agency else None, date


# ------------------------------------------------------------------ the page


@dataclass
class _Page:
    """A document's lines with the junk classification, for the detectors below."""

    text: str
    lines: list[tuple[int, int]]
    c: Classification
    rules: MetadataRules
    nonblank: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.nonblank = [i for i, (s, e) in enumerate(self.lines) if self.text[s:e].strip()]
        self._maps: dict[int, tuple[str, list[int]]] = {}

    def residual(self, i: int) -> str:
        """Line ``i`` without the spans the junk rules cut from it (stripped)."""
        return self._map(i)[0]

    def absolute(self, i: int, pos: int) -> int:
        """Offset in the stored text of position ``pos`` of :meth:`residual`."""
        text, where = self._map(i)
        if not where:
            return self.lines[i][0]
        return where[pos] if pos < len(where) else where[-1] + 1

    def _map(self, i: int) -> tuple[str, list[int]]:
        if i not in self._maps:
            s, e = self.lines[i]
            chars: list[tuple[str, int]] = []
            for a, b in _complement(s, e, self.c.cuts.get(i, [])):
                if chars:
                    chars.append((" ", a))
                chars.extend((self.text[k], k) for k in range(a, b))
            while chars and chars[0][0].isspace():
                chars.pop(0)
            while chars and chars[-1][0].isspace():
                chars.pop()
            self._maps[i] = ("".join(ch for ch, _ in chars), [k for _, k in chars])
        return self._maps[i]

    def top(self) -> list[int]:
        """The first ``top_lines`` non-blank lines, lines of site menus (dropped by their
        shape) not counted but kept among them: a page that opens with a long menu still
        has its headline at the top, and a masthead block keeps its date line."""
        counted = [i for i in self.nonblank if not self.in_menu(i)]
        last = counted[: self.rules.top_lines][-1:] or self.nonblank[-1:]
        return [i for i in self.nonblank if last and i <= last[0]]

    def kept(self, i: int) -> bool:
        return i not in self.c.dropped and bool(self.residual(i))

    def in_menu(self, i: int) -> bool:
        """Line ``i`` was dropped as part of a menu block (by its shape): it may still
        be the site's name or a masthead date."""
        return getattr(self.c.dropped.get(i), "rule_id", None) in _menu_rules()


@lru_cache(maxsize=1)
def _menu_rules() -> frozenset[str]:
    return frozenset(r.id for r in load_rules().rules if r.action == "drop_menu_block")


def _store_date(page: _Page) -> _Date | None:
    """The page store's prefix (" date 2024-07-08 ...") on the first line."""
    if not page.nonblank:
        return None
    i = page.nonblank[0]
    s, e = page.lines[i]
    m = _STORE.match(page.text[s:e])
    if not m:
        return None
    v = m.group(1)
    return _Date(v, ("year", "month", "day")[v.count("-")], s + m.start(1), s + m.end(1), i, "store-date")


def _line_date(page: _Page, i: int) -> tuple[_Date | None, bool]:
    """A date stated by line ``i`` as a labelled date ("Updated: ...", anywhere on the
    page) or as a date line at the top; and whether the line is nothing but a date line."""
    line, where = _unglued(page.residual(i))
    label = page.rules.date_label.search(line)
    if not label and i not in set(page.top()):
        return None, False
    second = None
    if not label and page.rules.second_label is not None:
        second = label = page.rules.second_label.match(line)  # "Publication date 23.6.2025", at the top only
    off = label.end() if label else 0
    d = find_date(line[off:], page.rules.languages)
    if not d:
        return None, False
    d = (d[0], d[1], d[2] + off, d[3] + off)
    only = _is_date_line(line, d, page.rules)
    dated = getattr(page.c.dropped.get(i), "rule_id", None) in page.rules.dated_line_rules and d[1] != "year"
    if not ((label and not second) or only or dated):
        return None, False  # a label after a first word counts on a line of dates only, no sentence
    rule = "date-label" if label else "date-line" if only else "dated-line"
    return _Date(d[0], d[1], page.absolute(i, where[d[2]]), page.absolute(i, where[d[3] - 1]) + 1, i, rule), only


_GLUED = re.compile(r"(?<=[^\W\d_]{3})(?=\d)")


def _unglued(line: str) -> tuple[str, list[int]]:
    """``line`` with a space between a word and a number glued to it by the page's
    layout ("News article7 June 2024"), and for each character its offset in ``line``."""
    out, where, pos = [], [], 0
    for m in _GLUED.finditer(line):
        out.append(line[pos:m.start()] + " ")
        where += [*range(pos, m.start()), m.start()]
        pos = m.start()
    out.append(line[pos:])
    where += list(range(pos, len(line)))
    return "".join(out), where


def _dates(page: _Page) -> tuple[list[_Date], set[int], list[Removal], list[tuple[int, str, int, int]]]:
    """Every date the page states about itself; the date lines; the removals of date
    lines and wire datelines; and each dateline's agency as (line, agency, start, end)."""
    found = [d for d in [_store_date(page)] if d]
    date_lines: set[int] = set()
    removals: list[Removal] = []
    agencies: list[tuple[int, str, int, int]] = []
    top = set(page.top())
    for i in page.nonblank:
        d, only = _line_date(page, i)
        if d:
            found.append(d)
        if only:
            date_lines.add(i)
            s, e = page.lines[i]
            removals.append(Removal(s, e, "metadata-date-line", "publication date line (read as metadata)"))
        if d or i not in top or not page.kept(i):
            continue
        line = page.residual(i)
        dl = _dateline(line, page.rules)
        if not dl:
            continue
        start, end = page.absolute(i, 0), page.absolute(i, dl[0] - 1) + 1
        removals.append(Removal(start, end, "metadata-dateline", "wire dateline (place, date, agency)"))
        if dl[1]:
            a = line.find(dl[1])
            agencies.append((i, dl[1], page.absolute(i, a), page.absolute(i, a + len(dl[1]) - 1) + 1))
        if dl[2]:
            found.append(_Date(dl[2][0], dl[2][1], start, end, i, "dateline"))
    return found, date_lines, removals, agencies


def _credit_lines(page: _Page) -> list[Removal]:
    """Wire credit lines at the top of the page: a known agency and the place it
    reports from, nothing else ("AFP, STOCKHOLM", "Reuters, Berlin")."""
    out = []
    for i in page.top():
        line = page.residual(i)
        m = re.fullmatch(r"\s*(?P<a>[^,]{2,40}?)\s*,\s*(?P<p>[A-Z][\w'’. -]{1,30}?)\s*", line)
        if not m or not page.rules.agency_re.fullmatch(m.group("a")):
            continue
        place = m.group("p")
        if place.replace(" ", "").replace(".", "").isupper() or place in page.rules.places:
            s, e = page.lines[i]
            out.append(Removal(s, e, "metadata-credit-line", "wire credit line (agency, place; read as metadata)"))
    return out


def _names_by_date_lines(page: _Page, date_lines: set[int]) -> list[Removal]:
    """A byline without "By": a line that is nothing but a person's name (two or three
    capitalised words, the first a known first name) right above or below a date line
    ("12 March 2024" / "Jane Doe")."""
    out = []
    for i in sorted(date_lines):
        for k in (i - 1, i + 1):
            if not (0 <= k < len(page.lines)) or k in date_lines or not page.kept(k):
                continue
            words = page.residual(k).split()
            if 2 <= len(words) <= 3 and words[0] in _first_names() and all(
                    re.fullmatch(r"[A-ZÀ-Ý][a-zà-ÿ'’]+(?:-[A-ZÀ-Ý][a-zà-ÿ'’]+)?", w) for w in words):
                s, e = page.lines[k]
                out.append(Removal(s, e, "metadata-byline-name", "author's name beside the date line (a byline without 'By')"))
    return out


def _best_date(found: list[_Date], title_line: int | None = None) -> _Date | None:
    """The most precise date; among equally precise ones the one nearest the headline
    (dates of teasers and tickers stand further away), then the earlier line."""
    if not found:
        return None
    near = (lambda d: abs(d.line - title_line)) if title_line is not None else (lambda d: 0)
    return max(found, key=lambda d: (_PRECISION_RANK[d.precision], -near(d), -d.line))


# ------------------------------------------------------------------ publisher

_COPYRIGHT = re.compile(r"(?i)\(c\)|©|\bcopyright\b")
_URL = re.compile(r"https?://\S+|www\.\S+")
_DOMAIN = re.compile(r"^\s*(?:www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|cn|eu|int|info|news|co\.uk|[a-z]{2}))\s*$")
_NAME_JOINERS = {"of", "for", "and", "the", "&", "de", "du", "des", "la", "le", "der", "die", "für", "und", "y", "del", "on"}


def _clean_name(value: str) -> tuple[str, bool]:
    """A publisher name from a source or credit value: URLs, copyright words, years and
    anything after the first sentence end removed. Returns (name, was a copyright notice)."""
    copyright_ = bool(_COPYRIGHT.search(value))
    v = _URL.sub(" ", value)
    v = re.split(r"\.\s|\s[-–|•·]\s|\s{2,}|\s(?:avec|with|mit|con|en collaboration avec)\s", v)[0]
    v = _COPYRIGHT.sub(" ", v)
    v = re.sub(r"(?i)\b(?:all rights reserved|by)\b|(?<!\d)(?:19|20)\d\d(?!\d)", " ", v)
    v = re.sub(r"\s+", " ", v).strip(" .,;:-–|")
    return v, copyright_


def is_name(s: str, max_words: int = 7) -> bool:
    """True when ``s`` reads as a name: at most ``max_words`` words, every word
    capitalised except joiners ('of', 'for', '&', ...), no sentence punctuation."""
    words = s.split()
    if not words or len(words) > max_words or s.rstrip()[-1:] in ".!?:;":
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in _NAME_JOINERS for w in words) and words[0][0].isupper()


def _span(page: _Page, i: int, line: str, value: str) -> tuple[int, int]:
    a = max(line.find(value), 0)
    return page.absolute(i, a), page.absolute(i, a + len(value) - 1) + 1


def _publisher_candidates(
    page: _Page, agencies: list[tuple[int, str, int, int]], title_line: int | None
) -> list[_Publisher]:
    """Publisher evidence, with a priority (lower wins): 1 source line, 2 dateline agency
    or wire end marker, 3 agency byline, 4 store-line/masthead name or writer widget,
    5 copyright notice, 6 reference domain, 7 a site name above the headline."""
    out = [_Publisher(a, 2, s, e, i, "dateline-agency") for i, a, s, e in agencies]
    top = set(page.top())
    tail = set(page.nonblank[-6:])
    for i in page.nonblank:
        line = page.residual(i)
        out.extend(_source_line(page, i, line))
        m = re.match(r"^\s*\((?:END|ENDS)\)\s*(?P<v>\S.{1,60})$", line)
        if m:
            out.append(_Publisher(m.group("v").strip(), 2, *_span(page, i, line, m.group("v").strip()), i, "wire-end"))
        if (i in top or i in tail) and len(line.split()) <= 12:
            out.extend(_agency_byline(page, i, line))
            out.extend(_byline_outlet(page, i, line))
            out.extend(_byline_collective(page, i, line))
        m = re.match(r"^\s*\((?P<v>[^()]{2,40})\)(?!\s*(?:--|—|–|-)\s)", line)
        if m and i in top and page.rules.agency_re.fullmatch(m.group("v").strip()):
            v = m.group("v").strip()  # "(Xinhua) Updated: 2019-11-26"
            out.append(_Publisher(v, 2, *_span(page, i, line, v), i, "agency-credit"))
        for rx in page.rules.writer_widgets:
            w = rx.search(line)
            if w:
                out.append(_Publisher(w.group("name"), 4, *_span(page, i, line, w.group("name")), i, "writer-widget"))
        if i in tail and _DOMAIN.match(line):
            out.append(_Publisher(line.strip(), 6, *_span(page, i, line, line.strip()), i, "domain"))
    out.extend(_masthead(page, title_line))
    out.extend(_site_name(page, title_line))
    return out


def _site_name(page: _Page, title_line: int | None) -> list[_Publisher]:
    """The site's name on a line of its own above the headline ("The Strategist" over
    the headline): a name of two to five words, not in capitals, not a section label
    ("Business News"), a place, a person, nothing with a digit (dates, datelines) and
    not the store line, that the article never repeats.
    The first such line; the weakest evidence of all."""
    if title_line is None:
        return []
    body = " ".join(page.residual(k) for k in page.nonblank if k > title_line and page.kept(k)).casefold()
    for i in page.top():
        if i >= title_line:
            break
        line = page.residual(i)
        words = line.split()
        if not ((page.kept(i) or page.in_menu(i)) and 2 <= len(words) <= 5 and is_name(line, 5)) or line.isupper():
            continue
        if all(w in page.rules.byline_role_words for w in words if w.lower() not in _NAME_JOINERS) \
                or line in page.rules.places or words[0] in _first_names() or any(rx.search(line) for rx in page.rules.title_skip):
            continue
        if any(ch.isdigit() for ch in line) or (i == page.nonblank[0] and _store_date(page)) or line.casefold() in body:
            continue  # dates and datelines; the store line has its own rule (_masthead)
        return [_Publisher(line, 7, *_span(page, i, line, line), i, "site-name")]
    return []


@lru_cache(maxsize=1)
def _first_names() -> frozenset[str]:
    """First names of etl/reference/person_names.yaml (a name line that is a person's)."""
    with open(REFERENCE_DIR / "person_names.yaml", encoding="utf-8") as fh:
        return frozenset(str(x) for x in yaml.safe_load(fh)["first_names"])


def _source_line(page: _Page, i: int, line: str) -> list[_Publisher]:
    """'Source: X' (also after a date on the same line); a copyright value ranks low."""
    m = page.rules.source_label.search(line)
    if not m:
        return []
    raw = page.rules.date_label.sub(" ", line[m.end():])
    name, copyright_ = _clean_name(raw)
    name = re.sub(r"\s*\([^()]*\)$", "", name) or name  # "dpa (German press agency)" -> dpa
    if not name or len(name.split()) > 8 or find_date(name, page.rules.languages):
        return []
    return [_Publisher(name, 5 if copyright_ else 1, *_span(page, i, line, name), i, "source-line")]


def _agency_byline(page: _Page, i: int, line: str) -> list[_Publisher]:
    """A known agency in a short byline or credit line ("By Jane Doe, Reuters",
    "AFP, STOCKHOLM", "By Reuters staff"); not in a photo credit or a sentence."""
    if re.search(r"(?i)\b(?:photo|image|picture|credit)\b|/", line) or line.rstrip().endswith("."):
        return []
    if not (line.lstrip().startswith(("By ", "by ")) or re.match(r"^\s*\S+\s*,\s*[A-Z]{3,}", line)):
        return []
    m = page.rules.agency_re.search(line)
    if not m:
        return []
    return [_Publisher(m.group(0), 3, *_span(page, i, line, m.group(0)), i, "agency-byline")]


def _byline_collective(page: _Page, i: int, line: str) -> list[_Publisher]:
    """A byline written by a newsroom: "By Harbour Review Team, 2 May 2025" -> Harbour
    Review (the name before a collective word of ``byline_collectives``)."""
    m = re.match(r"^\s*(?i:by|von|par|por|di|door|av|af)\s+(?P<v>[^,|]{2,80}?)\s*(?:[,|].*)?$", line)
    if not m:
        return []
    words = m.group("v").split()
    for k in (2, 1):
        if len(words) > k and " ".join(words[-k:]) in page.rules.byline_collectives:
            value = " ".join(words[:-k])
            if is_name(value, 5) and not page.rules.agency_re.fullmatch(value):
                return [_Publisher(value, 3, *_span(page, i, line, value), i, "byline-collective")]
    return []


def _byline_outlet(page: _Page, i: int, line: str) -> list[_Publisher]:
    """The outlet in a byline that gives the author's role there: "By Jane Doe, Inside
    Towers Technology Editor" -> Inside Towers (role words and places before the role
    are dropped: "Brussels Correspondent", "Senior Tech Reporter")."""
    m = re.match(r"^\s*(?:By|by|Von|Par|Por)\s+[^,|]{2,60}[,|]\s*(?P<v>[^,|]{2,80})$", line)
    if not m or not page.rules.byline_roles:
        return []
    words = m.group("v").split()
    n = 0
    for k in (2, 1):
        if len(words) > k and " ".join(words[-k:]) in page.rules.byline_roles:
            n = k
            break
    if not n:
        return []
    words = words[:-n]
    while words and (words[-1] in page.rules.byline_role_words or words[-1] in page.rules.places):
        words.pop()
    value = " ".join(words)
    if not value or not is_name(value, 5):
        return []
    return [_Publisher(value, 3, *_span(page, i, line, value), i, "byline-outlet")]


def _masthead(page: _Page, title_line: int | None) -> list[_Publisher]:
    """A site name: the rest of the store line when it is a name (and not the
    headline), or a name-like line repeated above the headline."""
    out: list[_Publisher] = []
    top = [i for i in page.top() if title_line is None or i < title_line]
    if top and _store_date(page) and top[0] == page.nonblank[0]:
        rest = page.residual(top[0])
        first = rest.split()[0] if rest.split() else ""
        dateline = (first.isupper() and len(first) >= 3 and first.isalpha()) or _dateline(rest, page.rules) \
            or find_date(rest, page.rules.languages)  # "Wednesday, 19 December 2018": a masthead date
        if is_name(rest) and not page.rules.agency_re.fullmatch(rest) and not dateline:
            out.append(_Publisher(rest, 4, *_span(page, top[0], rest, rest), top[0], "store-line-name"))
    repeat_rules = {r.id for r in load_rules().rules if r.action == "drop_repeated"}
    seen: dict[str, int] = {}
    for i in top:
        line = page.residual(i)
        if i in page.c.dropped and page.c.dropped[i].rule_id not in repeat_rules and not page.in_menu(i):
            continue
        if is_name(line, 5) and len(line) > 3 and not (re.search(r"\d", line) and find_date(line, page.rules.languages)):
            seen[line] = seen.get(line, 0) + 1
            if seen[line] == 2:
                out.append(_Publisher(line, 4, *_span(page, i, line, line), i, "masthead"))
    return out


def _best_publisher(cands: list[_Publisher], title: str | None) -> _Publisher | None:
    cands = [c for c in cands if c.value and (title is None or c.value != title)]
    return min(cands, key=lambda c: (c.priority, c.line)) if cands else None


# ------------------------------------------------------------------ title


def _tokens(s: str) -> dict[str, bool]:
    """Content words for comparing a headline with the body: lower-cased, stop words
    and short words dropped (acronyms and numbers kept), long words cut to 5 letters.
    The value says whether the word is a name (an acronym, or capitalised but not the
    first word)."""
    out: dict[str, bool] = {}
    for n, w in enumerate(_WORD.findall(s)):
        w = re.sub(r"['’]s$", "", w).strip(".-")
        low = w.lower()
        if not w or low in _STOP:
            continue
        if len(w) < 3 and not (w.isupper() and len(w) >= 2) and not any(ch.isdigit() for ch in w):
            continue
        key = low[:5] if len(low) > 5 and low.isalpha() else low
        out[key] = out.get(key, False) or (len(w) > 1 and w.isupper()) or (n > 0 and w[0].isupper())
    return out


def _headline_like(line: str, rules: MetadataRules) -> bool:
    """Short enough, starts with a capital/digit/quote, does not end like a sentence
    or a label, and is no issue line, section label or site path."""
    words = line.split()
    if not (rules.min_words <= len(words) <= rules.max_words) or len(line) > rules.max_chars:
        return False
    if not (line[0].isupper() or line[0].isdigit() or line[0] in "\"'“‘«"):
        return False
    if line.rstrip()[-1] in ".:;,":
        return False
    return not any(rx.search(line) for rx in rules.title_skip)


def content_words(s: str) -> set[str]:
    """The content words of ``s`` as the headline search compares them (lower case,
    stop words and short words dropped, long words cut to 5 letters)."""
    return set(_tokens(s))


def headline_like(line: str) -> bool:
    """A line shaped like a headline by the rules of news_metadata.yaml."""
    return bool(line.strip()) and _headline_like(line.strip(), load_metadata_rules())


def is_body(line: str) -> bool:
    """A paragraph of article text (long, or a sentence of 15 words or more)."""
    return bool(line.strip()) and _is_body(line)


def _is_body(line: str) -> bool:
    """A paragraph of the article (ends the search for a headline). A closing quote ends
    a sentence only after a sentence mark ('... he said."'); a headline may end in a
    quoted word ('... accuses the EU of "protectionist" measures' / '... "protectionnistes"')."""
    end = line.rstrip()
    if end[-1:] in "\"”’" and end[-2:-1] not in ".!?…":
        return len(line) > 250
    return len(line) > 250 or (len(line.split()) >= 15 and end[-1:] in '.!?"”’)…')


def _overlap(page: _Page, i: int, line: str) -> tuple[int, float, bool]:
    """How much a headline candidate shares with the text that follows it: (shared
    content words, their share of the candidate's, whether a shared word is a name)."""
    mine = _tokens(line)
    if not mine:
        return 0, 0.0, False
    after, size = [], 0
    for k in page.nonblank:
        if k > i and page.kept(k) and size < 2500:
            after.append(page.residual(k))
            size += len(after[-1])
    shared = mine.keys() & _tokens(" ".join(after)).keys()
    return len(shared), len(shared) / len(mine), any(mine[k] for k in shared)


def _about_body(overlap: tuple[int, float, bool], n_tokens: int) -> bool:
    """Two shared content words making up 30 % of the candidate's, or one name when it
    has at most three content words. Ticker headlines, ad labels and slogans fail."""
    shared, ratio, name = overlap
    return (shared >= 2 and ratio >= 0.3) or (n_tokens <= 3 and name)


def _repeated_first_copies(page: _Page) -> set[int]:
    """Top lines that the repeat rule dropped, first copies only: a headline written
    twice (on the store line and again below it) loses both copies to that rule, yet
    may still be the headline."""
    repeat_rules = {r.id for r in load_rules().rules if r.action == "drop_repeated"}
    seen: set[str] = set()
    out: set[int] = set()
    for i in page.top():
        r = page.c.dropped.get(i)
        line = page.residual(i)
        if r is not None and r.rule_id in repeat_rules and line and line not in seen:
            out.add(i)
        seen.add(line)
    return out


def _below_kicker(best: int, good: list, kept: list[int], page: _Page) -> int:
    """The headline under a kicker: when the line chosen has at most ``_KICKER_WORDS``
    words and the next kept line is a longer headline about the body too, the short
    line is the kicker above the headline (German "Dachzeile": "Gotion High-Tech in
    Niedersachsen" over "Chinesischer Batteriehersteller eröffnet erstes Werk")."""
    k = kept.index(best) if best in kept else -1
    if k < 0 or k + 1 >= len(kept) or len(page.residual(best).split()) > _KICKER_WORDS:
        return best
    nxt = kept[k + 1]
    if nxt in {c[0] for c in good} and len(page.residual(nxt).split()) > len(page.residual(best).split()):
        return nxt
    return best


_KICKER_WORDS = 5


def _breadcrumb(line: str, later: list[str]) -> bool:
    """A site path ending in the headline: ``line`` ends with a later headline candidate
    after a path separator ("Home - Technology - <headline>", "News > <headline>")."""
    for other in later:
        head = line[: -len(other)].rstrip() if other and line.endswith(other) and len(line) > len(other) else ""
        if head and head[-1] in "-–—>›»/|:":
            return True
    return False


def _title(page: _Page, kind: str, skip: set[int]) -> int | None:
    """Line of the headline. news_article: among the headline-like kept lines at the
    top, before the first body paragraph, the one most about the body; failing that
    the last one right before the body if it shares a word with it; else None.
    article and newsletter: the first kept line."""
    kept = [i for i in page.nonblank if page.kept(i) and i not in skip]
    if kind != "news_article":
        return kept[0] if kept else None
    repeated = _repeated_first_copies(page)
    kept = sorted(set(kept) | repeated)
    top = set(page.top())
    cands: list[tuple[int, tuple[int, float, bool], int]] = []
    for i in kept:
        line = page.residual(i)
        if i not in top or _is_body(line):
            break
        if _headline_like(line, page.rules):
            cands.append((i, _overlap(page, i, line), len(_tokens(line))))
    cands = [c for c in cands if not _breadcrumb(page.residual(c[0]), [page.residual(d[0]) for d in cands if d[0] > c[0]])]
    good = [c for c in cands if _about_body(c[1], c[2])]
    if good:
        return _below_kicker(max(good, key=lambda c: (c[1][1], -c[0]))[0], good, kept, page)
    if cands and cands[-1][1][0] >= 1 and kept.index(cands[-1][0]) + 1 < len(kept):
        nxt = kept[kept.index(cands[-1][0]) + 1]
        if _is_body(page.residual(nxt)):
            return cands[-1][0]
    return None


def detect_metadata(
    text: str, kind: str, *, lines: list[tuple[int, int]] | None = None,
    classification: Classification | None = None,
) -> Metadata:
    """Title, publication date (with precision) and publisher that ``text`` states,
    each with its span (``Metadata.spans``), plus the date lines and datelines that are
    metadata, not article text (``Metadata.removals``). ``lines``/``classification``
    may be passed when the caller has them (the junk rules for ``kind`` otherwise)."""
    lines = lines if lines is not None else line_spans(text)
    if classification is None:
        classification = classify(lines, text, load_rules().for_kind(kind))
    page = _Page(text, lines, classification, load_metadata_rules())
    found, date_lines, removals, agencies = _dates(page)
    removals += _credit_lines(page)
    removals += _names_by_date_lines(page, date_lines)
    ti = _title(page, kind, date_lines)
    date = _best_date(found, ti)
    title = page.residual(ti) if ti is not None else None
    publisher = _best_publisher(_publisher_candidates(page, agencies, ti), title)
    spans = []
    if ti is not None and title:
        spans.append(MetadataSpan("title", title, page.absolute(ti, 0), page.absolute(ti, len(title) - 1) + 1, ti, "headline"))
    if date:
        spans.append(MetadataSpan("published", date.value, date.start, date.end, date.line, date.rule))
    if publisher and publisher.value != title:
        spans.append(MetadataSpan("publisher", publisher.value, publisher.start, publisher.end, publisher.line, publisher.rule))
    return Metadata(
        title=title, published=date.value if date else None,
        published_precision=date.precision if date else None,
        publisher=publisher.value if publisher and publisher.value != title else None,
        spans=tuple(spans), removals=tuple(removals), title_line=ti, date_lines=frozenset(date_lines),
    )
