"""Parsers for news articles, the multi-issue newsletter and generic articles."""

from __future__ import annotations

import re

from .junk import classify_lines, load_rules
from .lines import PassageBuilder, is_open, line_spans
from .model import ParsedDocument, Section

_ISSUE = re.compile(r"^\s*((?:19|20)\d\d)\s+(Spring|Summer|Fall|Autumn|Winter)\s+Issue\s*$", re.IGNORECASE)


def _published(text: str, kind: str) -> str | None:
    for pat in load_rules().published_patterns:
        m = pat.search(text)
        if m:
            return m.group("date")
    return None


def _is_heading(line: str) -> bool:
    st = line.strip()
    return bool(st) and len(st) <= 160 and is_open(st) and not st[0].islower() and not st.startswith("•")


def parse_news(text: str, *, kind: str, file_name: str, title: str | None = None) -> ParsedDocument:
    """News article / generic article / newsletter.

    * article / news_article: section 'main' (kind 'article'); the title is the first
      kept line for 'article', and for news the first kept line when it reads like a
      headline (short, no sentence-final punctuation) - else None (the manifest supplies it).
      Short unpunctuated lines inside the body become 'heading' sections.
    * newsletter: one section per '<YYYY> <Season> Issue' line (key 'issue-2024-spring',
      kind 'issue'); text before the first issue is section 'front'. Inside an issue each
      story headline is a 'heading' section and each paragraph a passage, so no passage
      spans two stories.
    """
    spans = line_spans(text)
    rules = load_rules().for_kind(kind)
    dropped, cuts = classify_lines(spans, text, rules)
    published = _published(text, kind)
    kept = [i for i, (s, e) in enumerate(spans) if text[s:e].strip() and i not in dropped]

    def line_text(i: int) -> str:
        s, e = spans[i]
        out, pos = [], s
        for a, b in cuts.get(i, []):
            out.append(text[pos:a])
            pos = b
        out.append(text[pos:e])
        return "".join(out).strip()

    sections: list[Section] = []
    doc_title = title
    title_line = None
    if kept and kind != "newsletter":
        first = kept[0]
        if kind == "article" or _is_heading(line_text(first)):
            title_line = first
            if doc_title is None:
                doc_title = line_text(first)
    elif kept and kind == "newsletter" and doc_title is None:
        doc_title = line_text(kept[0])
        title_line = kept[0]

    end = len(text)
    if kind == "newsletter":
        issue_lines = [i for i in kept if _ISSUE.match(text[spans[i][0]:spans[i][1]])]
        bounds = [(None, kept[0] if kept else 0)] + [(i, i) for i in issue_lines]
        parts = []
        for n, (iss, start) in enumerate(bounds):
            stop = bounds[n + 1][1] if n + 1 < len(bounds) else len(spans)
            if iss is None:
                if issue_lines and start >= issue_lines[0]:
                    continue
                key, title_ = "front", doc_title or ""
                skind = "front_matter"
            else:
                m = _ISSUE.match(text[spans[iss][0]:spans[iss][1]])
                key = f"issue-{m.group(1)}-{m.group(2).lower()}"
                title_, skind = m.group(0).strip(), "issue"
            parts.append((key, skind, title_, start, stop))
    else:
        parts = [("main", "article", doc_title or "", 0, len(spans))]

    passages = []
    for ordinal, (key, skind, title_, start, stop) in enumerate(parts):
        cs = spans[start][0] if start < len(spans) else end
        ce = spans[stop][0] if stop < len(spans) else end
        sections.append(Section(key, None, skind, title_, None, None, (), cs, ce, ordinal))
        b = PassageBuilder(text, key)
        current = key
        hn = 0
        head_idx = None
        for i in range(start, stop):
            if i not in kept or i == title_line or (skind == "issue" and i == start):
                continue
            lt = line_text(i)
            s, e = spans[i]
            if _is_heading(lt) and not lt.startswith(("Time:", "Date:", "Location:", "Source:", "Sources:")):
                b.heading()
                b.flush()
                hn += 1
                hk = f"{key}/{hn}"
                if head_idx is not None:
                    from dataclasses import replace
                    sections[head_idx] = replace(sections[head_idx], char_end=s)
                sections.append(Section(hk, key, "heading", lt, None, None, (), s, ce, hn))
                head_idx = len(sections) - 1
                current = hk
                continue
            b.flush()  # news paragraphs are one per line: never join lines
            b.add_line(s, e, current, cuts.get(i))
        b.flush()
        passages.extend(b.passages)
    return ParsedDocument(
        title=doc_title, published=published, kind=kind, sections=tuple(sections),
        passages=tuple(passages), warnings=(),
    )
