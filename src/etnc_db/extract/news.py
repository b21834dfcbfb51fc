"""Parsers for news articles, the multi-issue newsletter and generic articles."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .junk import Classification, JunkRule, classify, load_rules, repeat_key
from .lines import PassageBuilder, is_open, line_spans
from .metadata import Metadata, content_words, detect_metadata, headline_like, is_body
from .parsed import ParsedDocument, Section

_ISSUE = re.compile(r"^\s*((?:19|20)\d\d)\s+(Spring|Summer|Fall|Autumn|Winter)\s+Issue\s*$", re.IGNORECASE)
_LABELLED = ("Time:", "Date:", "Location:", "Source:", "Sources:")
_LABEL_PREFIX = re.compile(r"^\s*[\w’' -]{1,24}:\s*")


def _published(text: str) -> str | None:
    """Fallback: the junk rules' published_patterns (used when metadata finds no date)."""
    for pat in load_rules().published_patterns:
        m = pat.search(text)
        if m:
            return m.group("date")
    return None


def _heading_like(line: str, kind: str) -> bool:
    """Short, unpunctuated, not lower-case or a bullet: a heading if body text follows.
    News headings are at most 12 words (a longer open line is a standfirst or a line
    cut short); newsletter story headlines may run to 160 characters."""
    st = line.strip()
    if not st or not is_open(st) or st[0].islower() or st.startswith("•") or st.startswith(_LABELLED):
        return False
    if kind == "newsletter":
        return len(st) <= 160
    return len(st) <= 100 and len(st.split()) <= 12


def _apply_metadata(c: Classification, spans: list[tuple[int, int]], meta: Metadata) -> None:
    """Record the date lines and wire datelines found by the metadata step as removals."""
    for r in meta.removals:
        idx = next(i for i, (s, e) in enumerate(spans) if s <= r.char_start <= e)
        if r.rule_id in ("metadata-date-line", "metadata-credit-line"):
            c.drop(idx, *spans[idx], r.rule_id, r.reason)
        elif idx not in c.dropped:
            c.cut(idx, r.char_start, r.char_end, r.rule_id, r.reason)


def _apply_title_rules(
    c: Classification, spans: list[tuple[int, int]], text: str, rules: tuple[JunkRule, ...], title_line: int | None
) -> None:
    """drop_before_title: every line above the headline; drop_title_repeat: later lines
    that repeat the headline, alone or after a short label."""
    if title_line is None:
        return
    s0, e0 = spans[title_line]
    key = repeat_key(c.residual(title_line, s0, e0, text))
    for rule in rules:
        for i, (s, e) in enumerate(spans):
            if i == title_line or not text[s:e].strip():
                continue
            if rule.action == "drop_before_title" and i < title_line:
                c.drop(i, s, e, rule)
            elif rule.action == "drop_title_repeat" and i > title_line:
                line = c.residual(i, s, e, text)
                if key in (repeat_key(line), repeat_key(_LABEL_PREFIX.sub("", line, count=1))):
                    c.drop(i, s, e, rule)


def _apply_unrelated_headlines(
    c: Classification, spans: list[tuple[int, int]], text: str, rules: tuple[JunkRule, ...], title_line: int | None
) -> None:
    """drop_unrelated_headline: a headline-like line between two body paragraphs below
    the headline that shares (almost) no content word with the rest of the article is
    another story's headline inserted in this one (a related-article teaser)."""
    for rule in (r for r in rules if r.action == "drop_unrelated_headline"):
        kept = [i for i, (s, e) in enumerate(spans) if i not in c.dropped and c.residual(i, s, e, text)]
        lines = {i: c.residual(i, *spans[i], text) for i in kept}
        for n, i in enumerate(kept[1:-1], start=1):
            line = lines[i]
            if (title_line is not None and i <= title_line) or len(line.split()) < (rule.min_words or 1):
                continue
            if not (headline_like(line) and is_body(lines[kept[n - 1]]) and is_body(lines[kept[n + 1]])):
                continue
            mine = content_words(line)
            rest = content_words(" ".join(lines[k] for k in kept if k != i))
            if mine and len(mine & rest) / len(mine) <= (rule.max_shared or 0.0):
                c.drop(i, *spans[i], rule)


def _clean(text: str, kind: str) -> tuple[list[tuple[int, int]], Classification, Metadata]:
    """Line spans, the junk classification (with the metadata removals and the
    headline rules applied) and the page's own metadata."""
    spans = line_spans(text)
    rules = load_rules().for_kind(kind)
    c = classify(spans, text, rules)
    if kind == "newsletter":  # issue and event dates are content, not page metadata
        first = next((i for i, (s, e) in enumerate(spans) if i not in c.dropped and c.residual(i, s, e, text)), None)
        title = c.residual(first, *spans[first], text) if first is not None else None
        return spans, c, Metadata(title=title, title_line=first)
    meta = detect_metadata(text, kind, lines=spans, classification=c)
    _apply_metadata(c, spans, meta)
    _apply_title_rules(c, spans, text, rules, meta.title_line)
    _apply_unrelated_headlines(c, spans, text, rules, meta.title_line)
    for i, (s, e) in enumerate(spans):  # a line whose every character was cut is dropped
        if i not in c.dropped and i in c.cuts and not c.residual(i, s, e, text):
            last = [r for r in c.removals if s <= r.char_start < e][-1]
            c.drop(i, s, e, last.rule_id, last.reason)
    return spans, c, meta


