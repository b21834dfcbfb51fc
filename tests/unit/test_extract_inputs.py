"""Bad input, junk rules and the generic article parser."""

from __future__ import annotations

import pytest

from etnc_db.extract import CorpusError, parse_document, read_source, render_segments
from etnc_db.extract.junk import JunkRulesError, load_rules, parse_rules

MINI_REPORT = """Mini report

Contents

Executive Summary\t3
Hungary: Short title\t5

Executive Summary

Summary text one.

Hungary

Hungary: Short title

By Tamas Matura, Corvinus University

A paragraph that cites.¹

Endnotes

- 1 | Someone. A title. 29 June 2022. <https://example.org/a>
- {second} | Other. Another. July 15, 2019. https://example.org/b
"""


def test_empty_file(tmp_path):
    p = tmp_path / "e.txt"
    p.write_text("  \n\n")
    with pytest.raises(CorpusError, match="e.txt: empty"):
        read_source(p)


def test_binary_file(tmp_path):
    p = tmp_path / "b.txt"
    p.write_bytes(b"abc\n\x00\x01\x02")
    with pytest.raises(CorpusError, match=r"b.txt:2: binary"):
        read_source(p)


@pytest.mark.parametrize("controls, refused", [(4, False), (5, False), (6, True)])
def test_a_file_of_more_than_5_percent_control_characters_is_binary(tmp_path, controls, refused):
    # 100 characters (accented and CJK letters are one character each, several bytes);
    # tabs, line and form feeds are text, other characters below U+0020 are not
    body = "é中" * 10 + "\t\n\f\v\r" * 4 + "\x01\x1b\x7f"[:2] * (controls // 2) + "\x1f" * (controls % 2)
    text = body + "x" * (100 - len(body))
    p = tmp_path / "c.txt"
    p.write_text(text, encoding="utf-8", newline="")
    if refused:
        with pytest.raises(CorpusError, match="mostly non-text control characters"):
            read_source(p)
    else:
        assert read_source(p) == text


def test_invalid_utf8_gives_line(tmp_path):
    p = tmp_path / "u.txt"
    p.write_bytes("ok\nstill ok\nbad \xff here\n".encode("latin-1"))
    with pytest.raises(CorpusError) as ei:
        read_source(p)
    assert ei.value.line == 3 and str(ei.value).startswith("u.txt:3: invalid UTF-8")


def test_oversize(tmp_path):
    p = tmp_path / "big.txt"
    p.write_text("x" * 2000)
    with pytest.raises(CorpusError, match="over the 1000-byte limit"):
        read_source(p, max_bytes=1000)


def test_exact_text_kept(tmp_path):
    p = tmp_path / "crlf.txt"
    p.write_bytes(b"Title\r\n\r\nBody line.\r\n")
    assert read_source(p) == "Title\r\n\r\nBody line.\r\n"


@pytest.mark.parametrize("second", ["1", "0"])
def test_broken_endnote_numbering(second):
    text = MINI_REPORT.format(second=second)
    with pytest.raises(CorpusError) as ei:
        parse_document(text, kind="report", file_name="mini.txt")
    assert ei.value.file == "mini.txt" and ei.value.line == 23
    assert "duplicate or decreasing" in ei.value.reason


def test_mini_report_parses():
    d = parse_document(MINI_REPORT.format(second="2"), kind="report", file_name="mini.txt")
    hu = next(s for s in d.sections if s.key == "hu")
    assert hu.country_code == "HU" and hu.authors[0].name == "Tamas Matura"
    assert [c.number for c in d.citations] == [1, 2]
    assert d.citations[1].published_date.isoformat() == "2019-07-15"
    assert d.markers[0].numbers == (1,) and not d.markers[0].unresolved


def test_generic_article():
    text = "\n\nMy Title\n\nFirst paragraph.\nSecond paragraph with MK socks spam inside.\n"
    d = parse_document(text, kind="article", file_name="x.md")
    assert d.title == "My Title" and d.kind == "article"
    assert [p.text for p in d.passages] == ["First paragraph.", "Second paragraph with spam inside."]
    for p in d.passages:
        assert render_segments(text, p.segments, p.separators) == p.text


def test_unknown_kind():
    with pytest.raises(CorpusError, match="unknown document kind"):
        parse_document("x", kind="podcast", file_name="x.txt")


def test_rules_file_loads_with_reasons():
    rules = load_rules()
    assert rules.rules and all(r.reason for r in rules.rules)
    ids = {r.id for r in rules.rules}
    assert {"spam-mk-bracketed", "cookie-banner-title", "figure-copyright"} <= ids


def test_rules_validation():
    with pytest.raises(JunkRulesError, match="reason"):
        parse_rules({"rules": [{"id": "a", "action": "drop_line", "match": "regex", "pattern": "x"}]})
    with pytest.raises(JunkRulesError, match="bad regex"):
        parse_rules({"rules": [{"id": "a", "action": "drop_line", "match": "regex", "pattern": "(", "reason": "r"}]})
    with pytest.raises(JunkRulesError, match="duplicate"):
        r = {"id": "a", "action": "drop_line", "match": "literal", "pattern": "x", "reason": "r"}
        parse_rules({"rules": [r, r]})
