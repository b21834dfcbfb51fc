"""Build a :class:`ProposeInput` from a stored document with the pipeline's own parts:
the corpus parser (passages, chapters), the linker (mentions) and the unknown-organization
detector. The extraction itself (:func:`etnc_db.propose.propose`) stays pure."""

from __future__ import annotations

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
    keys = {m.entity_key for m in mentions if m.entity_type == "organization" and m.entity_key}
    orgs = {k: OrganizationInfo(registry.organizations[k].country, registry.organizations[k].kind)
            for k in sorted(keys) if k in registry.organizations}
    mentions.sort(key=lambda m: (m.char_start, m.char_end))
    return ProposeInput(document_key, text, parsed.published or published, tuple(passages), tuple(mentions), orgs)


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
