"""Split an author by-line into (name, institution) pairs."""

from __future__ import annotations

import re
import unicodedata

from .parsed import Author

_INST_WORDS = re.compile(
    r"(?i)\b(institut\w*|universit\w*|centre|center|school|department|college|ministry|"
    r"foundation|academy|clingendael|studies|affairs|relations|programme|program|council|"
    r"office|agency|european|network|think|group|merics|ifri|iai|ceias|ecfr|egmont)\b"
)
_ROLE = re.compile(
    r"(?i)^(?:(?:senior|junior|associate|assistant|visiting|non-resident)\s+)*"
    r"(?:research\s+fellow|fellow|professor|researcher|analyst|director|head|lecturer|"
    r"research\s+associate|programme\s+director|editor)\b"
)
_NAME = re.compile(r"^(?:(?:Dr|Prof)\.?\s+)?[A-ZÀ-ÖØ-Þ][\w'’.-]*(?:\s+(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|de|van|von|der|da|del))+$")
_SUP = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹˒]+")


def fold(s: str) -> str:
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).lower().strip()


def _is_name(part: str, known: dict[str, str]) -> bool:
    p = part.strip()
    if fold(p) in known:
        return True
    return bool(_NAME.match(p)) and not _INST_WORDS.search(p) and not _ROLE.match(p) and len(p.split()) <= 4


def _strip_title(name: str) -> str:
    return re.sub(r"^(?:Dr|Prof)\.?\s+", "", name.strip())


def _clean_institution(parts: list[str]) -> str | None:
    kept: list[str] = []
    for p in parts:
        p = p.strip(" ,.")
        if not p:
            continue
        if _ROLE.match(p):
            m = re.search(r"\b(?:at|of)\s+(?:the\s+)?(?=[A-Z])(.+)$", p)
            # 'Head of the Asia Programme at the Latvian Institute ...'
            m2 = re.search(r"\bat\s+(?:the\s+)?(.+)$", p)
            if m2:
                kept.append(m2.group(1))
            elif m and _INST_WORDS.search(m.group(1)) and not _ROLE.match(m.group(1)):
                continue
            continue
        kept.append(p)
    return ", ".join(kept) or None


def parse_byline(line: str, known: dict[str, str] | None = None) -> tuple[Author, ...]:
    """'By A, Inst1 and B, Inst2' -> (Author(A, Inst1), Author(B, Inst2)).

    ``known`` maps folded author names (from the report's list of authors) to the
    display name; it helps to tell a name from an institution. Names not followed by an
    institution share the next one ('A and B, Inst').
    """
    known = known or {}
    text = _SUP.sub("", line).replace("**", "")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"^By\s+", "", text).strip(" .")
    if "•" in text:
        names_part, inst = text.split("•", 1)
        names = [n.strip() for n in re.split(r",\s*|\s+and\s+", names_part) if n.strip()]
        return tuple(Author(_strip_title(n), inst.strip() or None) for n in names)
    # split on commas, then split ' and ' only where the right side starts a name
    raw_parts: list[str] = []
    for chunk in re.split(r",\s*(?:and\s+)?", text):
        pieces = chunk.split(" and ")
        cur = pieces[0]
        for nxt in pieces[1:]:
            if _is_name(nxt, known) or _starts_with_known(nxt, known) or (
                _is_name(cur, known) and _is_name(nxt.split(",")[0], known)
            ):
                raw_parts.append(cur)
                cur = nxt
            else:
                cur = f"{cur} and {nxt}"
        raw_parts.append(cur)
    # 'Francesca Maremonti Research Fellow' -> name + role
    parts: list[str] = []
    for p in raw_parts:
        k = _starts_with_known(p, known)
        if k and fold(p) != k:
            parts.append(p[: len(k)])
            parts.append(p[len(k):])
        else:
            parts.append(p)
    authors: list[list] = []  # [name, [institution parts]]
    pending: list[str] = []
    for p in parts:
        if _is_name(p, known):
            if authors and not authors[-1][1] and authors[-1][0] not in pending:
                pass
            pending.append(p)
            authors.append([p, []])
        else:
            if authors:
                authors[-1][1].append(p)
                # names waiting for an institution share this one
                pending = []
    # propagate: a name with no institution takes the next author's institution
    out: list[Author] = []
    for i, (name, inst_parts) in enumerate(authors):
        inst = _clean_institution(inst_parts)
        j = i + 1
        while inst is None and j < len(authors):
            inst = _clean_institution(authors[j][1])
            j += 1
        out.append(Author(_strip_title(name), inst))
    return tuple(out)


def _starts_with_known(part: str, known: dict[str, str]) -> str | None:
    f = fold(part)
    best = None
    for k in known:
        if f.startswith(k) and (len(f) == len(k) or not f[len(k)].isalnum()):
            if best is None or len(k) > len(best):
                best = k
    return best
