"""Slot fillers: small pure functions over one sentence (and its mentions). Offsets are
indices into the sentence text unless said otherwise."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from .prefilter import lowered, may_match
from .rules import Cue, Rules

# ----------------------------------------------------------------------------- amounts

_NUM = r"\d{1,3}(?:[,\u202f\u00a0 ]\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"


@dataclass(frozen=True)
class Amount:
    amount: float
    currency: str
    qualifier: str
    start: int
    end: int
    amount_max: float | None = None


@lru_cache(maxsize=8)
def _amount_regex(rules_id: int, currencies: tuple[str, ...], scales: tuple[str, ...]) -> re.Pattern[str]:
    cur = "|".join(f"(?P<c{i}>{p})" for i, p in enumerate(currencies))
    cur2 = "|".join(f"(?P<d{i}>{p})" for i, p in enumerate(currencies))
    sc = "|".join(f"(?P<s{i}>{p})" for i, p in enumerate(scales))
    sc2 = "|".join(f"(?P<t{i}>{p})" for i, p in enumerate(scales))
    num = rf"(?P<num>{_NUM})(?:\s?(?:-|–|to|and)\s?(?P<num2>{_NUM}))?"
    numb = rf"(?P<numb>{_NUM})(?:\s?(?:-|–|to|and)\s?(?P<numb2>{_NUM}))?"
    before = rf"(?<![A-Za-z])(?:{cur})\s?{num}(?:\s?(?:{sc})(?![A-Za-z]))?"
    after = rf"(?<![\w.,]){numb}(?:\s?(?:{sc2})(?![A-Za-z]))?\s?(?:{cur2})(?![A-Za-z])"
    return re.compile(rf"{before}|{after}", re.IGNORECASE)


def _number(text: str) -> Decimal | None:
    """A number as written ("3,000", "7.3", "7,3", "1 200") via price-parser."""
    from price_parser import Price

    value = Price.fromstring(text).amount
    return value


def _is_aid(sentence: str, start: int, end: int, rules: Rules) -> bool:
    """Whether the amount is money the project receives (a grant, a loan, a subsidy:
    slots.yaml ``amount.aid``), not what the investor puts in."""
    window = sentence[max(0, start - 40):start] + "\x00" + sentence[end:end + 40]
    return any(cue.regex.search(window) for cue in rules.aid)


def find_amounts(sentence: str, rules: Rules) -> list[Amount]:
    """Every money amount in ``sentence``, in order: "EUR 7.3 billion", "USD 700M",
    "€1.2bn", "3,000 billion forints", "7.3 billion euros", "EUR 1-2 billion" (range);
    not an amount of aid the project receives ("received EUR 450 million in funding")."""
    rx = _amount_regex(id(rules), tuple(c.regex.pattern for c in rules.currencies),
                       tuple(c.regex.pattern for c in rules.scales))
    out: list[Amount] = []
    for m in rx.finditer(sentence):
        groups = m.groupdict()
        prefix = "c" if groups.get("num") else "d"
        cur_i = next(i for i in range(len(rules.currencies)) if groups.get(f"{prefix}{i}"))
        scale_prefix = "s" if prefix == "c" else "t"
        scale = next((rules.scales[i].value for i in range(len(rules.scales)) if groups.get(f"{scale_prefix}{i}")), 1.0)
        raw = groups.get("num") or groups.get("numb")
        raw2 = groups.get("num2") or groups.get("numb2")
        number = _number(raw)
        if number is None or number <= 0:
            continue
        amount = float(number) * scale
        amount_max = None
        if raw2:
            number2 = _number(raw2)
            if number2 is not None and number2 > number:
                amount_max = float(number2) * scale
        qualifier = "range" if amount_max else "exact"
        if not amount_max:
            before = sentence[max(0, m.start() - 40):m.start()]
            if re.search(r"\bbetween\s*$", before, re.IGNORECASE):
                pass
            for cue in rules.qualifiers:
                if cue.regex.search(before):
                    qualifier = cue.value
                    break
        if not 0 < amount < 1e15 or _is_aid(sentence, m.start(), m.end(), rules):
            continue
        out.append(Amount(round(amount, 2), rules.currencies[cur_i].value, qualifier, m.start(), m.end(), amount_max))
    return out


# ----------------------------------------------------------------------------- dates

MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("day", re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\s*,?\s+{_YEAR}\b")),
    ("day", re.compile(rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s+{_YEAR}\b")),
    ("day", re.compile(rf"\b{_YEAR}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b")),
    ("month", re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}\b")),
    ("year", re.compile(rf"\b(?:spring|summer|autumn|fall|winter|early|late|mid-?|end of|beginning of|the end of|the first half of|the second half of)\s*{_YEAR}\b", re.IGNORECASE)),
    ("year", re.compile(rf"(?<![\w\-–]){_YEAR}(?!\s*[-–/]\s*\d)(?![\w%])")),
    ("year", re.compile(rf"(?<![\w-]){_YEAR}(?=\s*[-–/]\s*(?:{_YEAR}|\d\d)\b)")),  # start of a range
    ("relative", re.compile(r"\b(?:(?:earlier|later) )?(?:this|last|next|previous|past) (?:year|month|week|spring|summer|autumn|fall|winter)\b|\b(?:yesterday|today|a year ago|(?:one|two|three|\d+) (?:years?|months?|weeks?|days?) ago)\b", re.IGNORECASE)),
    ("relative", re.compile(r"\b(?:on|last|this) (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
    ("relative", re.compile(rf"\b(?:in|since|from|on|by|until|early|late|last|this) {_MONTH}\b(?!\s+\d)")),
    # a day and month without the year ("on 7 May", "on May 7"): the document's year
    ("daymonth", re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?!\s*,?\s*\d)\b")),
    ("daymonth", re.compile(rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!\s*,?\s*\d)")),
]
# A bare year right after a capitalised word is a name ("Horizon 2020", "Made in China 2025").
_NAME_BEFORE = re.compile(r"(?:[A-Z][\w-]*|\d+|[A-Z]{2,})\s+$")
_NOT_NAME = {"In", "Since", "From", "By", "Until", "Before", "After", "During", "Of", "And", "Or", "The", "Early",
             "Late", "Mid", "Spring", "Summer", "Autumn", "Winter", "Between", "Through", "Around", "On", "At"}


_DEADLINE = re.compile(r"\b(?:by|until|till|through|(?<!back )to|towards|horizon|vision|goals? for|targets? for|up to)\s+(?:the end of\s+|end-)?$", re.IGNORECASE)


@dataclass(frozen=True)
class DateValue:
    value: str  # YYYY, YYYY-MM or YYYY-MM-DD
    precision: str  # day | month | year
    start: int
    end: int
    relative: bool = False


def parse_base(published: str | None) -> tuple[dt.datetime | None, str | None]:
    """The document date as a datetime (first day of the period) and its precision."""
    if not published:
        return None, None
    parts = [int(p) for p in str(published).split("-")]
    precision = {1: "year", 2: "month", 3: "day"}[len(parts)]
    while len(parts) < 3:
        parts.append(1)
    return dt.datetime(*parts), precision


@lru_cache(maxsize=2048)
def _dateparse(phrase: str, base_iso: str | None) -> dt.datetime | None:
    import dateparser

    settings = {"PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}
    if base_iso:
        settings["RELATIVE_BASE"] = dt.datetime.fromisoformat(base_iso)
    return dateparser.parse(phrase, languages=["en"], settings=settings)


_RELATIVE_PRECISION = [
    (re.compile(r"\byears?\b", re.IGNORECASE), "year"),
    (re.compile(r"\b(?:spring|summer|autumn|fall|winter)\b", re.IGNORECASE), "year"),
    (re.compile(r"\bmonths?\b", re.IGNORECASE), "month"),
    (re.compile(rf"\b{_MONTH}\b"), "month"),
]
_BASE_RANK = {"year": 0, "month": 1, "day": 2}


def find_dates(sentence: str, published: str | None) -> list[DateValue]:
    """Explicit and relative dates in ``sentence``, resolved against the document date
    (``published``, may be None: relative dates are then left out). Precision is what the
    text gives; a relative date never gets a finer precision than the document date."""
    base, base_precision = parse_base(published)
    found: list[DateValue] = []
    taken: list[tuple[int, int]] = []
    for precision, rx in _DATE_PATTERNS:
        for m in rx.finditer(sentence):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            phrase = m.group(0)
            if precision == "year":
                year = re.search(_YEAR, phrase).group(0)
                if phrase == year and not _RANGE_AFTER.match(sentence, m.end()):
                    prev = _NAME_BEFORE.search(sentence[:m.start()])
                    if prev and prev.group(0).split()[0] not in _NOT_NAME and m.start() > 0:
                        word = prev.group(0).strip()
                        if word[:1].isupper() and not re.fullmatch(_MONTH, word):
                            continue
                if _DEADLINE.search(sentence[:m.start()]):
                    taken.append((m.start(), m.end()))
                    continue  # "by 2030", "until 2035": a target year, not the event's date
                found.append(DateValue(year, "year", m.start(), m.end()))
            elif precision == "daymonth":
                value = _day_month(phrase, base, base_precision)
                if value is None:
                    continue
                found.append(DateValue(value, "day", m.start(), m.end(), relative=True))
            elif precision == "relative":
                if base is None:
                    continue
                parsed = _dateparse(re.sub(rf"^(?:on|in|since|from|by|until|early|late) |^(?:last|this) (?={_MONTH})", "", phrase),
                                    base.isoformat())
                if parsed is None:
                    continue
                prec = "day"
                for prx, p in _RELATIVE_PRECISION:
                    if prx.search(phrase):
                        prec = p
                        break
                if _BASE_RANK[prec] > _BASE_RANK[base_precision]:
                    if prec == "day":
                        continue  # "on Friday" against a month-precise date: unresolvable
                    prec = base_precision
                found.append(DateValue(_format(parsed, prec), prec, m.start(), m.end(), relative=True))
            else:
                parsed = _dateparse(phrase.replace(" of ", " "), None)
                if parsed is None:
                    continue
                found.append(DateValue(_format(parsed, precision), precision, m.start(), m.end()))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda d: d.start)
    return found


_RANGE_AFTER = re.compile(r"\s*[-–/]\s*\d")


def _day_month(phrase: str, base: dt.datetime | None, base_precision: str | None) -> str | None:
    """"7 May" in a document of ``base``: that day of the document's year, of the year
    before when the day falls after a month- or day-precise document date."""
    if base is None:
        return None
    parsed = _dateparse(f"{phrase.replace(' of ', ' ')} {base.year}", None)
    if parsed is None:
        return None
    if base_precision in ("month", "day"):
        last = base if base_precision == "day" else (base.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if parsed >= last + dt.timedelta(days=1 if base_precision == "day" else 0):
            parsed = parsed.replace(year=parsed.year - 1)
    return _format(parsed, "day")


def _format(value: dt.datetime, precision: str) -> str:
    return {"year": f"{value.year:04d}", "month": f"{value.year:04d}-{value.month:02d}",
            "day": f"{value.year:04d}-{value.month:02d}-{value.day:02d}"}[precision]


def nearest(items, position: int):
    """The item whose span is nearest to ``position`` (ties: the earlier one)."""
    best, best_d = None, None
    for it in items:
        d = 0 if it.start <= position < it.end else min(abs(it.start - position), abs(it.end - position))
        if best_d is None or d < best_d:
            best, best_d = it, d
    return best


# ----------------------------------------------------------------------------- status / stance


def first_cue(cues: list[Cue], sentence: str):
    low = lowered(sentence)
    for cue in cues:
        if may_match(cue.regex, low) and cue.regex.search(sentence):
            return cue.value
    return None


def status_for(fact_type: str, sentence: str, rules: Rules, trigger_status: str | None = None,
               type_value: str | None = None) -> tuple[str, bool]:
    """(status, whether a cue of the sentence said so). A cue's status may be recoded
    for the fact's type value (``status.<type>.after_cue``: a law 'adopted' is in force).
    Without a cue or a trigger's status, the default of the fact's type value
    (``status.<type>.by_type``), else the fact type's default."""
    value = first_cue(rules.status_cues.get(fact_type, []), sentence)
    if value is not None:
        return rules.status_after_cue.get(fact_type, {}).get(value, {}).get(type_value or "other", value), True
    if trigger_status:
        return trigger_status, True
    by_type = rules.status_by_type.get(fact_type, {})
    return by_type.get(type_value or "other", rules.status_default[fact_type]), False
