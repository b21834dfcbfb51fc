"""The gazetteer linker on real corpus text."""

import itertools
import re
from pathlib import Path

import pytest

from etnc_db.link.linker import Linker
from etnc_db.reference.registry import load_registry

ROOT = Path(__file__).resolve().parents[2]
REF = ROOT / "etl" / "reference"
CORPUS = ROOT / "data" / "corpus"
REPORT = CORPUS / "002_44c2a5c8c66c6785.txt"

CHAPTERS = {
    "EU": "EU", "AT": "Austria", "BE": "Belgium", "CZ": "Czechia", "DK": "Denmark",
    "EE": "Estonia", "FI": "Finland", "FR": "France", "DE": "Germany", "HU": "Hungary",
    "IE": "Ireland", "IT": "Italy", "LV": "Latvia", "LT": "Lithuania",
    "NL": "The Netherlands", "PL": "Poland", "PT": "Portugal", "RO": "Romania",
    "SK": "Slovakia", "SI": "Slovenia", "ES": "Spain", "SE": "Sweden", "GB": "United Kingdom",
}


@pytest.fixture(scope="module")
def linker():
    return Linker(load_registry(REF, strict=False))


@pytest.fixture(scope="module")
def report():
    return REPORT.read_text(encoding="utf-8")


def chapter_texts(report: str) -> dict[str, str]:
    """Chapter body from its 'Country: title' line to the next chapter's."""
    starts = {}
    for code, name in CHAPTERS.items():
        m = re.search(rf"^{re.escape(name)}: ", report[20000:], re.MULTILINE)
        assert m, name
        starts[code] = 20000 + m.start()
    order = sorted(starts, key=starts.get)
    return {
        code: report[starts[code] : starts[order[i + 1]] if i + 1 < len(order) else len(report)]
        for i, code in enumerate(order)
    }


def keys(mentions, etype):
    return {m.entity_key for m in mentions if m.entity_type == etype}


def test_each_report_country_and_china_found_in_its_own_chapter(linker, report):
    chapters = chapter_texts(report)
    assert len(chapters) == 23
    for code, text in chapters.items():
        found = keys(linker.link(text), "country")
        assert code in found, code
        assert "CN" in found, code


def test_offsets_index_the_stored_document(linker, report):
    start = report.index("Portugal: Engaging China")
    passage = report[start : start + 5000]
    for m in linker.link(passage, offset=start):
        assert report[m.char_start : m.char_end] == m.surface


def test_names_the_texts_use(linker):
    text = ("The Netherlands and Czechia (the Czech Republic) met the UK, Britain and the PRC; "
            "Dutch, Hungarian and Sino-European ties with mainland China and the Chinese mainland.")
    got = [(m.surface, m.entity_key) for m in linker.link(text) if m.entity_type == "country"]
    assert ("Netherlands", "NL") in got and ("Czechia", "CZ") in got
    assert ("Czech Republic", "CZ") in got and ("UK", "GB") in got and ("Britain", "GB") in got
    assert ("PRC", "CN") in got and ("Dutch", "NL") in got and ("Hungarian", "HU") in got
    assert ("Sino", "CN") in got and ("mainland China", "CN") in got
    assert ("Chinese mainland", "CN") in got


def test_acronyms_only_in_capitals(linker):
    text = "Most firms use AI. The most advanced ai tools; EVs and evs; ICT spending."
    ms = linker.link(text)
    surfaces = {m.surface for m in ms}
    assert "AI" in surfaces and "ai" not in surfaces
    assert "EVs" in surfaces and "evs" not in surfaces
    assert not any(m.surface.lower() == "most" for m in ms)


def test_longest_match_wins_without_overlap(linker, report):
    i = report.index("Chinese Academy of Sciences")
    text = report[i - 200 : i + 200]
    ms = linker.link(text)
    cas = [m for m in ms if m.surface == "Chinese Academy of Sciences"]
    assert cas and cas[0].entity_type == "organization"
    spans = sorted((m.char_start, m.char_end) for m in ms)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_metonyms_link_only_in_government_contexts(linker, report):
    text = ("This is best exemplified by establishment of an Office of Science and Technology "
            "(OSTA) in Beijing back in 2012. Beijing's self-reliance campaign matters, and "
            "Brussels seems to be preparing for a more assertive approach.")
    ms, rejects = linker.link_with_rejects(text)
    metonyms = [(m.surface, m.entity_key) for m in ms if m.rule == "country-metonym"]
    assert metonyms == [("Beijing", "CN"), ("Brussels", "EU")]
    assert any(r.surface == "Beijing" and "place" in r.reason for r in rejects)
    # and on real report text
    i = report.index("Beijing wants to double")
    assert ("Beijing", "CN") in [(m.surface, m.entity_key) for m in linker.link(report[i : i + 20])]


def test_sector_keywords_and_urls(linker):
    text = ("CATL builds battery cells for electric vehicles in the innovation space. "
            "See https://example.com/health-pharma/solar")
    ms, rejects = linker.link_with_rejects(text)
    sectors = {(m.surface, m.entity_key) for m in ms if m.entity_type == "sector"}
    assert ("battery cells", "batteries") in sectors
    assert ("electric vehicles", "electric-vehicles") in sectors
    assert not any(m.surface in ("space", "health", "solar") for m in ms)
    assert any("innovation space" in r.reason for r in rejects)


def test_news_documents_link(linker):
    cgtn = (CORPUS / "000_8fe22c03e34f164c.txt").read_text(encoding="utf-8")
    ms = linker.link(cgtn)
    assert {"CN", "EU"} <= keys(ms, "country")
    assert {"batteries", "autonomous-driving"} <= keys(ms, "sector")
    gt = (CORPUS / "003_cb0aaeaa7b8570f9.txt").read_text(encoding="utf-8")
    assert {"DE", "CN"} <= keys(linker.link(gt), "country")
