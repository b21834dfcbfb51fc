"""Build a :class:`ProposeInput` from a stored document with the pipeline's own parts:
the corpus parser (passages, chapters), the linker (mentions) and the unknown-organization
detector. The extraction itself (:func:`etnc_db.propose.propose`) stays pure."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from etnc_db.link.linker import Linker
from etnc_db.link.unknown import detect_unknown_organizations

from .candidate import MentionInput, OrganizationInfo, PassageInput, ProposeInput


def input_from_parsed(document_key: str, text: str, parsed, *, published: str | None, linker: Linker,
                      mentions: Iterable | None = None) -> ProposeInput:
    """Package a parsed document (``etnc_db.extract.parsed.ParsedDocument``) for
    :func:`propose`: its passages with their chapter, the linker's mentions in them (the
    ones given, e.g. the pipeline's own, else linked here by `linker`, whose registry is
    used throughout), the unregistered
    organization-like names, and for a page that is not a report the body lines no
    passage covers (linked here)."""
    registry = linker.registry
    by_segment = _mentions_by_segment(parsed, mentions) if mentions is not None else None
    passages: list[PassageInput] = []
    found: list[MentionInput] = []
    for p, chapter in _passages_with_chapters(parsed):
        passages.append(PassageInput(
            key=p.key, text=p.text, segments=tuple(p.segments), separators=tuple(p.separators),
            chapter_key=chapter.key if chapter else None, chapter_country=chapter.country_code if chapter else None))
        for start, end in p.segments:
            linked = by_segment.get((start, end), ()) if by_segment is not None else linker.link(text[start:end], offset=start)
            found.extend(_mention_input(m) for m in linked)
            # the segment's organization mentions, in its own offsets: it is not linked again
            known = [(m.char_start - start, m.char_end - start) for m in linked if m.entity_type == "organization"]
            found.extend(MentionInput(u.char_start + start, u.char_end + start, u.surface, "organization", None,
                                      f"unknown:{u.pattern}")
                         for u in detect_unknown_organizations(text[start:end], registry, known))
    if parsed.kind != "report":
        for start, end in _uncovered_body_lines(text, parsed):
            passages.append(PassageInput(key=f"line@{start}", text=text[start:end], segments=((start, end),)))
            found.extend(_mention_input(m) for m in linker.link(text[start:end], offset=start))
        passages.sort(key=lambda p: p.segments[0][0])
    keys = {m.entity_key for m in found if m.entity_type == "organization" and m.entity_key}
    orgs = {k: organization_info(registry, k) for k in sorted(keys) if k in registry.organizations}
    found.sort(key=lambda m: (m.char_start, m.char_end))
    return ProposeInput(document_key, text, published or parsed.published, tuple(passages), tuple(found), orgs)


def part_of(doc: ProposeInput, k: int, n: int) -> ProposeInput:
    """The document with only the k-th of n consecutive runs of its passages holding about
    equal text, so that n processes can propose one long document: the candidates of the
    n parts, in order, are the document's once duplicate keys are numbered across the
    parts (``etnc_db.propose.extract.numbered``). Mentions outside the part are never
    read (each sentence takes those inside its passage)."""
    if n == 1:
        return doc
    total = sum(len(p.text) for p in doc.passages) or 1
    kept, done = [], 0
    for p in doc.passages:
        if k * total <= done * n < (k + 1) * total:
            kept.append(p)
        done += len(p.text)
    return replace(doc, passages=tuple(kept))


def _passages_with_chapters(parsed) -> list[tuple[Any, Any]]:
    """Every passage with the top-level section (chapter) holding it, or None."""
    chapters = [s for s in parsed.sections if s.parent_key is None]
    return [(p, next((c for c in chapters if c.char_start <= p.char_start < c.char_end), None))
            for p in parsed.passages]


def _mentions_by_segment(parsed, mentions: Iterable) -> dict[tuple[int, int], list]:
    """Given mentions grouped by the passage segment holding them. ``mentions`` are
    linker mentions, or the pipeline's (section key, passage key, mention) triples."""
    segments = sorted({seg for p in parsed.passages for seg in p.segments})
    starts = [s for s, _ in segments]
    out: dict[tuple[int, int], list] = {}
    for item in mentions:
        m = item[2] if isinstance(item, tuple) else item
        i = bisect.bisect_right(starts, m.char_start) - 1
        if i >= 0 and m.char_end <= segments[i][1]:
            out.setdefault(segments[i], []).append(m)
    return out


def _mention_input(m) -> MentionInput:
    return MentionInput(m.char_start, m.char_end, m.surface, m.entity_type, m.entity_key, m.rule)


_SENTENCE_END = re.compile(r"[.!?:\"”’)]\s*$")


def _uncovered_body_lines(text: str, parsed) -> list[tuple[int, int]]:
    """Lines of a news page that no passage, citation or table row covers but that read
    as body text (12+ words ending like a sentence), e.g. a lede the parser kept apart
    from the paragraphs. The extraction proposes; a stray line costs a reviewer a click."""
    covered = [(s, e) for p in parsed.passages for s, e in p.segments]
    covered += [(c.char_start, c.char_end) for c in parsed.citations]
    covered += [(r.char_start, r.char_end) for r in parsed.table_rows]
    out, pos = [], 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if len(stripped.split()) < 12 or not _SENTENCE_END.search(stripped):
            continue
        if any(s < end and start < e for s, e in covered):
            continue
        lead = len(line) - len(line.lstrip())
        out.append((start + lead, start + lead + len(stripped)))
    return out


def organization_info(registry, key: str) -> OrganizationInfo:
    """What the extraction needs of a registered organization: country, kind, parent."""
    org = registry.organizations[key]
    parent = registry.organizations.get(org.parent) if org.parent else None
    return OrganizationInfo(org.country, org.kind, org.parent if parent else None, parent.country if parent else None)


def input_from_text(text: str, linker: Linker, *, document_key: str = "text", published: str | None = None,
                    chapter_key: str | None = None, chapter_country: str | None = None) -> ProposeInput:
    """A one-passage input for a plain fragment (tests, quick looks): no parsing, the
    whole text is one passage, linked with ``linker``."""
    mentions = tuple(MentionInput(m.char_start, m.char_end, m.surface, m.entity_type, m.entity_key, m.rule)
                     for m in linker.link(text))
    reg = linker.registry
    orgs = {m.entity_key: organization_info(reg, m.entity_key)
            for m in mentions if m.entity_type == "organization" and m.entity_key in reg.organizations}
    passage = PassageInput("p1", text, ((0, len(text)),), (), chapter_key, chapter_country)
    return ProposeInput(document_key, text, published, (passage,), mentions, dict(sorted(orgs.items())))
