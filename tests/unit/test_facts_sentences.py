"""A quote's endnotes are the markers of the sentences it lies in: the sentence starts
after the last sentence end before the quote that is no abbreviation ("e.g.", "Mr.")."""

from __future__ import annotations

from etnc_db.facts.documents import DocumentText, Marker

SUPERSCRIPTS = {"¹": "n1", "²": "n2", "³": "n3", "⁴": "n4"}


def _doc(text: str) -> DocumentText:
    markers = [Marker(i, i + 1, SUPERSCRIPTS[c], None, "unknown") for i, c in enumerate(text) if c in SUPERSCRIPTS]
    return DocumentText("d", text, markers=markers)


def test_the_sentence_starts_after_the_last_real_end_not_after_an_abbreviation():
    text = "Earlier news.¹ Mr. Li said e.g. that CATL builds a plant.² Mr. Wu signed it.³ Later news.⁴"
    doc = _doc(text)
    start = text.index("CATL builds")
    lo, hi = doc.sentence_bounds(start, start + len("CATL builds"))
    assert text[lo:hi] == "Mr. Li said e.g. that CATL builds a plant.²"
    assert [m.citation_key for m in doc.cited(start, start + 4)] == ["n2"]
    wu = text.index("Wu signed")
    assert [m.citation_key for m in doc.cited(wu, wu + 2)] == ["n3"]


def test_a_quote_in_the_first_sentence_starts_at_the_text_start():
    text = "Mr. Li said so.¹ Next."
    doc = _doc(text)
    assert doc.sentence_bounds(text.index("said"), text.index("said") + 4)[0] == 0
