"""The known-errata file (etl/reference/errata.yaml) and its loader."""

from __future__ import annotations

from pathlib import Path

import pytest

from etnc_db.extract.errata import ERRATA_FILE, EndnoteDuplicate, ErrataError, load_errata

REFERENCE = Path(__file__).resolve().parents[2] / "etl" / "reference"

ENTRY = """  - file: a.txt
    chapter: fr
    number: 21
    reason: listed twice
"""


def _load(tmp_path: Path, text: str) -> frozenset[EndnoteDuplicate]:
    (tmp_path / ERRATA_FILE).write_text(text, encoding="utf-8")
    return load_errata(tmp_path)


def test_shipped_errata():
    errata = load_errata(REFERENCE)
    assert errata == {EndnoteDuplicate("002_44c2a5c8c66c6785.txt", "fr", 21)}
    assert ("002_44c2a5c8c66c6785.txt", "fr", 21) in errata  # a plain tuple matches


def test_missing_or_empty_file_means_no_errata(tmp_path):
    assert load_errata(tmp_path) == frozenset()
    assert _load(tmp_path, "# nothing yet\n") == frozenset()
    assert _load(tmp_path, "endnote_duplicates:\n") == frozenset()


def test_entries(tmp_path):
    text = "endnote_duplicates:\n" + ENTRY + ENTRY.replace("21", "22")
    assert _load(tmp_path, text) == {("a.txt", "fr", 21), ("a.txt", "fr", 22)}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("endnote_duplicate:\n" + ENTRY, 1, "unknown key 'endnote_duplicate'"),
        ("endnote_duplicates:\n" + ENTRY + ENTRY, 6, "endnote 21 of chapter 'fr' in a.txt is listed twice (first on line 2)"),
        ("endnote_duplicates:\n" + ENTRY.replace("    reason", "    note: x\n    reason"), 5, "unknown key 'note'"),
        ("endnote_duplicates:\n" + ENTRY.replace("    chapter: fr\n", ""), 2, "entry misses chapter"),
        ("endnote_duplicates:\n" + ENTRY.replace("21", "'21'"), 4, "number must be a positive whole number"),
        ("endnote_duplicates:\n" + ENTRY.replace("a.txt", "data/corpus/a.txt"), 2, "file must be a file name"),
        ("endnote_duplicates:\n" + ENTRY.replace("listed twice", "''"), 5, "reason must be a non-empty text"),
        ("endnote_duplicates:\n  - a.txt\n", 1, "each endnote_duplicates entry must be a mapping"),
        ("endnote_duplicates: a.txt\n", 1, "endnote_duplicates must be a list"),
        ("endnote_duplicates:\n" + ENTRY.replace("    number: 21\n", "    number: 21\n    number: 22\n"), 5, "duplicate key 'number'"),
        ("- a.txt\n", 1, "expected a mapping"),
    ],
)
def test_refused_with_file_and_line(tmp_path, text, line, reason):
    with pytest.raises(ErrataError) as exc:
        _load(tmp_path, text)
    assert str(exc.value).startswith(f"{tmp_path / ERRATA_FILE}:{line}: ")
    assert reason in str(exc.value)
