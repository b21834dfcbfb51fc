"""The date search tries a language only when the line holds something of that
language's date vocabulary near a number (and one language for the digits alone): it
must read every line exactly as a search in every language does. Fragments written for
these tests."""

from __future__ import annotations

import pytest

from etnc_db.extract import metadata as m

LANGS = ("en", "de", "fr", "es", "it")


def _every_language(s: str):
    found = [d for d in (m._find_date_in(s, lang) for lang in LANGS) if d]
    return max(found, key=lambda d: (m._PRECISION_RANK[d[1]], d[3] - d[2]), default=None)


@pytest.mark.parametrize("line", [
    "Thursday, 3 October 2024",
    "Mis en ligne le 7 février 2023 à 08h15",
    "Aktualisiert am 12.05.2021 um 17:40 Uhr",
    "Publicado el 9 de junio de 2020",
    "Pubblicato il 14 settembre 2022 alle 11:05",
    "Trade fair: March 4-6, 2025",  # an English month; the other languages read the digits
    "Posted 2019-06-30 09h05",
    "The plant opened in 2018 and a second one followed in March 2021.",
    "Le groupe est présent en Europe depuis les années 2010, selon son rapport.",  # a French unit word
    "Sales rose sharply in the whole of the decade that ended before 2019 in Europe.",  # words far from the year
    "2022",
])
def test_prefiltered_search_reads_like_every_language(line):
    assert m.find_date(line, LANGS) == _every_language(line)


def test_languages_without_date_words_are_not_searched():
    tried = m._languages_to_try("Vendor ban upheld, 2024-01-19", LANGS)
    assert tried[0] == "en" and len(tried) == 2  # the first language and one for the digits
    assert "fr" in m._languages_to_try("Publié le 3 mars 2024", LANGS)
    assert "de" in m._languages_to_try("Stand: 3. März 2024", LANGS)
    # a French word far from any number does not bring French in
    assert m._languages_to_try("Le plan was approved by the board of the company during 2024", LANGS) == ["en", "de"]
