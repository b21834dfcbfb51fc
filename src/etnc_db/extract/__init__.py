"""Corpus readers and parsers: report, news article, newsletter, generic article.

The names below are imported on first use (PEP 562), so that importing a light
submodule (the corpus folder, the run plan) does not load the parsers: a run with
nothing to parse never imports them."""

from __future__ import annotations

import importlib

_HOMES = {
    "parse_document": "parse", "read_source": "reader",
    **dict.fromkeys(("Author", "Citation", "CitationMarker", "CorpusError", "ParsedDocument", "Passage", "Section",
                     "TableRow", "render_segments"), "parsed"),
}

__all__ = [
    "Author", "Citation", "CitationMarker", "CorpusError", "ParsedDocument", "Passage",
    "Section", "TableRow", "parse_document", "read_source", "render_segments",
]


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
