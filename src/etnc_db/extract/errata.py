"""Known errata of the source documents (``etl/reference/errata.yaml``): errors in a
corpus file that the parsers tolerate instead of refusing the file.

The caller loads them once (:func:`load_errata`) and passes them to the parser
(``parse_document(..., errata=...)``); the parsers never read the file themselves.
With no errata (the parsers' default) every such error raises ``CorpusError``.
Problems in the file raise :class:`ErrataError` with ``file:line: reason``.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from etnc_db.yaml_lines import LineDict, YamlSyntaxError, load_yaml_with_lines

ERRATA_FILE = "errata.yaml"
_SECTIONS = ("endnote_duplicates",)
_ENTRY_KEYS = ("file", "chapter", "number", "reason")


class EndnoteDuplicate(NamedTuple):
    """One endnote number that a chapter's Endnotes list gives to two notes in a file.

    The report parser keeps both notes (the second as ``Citation.variant`` 1) instead of
    refusing the file. A plain ``(file, chapter, number)`` tuple compares equal.
    """

    file: str  # the corpus file's name (basename), e.g. '002_44c2a5c8c66c6785.txt'
    chapter: str  # the chapter key, e.g. 'fr'
    number: int  # the endnote number listed twice


class ErrataError(ValueError):
    """``errata.yaml`` is malformed; ``str()`` is ``file:line: reason``."""


def load_errata(reference_dir: Path) -> frozenset[EndnoteDuplicate]:
    """The errata listed in ``reference_dir/errata.yaml`` (no errata when the file is
    absent or empty). Unknown keys, missing or mistyped fields and an entry listed twice
    raise :class:`ErrataError` naming the line."""
    path = Path(reference_dir) / ERRATA_FILE
    if not path.exists():
        return frozenset()
    try:
        data = load_yaml_with_lines(path)
    except YamlSyntaxError as exc:
        raise ErrataError(str(exc)) from None
    if data is None:
        return frozenset()
    if not isinstance(data, LineDict):
        raise ErrataError(f"{path}:1: expected a mapping with the key {_SECTIONS[0]!r}")
    for key in data:
        if key not in _SECTIONS:
            raise ErrataError(f"{path}:{data.line_of(key)}: unknown key {key!r} (expected: {', '.join(_SECTIONS)})")
    return _endnote_duplicates(path, data.get("endnote_duplicates"), data.line_of("endnote_duplicates"))


def _endnote_duplicates(path: Path, entries: object, line: int) -> frozenset[EndnoteDuplicate]:
    """Validate the ``endnote_duplicates`` list; refuse an entry given twice."""
    if entries is None:
        return frozenset()
    if not isinstance(entries, list):
        raise ErrataError(f"{path}:{line}: endnote_duplicates must be a list of entries")
    first_line: dict[EndnoteDuplicate, int] = {}
    for entry in entries:
        erratum = _endnote_duplicate(path, entry, line)
        if erratum in first_line:
            raise ErrataError(
                f"{path}:{entry.line}: endnote {erratum.number} of chapter {erratum.chapter!r} in "
                f"{erratum.file} is listed twice (first on line {first_line[erratum]})"
            )
        first_line[erratum] = entry.line
    return frozenset(first_line)


def _endnote_duplicate(path: Path, entry: object, list_line: int) -> EndnoteDuplicate:
    """One validated ``endnote_duplicates`` entry (file, chapter, number, reason)."""
    if not isinstance(entry, LineDict):
        raise ErrataError(f"{path}:{list_line}: each endnote_duplicates entry must be a mapping "
                          f"with {', '.join(_ENTRY_KEYS)}")
    for key in entry:
        if key not in _ENTRY_KEYS:
            raise ErrataError(f"{path}:{entry.line_of(key)}: unknown key {key!r} (expected: {', '.join(_ENTRY_KEYS)})")
    missing = [k for k in _ENTRY_KEYS if k not in entry]
    if missing:
        raise ErrataError(f"{path}:{entry.line}: entry misses {', '.join(missing)}")
    for key in ("file", "chapter", "reason"):
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise ErrataError(f"{path}:{entry.line_of(key)}: {key} must be a non-empty text")
    if "/" in entry["file"] or "\\" in entry["file"]:
        raise ErrataError(f"{path}:{entry.line_of('file')}: file must be a file name without a folder "
                          f"(errata are matched by the corpus file's name)")
    number = entry["number"]
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ErrataError(f"{path}:{entry.line_of('number')}: number must be a positive whole number")
    return EndnoteDuplicate(entry["file"], entry["chapter"], number)
