"""Build a :class:`ProposeInput` from a stored document with the pipeline's own parts:
the corpus parser (passages, chapters), the linker (mentions) and the unknown-organization
detector. The extraction itself (:func:`etnc_db.propose.propose`) stays pure."""

from __future__ import annotations

import re

from etnc_db.extract import parse_document
from etnc_db.link.linker import Linker
from etnc_db.link.unknown import detect_unknown_organizations
from etnc_db.reference.registry import Registry

from .model import MentionInput, OrganizationInfo, PassageInput, ProposeInput


def build_input(document_key: str, text: str, *, kind: str, published: str | None, registry: Registry,
                linker: Linker | None = None, file_name: str = "document", title: str | None = None) -> ProposeInput:
    """Parse, link and package one stored document for :func:`propose`."""
    linker = linker or Linker(registry)
    parsed = parse_document(text, kind=kind, file_name=file_name, title=title)
    chapters = [s for s in parsed.sections if s.parent_key is None]
    passages: list[PassageInput] = []
    mentions: list[MentionInput] = []
    for p in parsed.passages:
        chapter = next((c for c in chapters if c.char_start <= p.char_start < c.char_end), None)
        passages.append(PassageInput(
            key=p.key, text=p.text, segments=tuple(p.segments), separators=tuple(p.separators),
            chapter_key=chapter.key if chapter else None,
            chapter_country=chapter.country_code if chapter else None,
        ))
        for start, end in p.segments:
            segment = text[start:end]
            linked = linker.link(segment, offset=start)
            mentions.extend(MentionInput(m.char_start, m.char_end, m.surface, m.entity_type, m.entity_key, m.rule)
                            for m in linked)
            for u in detect_unknown_organizations(segment, registry):
                mentions.append(MentionInput(u.char_start + start, u.char_end + start, u.surface,
                                             "organization", None, f"unknown:{u.pattern}"))
    if kind != "report":
        for start, end in _uncovered_body_lines(text, parsed):
            passages.append(PassageInput(key=f"line@{start}", text=text[start:end], segments=((start, end),)))
            linked = linker.link(text[start:end], offset=start)
            mentions.extend(MentionInput(m.char_start, m.char_end, m.surface, m.entity_type, m.entity_key, m.rule)
                            for m in linked)
        passages.sort(key=lambda p: p.segments[0][0])
    keys = {m.entity_key for m in mentions if m.entity_type == "organization" and m.entity_key}
    orgs = {k: OrganizationInfo(registry.organizations[k].country, registry.organizations[k].kind)
            for k in sorted(keys) if k in registry.organizations}
    mentions.sort(key=lambda m: (m.char_start, m.char_end))
    return ProposeInput(document_key, text, parsed.published or published, tuple(passages), tuple(mentions), orgs)


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


def input_from_text(text: str, linker: Linker, *, document_key: str = "text", published: str | None = None,
                    chapter_key: str | None = None, chapter_country: str | None = None) -> ProposeInput:
    """A one-passage input for a plain fragment (tests, quick looks): no parsing, the
    whole text is one passage, linked with ``linker``."""
    mentions = tuple(MentionInput(m.char_start, m.char_end, m.surface, m.entity_type, m.entity_key, m.rule)
                     for m in linker.link(text))
    reg = linker.registry
    orgs = {m.entity_key: OrganizationInfo(reg.organizations[m.entity_key].country, reg.organizations[m.entity_key].kind)
            for m in mentions if m.entity_type == "organization" and m.entity_key in reg.organizations}
    passage = PassageInput("p1", text, ((0, len(text)),), (), chapter_key, chapter_country)
    return ProposeInput(document_key, text, published, (passage,), mentions, dict(sorted(orgs.items())))
