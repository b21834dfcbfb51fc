"""Document rows: spans are checked where they are made, ibid. notes carry what they
repeat, URLs are normalized with the original kept."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from etnc_db.extract.parsed import Citation, CorpusError, ParsedDocument, Section
from etnc_db.extract.rows import DocumentMeta, DocumentRows, normalize_url

TEXT = "Huawei opened a lab.\nNotes\n1 | Report, Outlet, 3 March 2024, www.example.org/a/\n2 | Ibid.\n"


@dataclass
class FakeMention:
    char_start: int
    char_end: int
    surface: str
    entity_type: str = "organization"
    entity_key: str = "huawei"
    rule: str = "alias"


def _citation(number, start, end, url=None, ibid_of=None, date=None):
    return Citation("main", number, TEXT[start:end], (url,) if url else (), url, "Report" if url else None,
                    "Outlet" if url else None, date, "day" if date else None, ibid_of, start, end)


def _parsed() -> ParsedDocument:
    import datetime

    first = TEXT.index("1 |")
    second = TEXT.index("2 |")
    return ParsedDocument("T", None, "article", sections=(Section("main", None, "article", "T", None, None, (), 0, len(TEXT), 0),),
                          citations=(_citation(1, first, second - 1, "www.example.org/a/", date=datetime.date(2024, 3, 3)),
                                     _citation(2, second, len(TEXT) - 1, ibid_of=1)))


def _add(mentions) -> DocumentRows:
    rows = DocumentRows()
    rows.add(DocumentMeta("d", "d.txt", "0" * 64, len(TEXT), "article", "fp"), TEXT, _parsed(), mentions)
    return rows


def test_a_mention_that_does_not_reproduce_the_text_is_refused_where_it_is_made():
    _add([("main", None, FakeMention(0, 6, "Huawei"))])
    with pytest.raises(CorpusError, match="mention 0-6"):
        _add([("main", None, FakeMention(0, 6, "Huawey"))])


def test_an_ibid_note_carries_the_url_title_outlet_and_date_it_repeats():
    rows = _add([])
    first, ibid = rows.rows["core.citations"]
    assert first["url"] == "https://www.example.org/a" and first["url_as_written"] == "www.example.org/a/"
    assert ibid["url"] == first["url"] and ibid["title"] == "Report" and ibid["outlet"] == "Outlet"
    assert ibid["published_date"] == first["published_date"] and ibid["ibid_of_key"] == "d/main#1"


@pytest.mark.parametrize("raw, normalized", [
    ("www.Example.org/path/", "https://www.example.org/path"),
    ("http://example.org/", "http://example.org"),
    ("https://example.org/a?b=1#frag", "https://example.org/a?b=1"),
    ("example.org/x).", "https://example.org/x"),
])
def test_urls_are_normalized(raw, normalized):
    assert normalize_url(raw) == normalized
