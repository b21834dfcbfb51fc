"""Finding evidence quotes in stored text, and ECB rates from the shipped data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from etnc_db.quotes import find_quote
from etnc_db.reference.fx import FxError, ecb_rate

TEXT = "Intro.\nIn 2017, the Office and China’s MOST signed an agreement.³ Later, “CATL” built\n  a plant."


def test_exact_match_gives_the_stored_offsets():
    m = find_quote(TEXT, "the Office and China’s MOST signed an agreement.")
    assert m.method == "exact"
    assert TEXT[m.start:m.end] == "the Office and China’s MOST signed an agreement."


def test_normalized_match_ignores_quote_style_whitespace_and_markers():
    m = find_quote(TEXT, 'agreement. Later, "CATL" built a plant.')
    assert m.method == "normalized"
    assert TEXT[m.start:m.end] == "agreement.³ Later, “CATL” built\n  a plant."


def test_missing_quote_is_none():
    assert find_quote(TEXT, "Huawei opened a centre") is None


def test_occurrence_inside_the_preferred_span_wins():
    text = "A deal was signed. B. A deal was signed."
    assert find_quote(text, "A deal was signed.", within=(20, len(text))).start == 22


def test_ecb_rate_is_the_year_end_reference_rate():
    r = ecb_rate("USD", 2024)
    assert r.rate == Decimal("1.0389") and r.rate_date == date(2024, 12, 31)
    assert ecb_rate("EUR", 2019).rate == 1


def test_ecb_rate_refuses_unknown_currency_and_years_without_data():
    with pytest.raises(FxError):
        ecb_rate("XYZ", 2020)
    with pytest.raises(FxError):
        ecb_rate("USD", 1990)


def test_year_end_rates_come_from_the_cache_once_looked_up(tmp_path, monkeypatch):
    from etnc_db.reference import fx

    cache = tmp_path / "fx-rates.json"
    fx.use_cache(cache)
    try:
        first = ecb_rate("USD", 2023)
        assert cache.exists()

        def no_ecb_file():
            raise AssertionError("the ECB file was read although the rate is cached")

        monkeypatch.setattr(fx, "_converter", no_ecb_file)
        fx.use_cache(cache)  # a new process: the in-memory cache is empty, the file is not
        assert ecb_rate("USD", 2023) == first
    finally:
        fx.use_cache(None)


def test_normalized_text_maps_back_to_stored_offsets():
    from etnc_db.quotes import NormalizedText

    text = "  A \u201cquote\u201d\u00b3 \n\t here\u2019s  it."
    n = NormalizedText(text)
    assert n.text == 'A "quote" here\'s it.'
    assert [text[i] for i in n.index] == ["A", " ", "\u201c", "q", "u", "o", "t", "e", "\u201d", " ", "h", "e", "r", "e",
                                          "\u2019", "s", " ", "i", "t", "."]


def test_normalize_equals_the_offset_mapping_normalization_on_random_text():
    """normalize() (translate + split) and NormalizedText (numpy, with offsets) are two
    implementations of one normalization: they must agree on any text."""
    import random

    from etnc_db.quotes import NormalizedText, normalize

    pool = list("ab Z.,'\"") + ["\n", "\t", "\u00a0", "\u2009", "\u3000", "\x1c", "¹", "²", "⁰", "˒",
                                 "“", "”", "‘", "’", "„", "`", "é", "中"]
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        assert normalize(text) == NormalizedText(text).text.strip(), repr(text)
