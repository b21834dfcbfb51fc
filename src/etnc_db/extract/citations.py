"""Endnote text analysis: URLs, dates, title/outlet, ibid., and superscript markers."""

from __future__ import annotations

import datetime
import re

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}
_MON = r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

# ordered by preference: full dates first
_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("day", re.compile(r"\b(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+" + _MON + r",?\s+" + _YEAR + r"\b", re.IGNORECASE)),
    ("day", re.compile(r"\b" + _MON + r"\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+" + _YEAR + r"\b", re.IGNORECASE)),
    ("day", re.compile(r"\b" + _YEAR + r"-(?P<m>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("day", re.compile(r"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<m>[01]?\d)\.\s?" + _YEAR + r"\b")),
    ("day", re.compile(r"(?<![\d/])(?P<day>[0-3]?\d)/(?P<m>[01]?\d)/" + _YEAR + r"\b")),
    ("month", re.compile(r"\b" + _MON + r",?\s+" + _YEAR + r"\b", re.IGNORECASE)),
]
_PAREN_YEAR = re.compile(r"\(" + _YEAR + r"[a-z]?\)")
_MONTH_DAY = re.compile(r"\b" + _MON + r"\s+(?P<day>[0-3]?\d)\b(?!\s*,?\s*(?:19|20)\d\d)", re.IGNORECASE)
_MONTH_ONLY = re.compile(r"(?:^|[.,;]\s*)" + _MON + r"(?=[.,;]|$)", re.IGNORECASE)
_BARE_YEAR = re.compile(r"(?<![\d/.-])" + _YEAR + r"(?![\d/-])")
_ACCESSED = re.compile(
    r"\b(?:last\s+)?(?:accessed|retrieved|consulted|viewed)(?:\s+on)?[:\s]+[^.;<>()]*", re.IGNORECASE
)

_URL_ANGLE = re.compile(r"<\s*((?:https?://|www\.)[^<>\s]+)\s*>")
_URL_BARE = re.compile(r"(?:https?://|(?<![/\w])www\.)[^\s<>\"“”\]]+")
_TRAIL = ".,;:!?'\"’”»*"