def _parts(text: str, spans, kept: list[int], kind: str, doc_title: str | None) -> list[tuple]:
    """(key, section kind, title, first line, stop line) of each top-level section."""
    if kind != "newsletter":
        return [("main", "article", doc_title or "", 0, len(spans))]
    issue_lines = [i for i in kept if _ISSUE.match(text[spans[i][0]:spans[i][1]])]
    bounds = [(None, kept[0] if kept else 0)] + [(i, i) for i in issue_lines]
    parts = []
    for n, (iss, start) in enumerate(bounds):
        stop = bounds[n + 1][1] if n + 1 < len(bounds) else len(spans)
        if iss is None:
            if issue_lines and start >= issue_lines[0]:
                continue
            parts.append(("front", "front_matter", doc_title or "", start, stop))
            continue
        m = _ISSUE.match(text[spans[iss][0]:spans[iss][1]])
        parts.append((f"issue-{m.group(1)}-{m.group(2).lower()}", "issue", m.group(0).strip(), start, stop))
    return parts


def parse_news(text: str, *, kind: str, file_name: str, title: str | None = None) -> ParsedDocument:
    """News article / generic article / newsletter.

    * The page's own metadata (extract/metadata.py): headline, publication date with its
      precision, publisher, and where each was read (``metadata_spans``).
    * Junk rules (etl/reference/junk_rules.yaml) and the metadata step remove page
      debris; every removal is in ``removed`` with its rule and reason.
    * article / news_article: section 'main' (kind 'article'); the title is the
      headline the metadata step found (news) or the first kept line (article); a
      ``title`` argument (the manifest's) overrides it. A short unpunctuated line
      followed by body text becomes a 'heading' section; the last line never does.
    * newsletter: one section per '<YYYY> <Season> Issue' line (key 'issue-2024-spring',
      kind 'issue'); text before the first issue is section 'front'. Inside an issue each
      story headline is a 'heading' section and each paragraph a passage.
    """
    spans, c, meta = _clean(text, kind)
    kept = [i for i, (s, e) in enumerate(spans) if i not in c.dropped and c.residual(i, s, e, text)]
    repeated = {r.id for r in load_rules().rules if r.action == "drop_repeated"}
    title_line = meta.title_line if meta.title_line in kept or (
        meta.title_line is not None and meta.title_line in c.dropped
        and c.dropped[meta.title_line].rule_id in repeated) else None  # a headline written twice
    doc_title = title if title is not None else (meta.title if title_line is not None else None)
    parts = _parts(text, spans, kept, kind, doc_title)
    sections, passages = _sections_and_passages(_Page(text, spans, c, kept), parts, kind, title_line)
    published = meta.published or _published(text)
    precision = meta.published_precision or (
        ("year", "month", "day")[published.count("-")] if published else None)
    return ParsedDocument(
        title=doc_title, published=published, kind=kind, sections=tuple(sections),
        passages=tuple(passages), warnings=(), publisher=meta.publisher,
        published_precision=precision, metadata_spans=meta.spans, removed=tuple(c.removals),
    )


def _is_heading(i: int, order: list[int], lt: dict[int, str], kind: str) -> bool:
    """Heading-like and followed, after any further heading-like lines, by body text."""
    if not _heading_like(lt[i], kind):
        return False
    for j in order[order.index(i) + 1:]:
        if not _heading_like(lt[j], kind):
            return True
    return False


@dataclass(frozen=True)
class _Page:
    """A cleaned page: its text, line spans, what the junk rules made of the lines and
    the indices of the lines kept."""

    text: str
    spans: list[tuple[int, int]]
    c: Classification
    kept: list[int]


def _sections_and_passages(page: _Page, parts, kind, title_line):
    """Sections (parts and their headings) and passages, one passage per kept line."""
    text, spans, c, kept = page.text, page.spans, page.c, page.kept
    sections: list[Section] = []
    passages = []
    end = len(text)
    for ordinal, (key, skind, title_, start, stop) in enumerate(parts):
        cs = spans[start][0] if start < len(spans) else end
        ce = spans[stop][0] if stop < len(spans) else end
        sections.append(Section(key, None, skind, title_, None, None, (), cs, ce, ordinal))
        order = [i for i in kept if start <= i < stop and i != title_line and not (skind == "issue" and i == start)]
        lt = {i: c.residual(i, *spans[i], text) for i in order}
        b = PassageBuilder(text, key)
        current, hn, head_idx = key, 0, None
        for i in order:
            s, e = spans[i]
            if _is_heading(i, order, lt, kind):
                b.heading()
                b.flush()
                hn += 1
                if head_idx is not None:
                    sections[head_idx] = replace(sections[head_idx], char_end=s)
                current = f"{key}/{hn}"
                sections.append(Section(current, key, "heading", lt[i], None, None, (), s, ce, hn))
                head_idx = len(sections) - 1
                continue
            b.flush()  # news paragraphs are one per line: never join lines
            b.add_line(s, e, current, c.cuts.get(i))
        b.flush()
        passages.extend(b.passages)
    return sections, passages
