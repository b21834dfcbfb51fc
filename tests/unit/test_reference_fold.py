"""Folding for matching: the folded text, and the origin offsets exactly when some
character folds to more or fewer than one character."""

from __future__ import annotations

from etnc_db.reference.fold import fold_with_origin, original_span


def test_mostly_ascii_text_folds_in_place_without_origins():
    assert fold_with_origin("Telefónica’s CEO – “Škoda” in Ørsted") == ("telefonica’s ceo – “skoda” in orsted", None)
    assert fold_with_origin("BYD 比亚迪 Ελλάδα") == ("byd 比亚迪 ελλαδα", None)


def test_a_character_folding_to_two_gives_origins_even_after_one_to_one_runs():
    folded, origin = fold_with_origin("é Straße")
    assert folded == "e strasse"
    assert origin == [0, 1, 2, 3, 4, 5, 6, 6, 7]
    assert original_span(origin, 8, 2, 9) == (2, 8)  # "strasse" is "Straße"
    assert original_span(origin, 8, 2, 7) is None  # "strass" ends inside "ß"


def test_a_combining_mark_folds_to_nothing_and_its_run_keeps_origins():
    # a combining acute right before a ligature: two characters folding to two, but
    # not one to one
    folded, origin = fold_with_origin("Cafe\u0301\ufb01ne")
    assert folded == "cafefine"
    assert origin == [0, 1, 2, 3, 5, 5, 6, 7]