def extract_urls(text: str) -> tuple[str, ...]:
    """URLs in <angle brackets>, (parentheses) or bare, in order, de-duplicated."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for m in _URL_ANGLE.finditer(text):
        found.append((m.start(1), m.group(1)))
        taken.append(m.span())
    for m in _URL_BARE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        url = m.group(0)
        while url:
            if url[-1] in _TRAIL or url[-1] == ")" and url.count("(") < url.count(")") or url[-1] == ">":
                url = url[:-1]
            else:
                break
        if len(url) > len("https://") and "." in url:
            found.append((m.start(), url))
    found.sort()
    out: list[str] = []
    for _, u in found:
        if u not in out:
            out.append(u)
    return tuple(out)


def strip_urls(text: str) -> str:
    text = _URL_ANGLE.sub(" ", text)
    text = _URL_BARE.sub(" ", text)
    return re.sub(r"\[[^\]]*\]\(#\)", " ", text)  # markdown '[label](#)' link debris


def _mk(year: int, month: int, day: int) -> datetime.date | None:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def parse_date(text: str) -> tuple[datetime.date | None, str | None]:
    """Best publication date stated in a citation (URLs and access dates ignored)."""
    clean = _ACCESSED.sub(" ", strip_urls(text))
    for precision, pat in _DATE_PATTERNS:
        for m in pat.finditer(clean):
            g = m.groupdict()
            year = int(g["year"])
            month = _MONTHS[g["mon"].lower().rstrip(".")] if g.get("mon") else int(g["m"])
            if precision == "day":
                d = _mk(year, month, int(g["day"]))
                if d:
                    return d, "day"
            else:
                d = _mk(year, month, 1)
                if d:
                    return d, "month"
    py = _PAREN_YEAR.search(clean)
    if py:  # 'Author (2023). "Title." Outlet. June 20.'
        year = int(py.group("year"))
        for m in _MONTH_DAY.finditer(clean, py.end()):
            d = _mk(year, _MONTHS[m.group("mon").lower().rstrip(".")], int(m.group("day")))
            if d:
                return d, "day"
        m = _MONTH_ONLY.search(clean, py.end())
        if m:
            return datetime.date(year, _MONTHS[m.group("mon").lower().rstrip(".")], 1), "month"
        return datetime.date(year, 1, 1), "year"
    m = _BARE_YEAR.search(clean)
    if m:
        return datetime.date(int(m.group("year")), 1, 1), "year"
    return None, None


def has_date(text: str) -> bool:
    """Does the citation state a year outside its URLs (the date-coverage denominator)?"""
    return bool(_BARE_YEAR.search(_ACCESSED.sub(" ", strip_urls(text))))


_QUOTED = re.compile(r"[“\"«„]([^”\"»“]{4,})[”\"»“]")
_IBID = re.compile(r"\bibid\b\.?", re.IGNORECASE)


def _segments(text: str) -> list[str]:
    # split on '. ' but not after an initial ('G. Manca') or common abbreviations
    parts = re.split(r"(?<!\b[A-Z])(?<!\bet al)(?<!\bNo)(?<!\bvol)(?<=[.?!])\s+", text)
    return [p.strip(" .,;") for p in parts if p.strip(" .,;")]


def title_outlet(text: str) -> tuple[str | None, str | None]:
    """Heuristic title and outlet/author of a citation."""
    body = _ACCESSED.sub(" ", strip_urls(text))
    body = re.sub(r"[*_]{1,2}", "", body)
    body = re.sub(r"\s+", " ", body).strip(" .,;()")
    if not body or _IBID.fullmatch(body.strip()):
        return None, None
    q = _QUOTED.search(body)
    if q:
        title = q.group(1).strip(" .,")
        before = body[: q.start()].strip(" .,:;")
        after = _segments(body[q.end():].strip(" .,:;"))
        outlet = None
        for seg in after:
            if (
                not re.search(r"\d{4}", seg)
                and not re.match(_MON + r"(?:\s+\d{1,2})?$", seg, re.IGNORECASE)
                and len(seg) < 120
            ):
                outlet = seg
                break
        if outlet is None and before:
            outlet = re.sub(r"\s*\((?:19|20)\d\d[a-z]?\)$", "", before) or None
        return title or None, outlet
    segs = [s for s in _segments(body) if not re.fullmatch(r"[\d\s,()a-zA-Z]{0,4}", s)]
    segs = [s for s in segs if parse_date(s)[1] not in ("day", "month") or len(s) > 40]
    if not segs:
        return None, None
    if len(segs) == 1:
        if ":" in segs[0]:
            a, b = segs[0].split(":", 1)
            return b.strip() or None, a.strip() or None
        return segs[0], None
    first, second = segs[0], segs[1]
    if ":" in first and len(first) > 40:  # 'Author: Title'
        a, b = first.split(":", 1)
        return b.strip(), a.strip()
    return second, first


def ibid_target(raw: str, number: int, earlier: list[tuple[int, str]]) -> int | None:
    """Number of the note an 'ibid.' note repeats, else None.

    ``earlier`` holds (number, raw_text) of the chapter's previous notes, in order.
    'Berkes (2022) *ibid.*' -> the latest earlier note starting with 'Berkes'; a
    plain 'Ibid.' -> the previous note.
    """
    m = _IBID.search(raw)
    if not m or not earlier:
        return None
    lead = re.sub(r"[*_]", "", raw[: m.start()]).strip(" ,.;:")
    if len(raw) > 80 and not lead == "":
        # a long note that merely mentions 'ibid' in passing
        if m.start() > 40:
            return None
    words = re.findall(r"[^\W\d_][\w'’-]+", lead)
    if words:
        name = words[0].lower()
        for num, text in reversed(earlier):
            if _IBID.search(text) and len(text) < 80:
                continue
            if text.lower().lstrip(" “\"*").startswith(name):
                return num
        for num, text in reversed(earlier):
            if name in text.lower()[:60] and not _IBID.search(text):
                return num
    return earlier[-1][0]


# --- superscript markers -----------------------------------------------------
_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUP_MAP = {c: str(i) for i, c in enumerate(_SUP)}
MARKER_RE = re.compile(
    rf"[{_SUP}]+(?:\s?[,˒⁻–‑-]\s?[{_SUP}]+)*"
)
_UNIT_BEFORE = re.compile(r"(?:\b[kcdm]?m|\bsq|\bft)\s?$")


def find_markers(text: str, start: int = 0, end: int | None = None):
    """Yield (char_start, char_end, numbers) for superscript markers in text[start:end]."""
    end = len(text) if end is None else end
    for m in MARKER_RE.finditer(text, start, end):
        if _UNIT_BEFORE.search(text[max(0, m.start() - 4): m.start()]):
            continue  # m², km² are units, not notes
        raw = m.group(0)
        nums: list[int] = []
        for part in re.split(r"\s?([,˒⁻–‑-])\s?", raw):
            if not part:
                continue
            if part in ",˒":
                continue
            if part in "⁻–‑-":
                nums.append(-1)  # range marker
                continue
            nums.append(int("".join(_SUP_MAP[c] for c in part)))
        out: list[int] = []
        i = 0
        while i < len(nums):
            if nums[i] == -1 and out and i + 1 < len(nums) and nums[i + 1] > out[-1]:
                out.extend(range(out[-1] + 1, nums[i + 1] + 1))
                i += 2
                continue
            if nums[i] != -1:
                out.append(nums[i])
            i += 1
        yield m.start(), m.end(), tuple(out)
