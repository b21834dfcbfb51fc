"""Corpus readers and parsers: report, news article, newsletter, generic article."""

from .parse import parse_document
from .parsed import (
    Author,
    Citation,
    CitationMarker,
    CorpusError,
    ParsedDocument,
    Passage,
    Section,
    TableRow,
    render_segments,
)
from .reader import read_source

__all__ = [
    "Author", "Citation", "CitationMarker", "CorpusError", "ParsedDocument", "Passage",
    "Section", "TableRow", "parse_document", "read_source", "render_segments",
]
