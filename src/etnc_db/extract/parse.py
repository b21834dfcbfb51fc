"""Entry point: parse a stored text by document kind."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .parsed import CorpusError, ParsedDocument

if TYPE_CHECKING:
    from collections.abc import Collection

    from .errata import EndnoteDuplicate

KINDS = ("report", "news_article", "newsletter", "article")


def parse_document(
    text: str, *, kind: str, file_name: str, title: str | None = None,
    errata: Collection[EndnoteDuplicate] = frozenset(),
) -> ParsedDocument:
    """Parse ``text`` (the stored text, exactly as read) into a :class:`ParsedDocument`.

    ``title`` overrides the title found in the text (e.g. from the manifest).
    ``errata`` are the known source errors to tolerate (``load_errata(reference_dir)``
    from :mod:`etnc_db.extract.errata`); the default tolerates none.
    Raises :class:`CorpusError` on malformed input (e.g. broken endnote numbering).
    """
    if not text.strip():
        raise CorpusError(file_name, None, "empty document")
    if kind == "report":
        from .report_parser import parse_report

        return parse_report(text, file_name=file_name, title=title, errata=errata)
    if kind in ("news_article", "article", "newsletter"):
        from .news import parse_news

        return parse_news(text, kind=kind, file_name=file_name, title=title)
    raise CorpusError(file_name, None, f"unknown document kind {kind!r} (expected one of {', '.join(KINDS)})")
