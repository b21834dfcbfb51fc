"""Acceptance tests of the corpus parsers on the real corpus files (no database)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etnc_db.extract import CorpusError, parse_document, read_source, render_segments
from etnc_db.extract.citations import has_date
from etnc_db.extract.errata import load_errata

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "corpus"
REPORT = "002_44c2a5c8c66c6785.txt"
# the known source errata (France lists endnote 21 twice), as the pipeline passes them
ERRATA = load_errata(ROOT / "etl" / "reference")

# markers the source itself gets wrong (chapter, number): reason
KNOWN_BAD_MARKERS = {
    ("at", 45): "Austria's Endnotes list stops at 36; the text carries a stray superscript 45",
}

EXPECTED = {
    "eu": "EU", "at": "AT", "be": "BE", "cz": "CZ", "dk": "DK", "ee": "EE", "fi": "FI",
    "fr": "FR", "de": "DE", "hu": "HU", "ie": "IE", "it": "IT", "lv": "LV", "lt": "LT",
    "nl": "NL", "pl": "PL", "pt": "PT", "ro": "RO", "sk": "SK", "si": "SI", "es": "ES",
    "se": "SE", "gb": "GB",
}


@pytest.fixture(scope="module")
def report_text():
    return read_source(CORPUS / REPORT)


@pytest.fixture(scope="module")
def report(report_text):
    return parse_document(report_text, kind="report", file_name=REPORT, errata=ERRATA)


def _doc(prefix, kind):
    p = next(CORPUS.glob(prefix + "_*.txt"))
    text = read_source(p)
    return text, parse_document(text, kind=kind, file_name=p.name)


def test_report_parts(report):
    parts = {s.key: s for s in report.sections if s.kind in ("summary", "chapter")}
    assert len(parts) == 24
    assert parts["summary"].kind == "summary"
    for key, code in EXPECTED.items():
        assert parts[key].kind == "chapter" and parts[key].country_code == code
        assert parts[key].authors, key
    hu = parts["hu"]
    assert hu.title == "Hungary: Engagement over caution in cooperation with China"
    assert hu.subtitle == "Engagement over caution in cooperation with China"
    assert [a.name for a in hu.authors] == ["Tamas Matura"]
    assert "Corvinus University" in hu.authors[0].institution
    cz = parts["cz"]
    assert [(a.name, a.institution) for a in cz.authors] == [
        ("Jan Švec", "Institute of International Relations Prague"),
        ("Aleš Karmazin", "Metropolitan University Prague"),
    ]
    assert [a.name for a in parts["summary"].authors] == ["Bernhard Bartsch", "Claudia Wessling"]
    assert {a.name for a in parts["it"].authors} == {"Aurelio Insisa", "Francesca Maremonti"}
    for s in report.sections:
        assert not any(a.name.startswith(("By ", "20")) for a in s.authors)


def test_headings_are_child_sections(report):
    heads = [s for s in report.sections if s.kind == "heading" and s.parent_key == "hu"]
    titles = [h.title for h in heads]
    assert "Recent trends: Hungary and China in Science & Technology" in titles
    assert "Scientific cooperation between the two countries began to expand in the 2000s" not in titles


def test_pull_quote_split_paragraph_is_joined(report, report_text):
    p = next(p for p in report.passages if p.text.startswith("The landmark legal and political foundation"))
    assert len(p.segments) == 2
    assert "which explicitly identified" in p.text
    assert "began to expand in the 2000s explicitly" not in p.text


def test_passages_reproduce_stored_text(report, report_text):
    for doc_text, doc in [(report_text, report)] + [
        _doc(f, k) for f, k in [("000", "news_article"), ("001", "news_article"),
                                ("003", "news_article"), ("004", "newsletter")]
    ]:
        for p in doc.passages:
            assert render_segments(doc_text, p.segments, p.separators) == p.text
            assert p.char_start == p.segments[0][0] and p.char_end == p.segments[-1][1]


def test_no_debris_in_passages(report):
    bad = re.compile(r"© ETNC|^Figure \d+$|Source: Survey|MK socks|MK sports|Privacy Statement|Search Trends")
    by_chapter: dict[str, list[str]] = {}
    for p in report.passages:
        assert not bad.search(p.text), p.key
        assert p.text != "Fragmented Europe: Dealing with China as a technology and innovation power"
        assert not p.text.startswith("- ") or " | " not in p.text[:8]  # endnotes
        by_chapter.setdefault(p.key.split("/")[0], []).append(p.text)
    for ch, texts in by_chapter.items():
        joined = "\n".join(texts)
        for t in texts:
            assert joined.count(t) == 1, f"{ch}: pull-quote duplicate {t[:80]!r}"


def test_citations(report):
    cits = report.citations
    assert len(cits) >= 700
    with_url = [c for c in cits if re.search(r"https?://|www\.", c.raw_text)]
    assert sum(1 for c in with_url if c.urls) / len(with_url) >= 0.95
    with_date = [c for c in cits if has_date(c.raw_text)]
    assert sum(1 for c in with_date if c.published_date) / len(with_date) >= 0.80
    hu6 = next(c for c in cits if c.section_key == "hu" and c.number == 6)
    assert hu6.ibid_of == 1
    it9 = next(c for c in cits if c.section_key == "it" and c.number == 9)
    assert it9.ibid_of == 8
    eu3 = next(c for c in cits if c.section_key == "eu" and c.number == 3)
    assert eu3.published_date.isoformat() == "2023-06-20" and eu3.date_precision == "day"


def test_markers_resolve(report):
    assert len(report.markers) > 600
    bad = {(m.chapter_key, n) for m in report.markers for n in m.unresolved}
    assert bad == set(KNOWN_BAD_MARKERS)
    it_by = [m for m in report.markers if m.chapter_key == "it" and m.location == "byline"]
    assert it_by and it_by[0].numbers == (1,)
    for w in KNOWN_BAD_MARKERS:
        assert any(f"{w[0]}: marker {w[1]} " in x for x in report.warnings)


def test_tables(report):
    ie = [r for r in report.table_rows if r.section_key.startswith("ie")]
    assert len(ie) >= 8 and ie[0].cells[0] == "YEAR / DATE"
    nl = {r.table_key for r in report.table_rows if r.table_key.startswith("nl/")}
    assert len(nl) >= 2
    row_spans = {(r.char_start) for r in report.table_rows}
    assert not any(p.char_start in row_spans for p in report.passages)


def test_report_errata_are_passed_in(report, report_text):
    with pytest.raises(CorpusError, match=r":1321: fr: endnote 21 follows endnote 21"):
        parse_document(report_text, kind="report", file_name=REPORT)  # default: no errata
    fr21 = [c.variant for c in report.citations if c.section_key == "fr" and c.number == 21]
    assert fr21 == [0, 1]
    assert any("fr: endnote 21 is numbered twice" in w and "known erratum" in w for w in report.warnings)


def test_news_documents():
    _, d0 = _doc("000", "news_article")
    assert d0.title is None and d0.published is None and len(d0.passages) >= 5
    _, d1 = _doc("001", "news_article")
    assert d1.title == "China and Germany: Powerhouse partners in science and technology"
    texts = [p.text for p in d1.passages]
    assert not any("/CFP" in t or "Privacy" in t or "Search Trends" in t or "cookies" in t for t in texts)
    _, d3 = _doc("003", "news_article")
    assert d3.published == "2025-03-04"
    assert "MK" not in (d3.title or "")
    assert not any("MK s" in p.text or "Illustration:" in p.text for p in d3.passages)
    assert any(len(p.segments) == 2 for p in d3.passages)


def test_newsletter_issues():
    _, d = _doc("004", "newsletter")
    issues = [s.key for s in d.sections if s.kind == "issue"]
    assert issues[:2] == ["issue-2024-spring", "issue-2023-winter"] and len(issues) >= 4
    assert not any("#PartnerForInnovation" in p.text for p in d.passages)
