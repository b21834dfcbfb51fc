"""Corpus readers and parsers: report, news article, newsletter, generic article."""

from .model import (
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
from .parse import parse_document
from .reader import read_source

__all__ = [
    "Author", "Citation", "CitationMarker", "CorpusError", "ParsedDocument", "Passage",
    "Section", "TableRow", "parse_document", "read_source", "render_segments",
]
