"""The propose stage's sentence segmenter (etnc_db.propose.sentences) gives exactly
pysbd's sentences: on hand-written fragments full of abbreviations, lists, quotes and
numbers, and on random text built from such pieces. The fragments are written for this
test."""

from __future__ import annotations

import random

import pysbd
import pytest

from etnc_db.propose.prefilter import ascii_case_folds
from etnc_db.propose.sentences import Segmenter

FRAGMENTS = [
    "",
    " ",
    "One sentence without a stop",
    "The plant opened. It employs 300 people.",
    "Acme Co. bought a stake in Foo Corp. in 2021. The deal closed in Jan. 2022.",
    "Mr. Smith met Dr. Jones at St. Mary's on Aug. 3. They signed an MoU.",
    "See Art. 5 and No. 12 of the decree. Also pp. 4-6, fig. 2 and p. 7.",
    "The U.S. and the E.U. agreed. The U.S. Treasury objected. I think so.",
    "Investors, e.g. pension funds, i.e. large ones, were wary (cf. Section 2). Prof. Li disagreed.",
    "It cost €1.5 bn. (approx.) in total. Another 2.3 m. followed.",
    "“Are you sure?” she asked. “Yes!” he said... Then silence. What now?!",
    "Items: 1. batteries; 2. cells; 3. modules. a) first b) second. i. one ii. two.",
    "The firm (Ltd.) said: 'we will expand.' Shares rose 5 p.c. on Mon. morning.",
    "Gen. Motors, Col. Sanders and Gov. Brown vs. Sen. Warren. Messrs. Doe and Roe left.",
    "He left at 5 p.m. The meeting ended at 10 a.m. on Tue. next week.",
    "A line\nbroken in two.\nAnd a third line without a stop\n\nNew paragraph. End.",
    "The deal, worth USD 2 billion,⁴ was signed in 2019.⁵ It lapsed.",
    "Visit www.example.com or mail info@example.org. The file is data.csv. Done.",
    "The co. announced it. The alt. route was closed. Ave. Maria street.",
    "Die Firma ſtieg ein. Dıe Regierung zögerte. İstanbul hosts the hub. Al. Co. ıs here.",
    "The first visit was to ſt. Peter and to the dr. Then ıi. Home at last.",
    "The first one went by ſt. peter to the lake. Next one.",
    "The Kelvin sign K. and the ſt. ligature-like letter; Co. K. Smith arrived.",
    "Text with tabs\tand  double  spaces.  Then more.   And more.",
    "China’s MIIT (Ministry of Industry and Information Technology) approved it. Inc. filed.",
    "He said “no.” Then: “Maybe.” (See Annex I.) Fin.",
]

PIECES = [
    "Co.", "Corp.", "Inc.", "Ltd.", "Mr.", "Dr.", "St.", "No.", "Art.", "p.", "pp.", "Jan.", "Aug.", "e.g.",
    "i.e.", "U.S.", "E.U.", "vs.", "etc.", "al.", "a.m.", "p.m.", "fig.", "approx.", "Gen.", "co.", "ave.",
    "the", "The", "plant", "China", "invested", "EUR 3.5 billion", "1.", "2)", "a)", "iii.", "(", ")", "“",
    "”", "'", "\"", "?", "!", "...", ".", ",", ";", ":", "-", "–", "\n", "  ", "²", "³", "5%", "2021",
    "In", "It", "However", "We", "I", "ſ", "ı", "İ", "K", "www.site.org", "x@y.com", "Ph.D.", "d.phil",
]


def _old():
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


@pytest.mark.parametrize("text", FRAGMENTS)
def test_fragments_split_as_pysbd_does(text):
    assert Segmenter().segment(text) == _old().segment(text)


def test_random_text_splits_as_pysbd_does():
    rng, old, new = random.Random(18), _old(), Segmenter()
    for _ in range(1500):
        words = [rng.choice(PIECES) for _ in range(rng.randint(1, 40))]
        text = "".join(w + rng.choice(("", " ", " ", " ", "\n")) for w in words)
        assert new.segment(text) == old.segment(text), text


def test_the_case_folds_are_the_known_three():
    assert ascii_case_folds() == {"İ", "ı", "ſ"}
