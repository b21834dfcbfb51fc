"""SQLAlchemy models: the single source of the etnc-db schema.

Every table has a surrogate integer key for joins and a text business key
(`<entity>_key`) that is identical on every rebuild, so upserts, change logs and
external bookmarks work by business key. Every table and column carries a comment,
which Alembic turns into `COMMENT ON`; the data dictionary is generated from them.

Two kinds of enumerations:
- code enumerations (`etnc_db.vocab`: parser kinds, date precisions, run states) are
  CHECK constraints;
- curated vocabularies (agreement types, statuses, stances, roles, ...) are lookup
  tables `core.vocab_<name>` filled from `etl/reference/vocabularies.yaml`; columns that
  use them are foreign keys, so a new value is a data change.

Fact types are declared here once. A fact is a row of `core.facts` (what every fact
has: key, title, dates, note, evidence, sectors, relations) plus one row of its type's
table (`core.agreements`, ...). Columns whose `info` names a `field` are the fields of
the curated-file format (docs/curation.md §4); `etnc_db.facts.schema` builds the
curated-file validation from them, and the facts stage fills them by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    DDL,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import INT8RANGE, JSONB, ExcludeConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from etnc_db import vocab

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def _check(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    return CheckConstraint(_in(column, values), name=name or f"{column}_vocab")


def _pk(comment: str = "Surrogate key used for joins; not stable across rebuilds.") -> Mapped[int]:
    return mapped_column(Integer, Identity(), primary_key=True, comment=comment)


def _bkey(comment: str) -> Mapped[str]:
    return mapped_column(Text, nullable=False, unique=True, comment=comment)


def _fk(target: str, *, nullable: bool, ondelete: str = "CASCADE", comment: str, field: str | None = None,
        ref: str | None = None) -> Mapped:
    info = {"field": field, "ref": ref} if field else {}
    return mapped_column(
        Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True, comment=comment, info=info
    )


def _span() -> tuple:
    return (CheckConstraint("char_start >= 0 AND char_end >= char_start", name="span_valid"),)


# ---------------------------------------------------------------------------
# core: curated vocabularies (lookup tables)
# ---------------------------------------------------------------------------


def _vocabulary_table(name: str, comment: str) -> Table:
    return Table(
        f"vocab_{name}", metadata,
        Column("value", Text, primary_key=True, comment="The value as written in curated files and stored in fact columns."),
        Column("label", Text, nullable=False, comment="Readable label for reports and BI tools."),
        Column("definition", Text, nullable=False, comment="What the value means (the codebook's definition)."),
        Column("ordinal", SmallInteger, nullable=False, comment="Position in the vocabulary file (display order)."),
        schema="core",
        comment=f"Vocabulary {name}: {comment} Loaded from etl/reference/vocabularies.yaml.",
    )


VOCABULARY_TABLES = {name: _vocabulary_table(name, c) for name, c in vocab.CURATED_VOCABULARIES.items()}


def _vocab(vocabulary: str, comment: str, *, nullable: bool = False, field: str | None = None) -> Mapped:
    """A column holding a value of a curated vocabulary (FK to its lookup table)."""
    if vocabulary not in VOCABULARY_TABLES:
        raise KeyError(vocabulary)
    info = {"vocabulary": vocabulary}
    if field:
        info["field"] = field
    return mapped_column(
        Text, ForeignKey(f"core.vocab_{vocabulary}.value", ondelete="RESTRICT", onupdate="CASCADE"),
        nullable=nullable, index=True, comment=f"{comment} (vocabulary {vocabulary}).", info=info,
    )


def _field(type_, comment: str, *, field: str, nullable: bool = True, **kw) -> Mapped:
    """A plain column that is a field of the curated-file format."""
    return mapped_column(type_, nullable=nullable, comment=comment, info={"field": field}, **kw)


# ---------------------------------------------------------------------------
# core: reference entities
# ---------------------------------------------------------------------------


class Country(Base):
    __tablename__ = "countries"
    __table_args__ = (
        CheckConstraint("country_code ~ '^[A-Z]{2}$'", name="code_format"),
        CheckConstraint(
            "eu_accession_date IS NOT NULL OR NOT is_eu_member", name="member_has_accession"
        ),
        {"schema": "core", "comment": "ISO 3166-1 countries plus the European Union as a supranational row (code EU)."},
    )
    country_id: Mapped[int] = _pk()
    country_code: Mapped[str] = mapped_column(
        String(2), nullable=False, unique=True, comment="Business key: ISO 3166-1 alpha-2 code; EU for the European Union."
    )
    alpha3: Mapped[str] = mapped_column(String(3), nullable=False, unique=True, comment="ISO 3166-1 alpha-3 code (EUU for the EU).")
    numeric_code: Mapped[str | None] = mapped_column(String(3), comment="ISO 3166-1 numeric code; null for the EU.")
    name: Mapped[str] = mapped_column(Text, nullable=False, comment="Common English name.")
    official_name: Mapped[str | None] = mapped_column(Text, comment="Official English name where ISO gives one.")
    region: Mapped[str | None] = mapped_column(Text, comment="UN M49 region (e.g. Europe, Asia).")
    sub_region: Mapped[str | None] = mapped_column(Text, comment="UN M49 sub-region (e.g. Eastern Europe).")
    is_eu_member: Mapped[bool] = mapped_column(Boolean, nullable=False, comment="True while the country is an EU member state today.")
    eu_accession_date: Mapped[date | None] = mapped_column(Date, comment="Date the country joined the EU (or its predecessor communities).")
    eu_exit_date: Mapped[date | None] = mapped_column(Date, comment="Date the country left the EU (United Kingdom: 2020-01-31).")
    is_supranational: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, comment="True for the European Union row.")
    is_china: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, comment="True for mainland China, Hong Kong and Macao: the 'Chinese' side of Europe–China relations (countries.yaml).")
    is_european: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, comment="True for countries of the UN M49 region Europe and for the EU: the 'European' side.")


class Sector(Base):
    __tablename__ = "sectors"
    __table_args__ = ({"schema": "core", "comment": "Two-level sector taxonomy (e.g. Energy > Batteries) with NACE Rev. 2 codes and text keywords."},)
    sector_id: Mapped[int] = _pk()
    sector_key: Mapped[str] = _bkey("Business key: sector slug (e.g. batteries).")
    name: Mapped[str] = mapped_column(Text, nullable=False, comment="Display name of the sector.")
    parent_id: Mapped[int | None] = _fk("core.sectors.sector_id", nullable=True, ondelete="RESTRICT", comment="Top-level sector this sector belongs to; null for top-level sectors.")
    nace_code: Mapped[str | None] = mapped_column(Text, comment="NACE Rev. 2 code that fits the sector best, if any.")
    keywords: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, comment="Lower-case phrases that identify the sector in text.")


class Organization(Base):
    __tablename__ = "organizations"
    __table_args__ = (
        CheckConstraint("parent_id IS NULL OR parent_id <> organization_id", name="not_own_parent"),
        {"schema": "core", "comment": "Every actor that is not a state: companies, universities, institutes, government bodies, agencies, international organizations."},
    )
    organization_id: Mapped[int] = _pk()
    organization_key: Mapped[str] = _bkey("Business key: organization slug (e.g. catl, cn-most).")
    name: Mapped[str] = mapped_column(Text, nullable=False, comment="Canonical name.")
    kind: Mapped[str] = _vocab("organization_kind", "Kind of organization")
    country_id: Mapped[int | None] = _fk("core.countries.country_id", nullable=True, ondelete="RESTRICT", comment="Headquarters country (EU for EU institutions); null when unknown.")
    parent_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="SET NULL", comment="Parent organization (Volvo Cars -> Geely).")
    ownership: Mapped[str] = _vocab("ownership", "Ownership")
    source_files: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, comment="Reference files under etl/reference/organizations that define it.")


class OrganizationAlias(Base):
    __tablename__ = "organization_aliases"
    __table_args__ = (
        UniqueConstraint("organization_id", "alias"),
        {"schema": "core", "comment": "Names an organization goes by: acronyms, legal names, short and local-language names."},
    )
    alias_id: Mapped[int] = _pk()
    alias_key: Mapped[str] = _bkey("Business key: organization_key|alias.")
    organization_id: Mapped[int] = _fk("core.organizations.organization_id", nullable=False, comment="Organization the alias names.")
    alias: Mapped[str] = mapped_column(Text, nullable=False, comment="The alias as written.")
    is_ambiguous: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, comment="True when several organizations share the alias; the linker then needs context.")


class OrganizationSector(Base):
    __tablename__ = "organization_sectors"
    __table_args__ = (
        UniqueConstraint("organization_id", "sector_id"),
        {"schema": "core", "comment": "Sectors an organization is active in."},
    )
    organization_sector_id: Mapped[int] = _pk()
    organization_sector_key: Mapped[str] = _bkey("Business key: organization_key|sector_key.")
    organization_id: Mapped[int] = _fk("core.organizations.organization_id", nullable=False, comment="The organization.")
    sector_id: Mapped[int] = _fk("core.sectors.sector_id", nullable=False, comment="The sector.")


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = ({"schema": "core", "comment": "Company-specific attributes, 1:1 with an organization of kind company."},)
    organization_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("core.organizations.organization_id", ondelete="CASCADE"), primary_key=True,
        comment="The organization this company row extends.",
    )
    company_key: Mapped[str] = _bkey("Business key: the organization_key of the company.")
    is_chinese: Mapped[bool] = mapped_column(Boolean, nullable=False, comment="True when headquartered in China (a country with is_china: CN, HK or MO).")
    ultimate_parent_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="SET NULL", comment="Top of the parent chain (the company itself when it has no parent).")


# ---------------------------------------------------------------------------
# core: documents
# ---------------------------------------------------------------------------


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        _check("document_kind", vocab.DOCUMENT_KINDS),
        _check("published_precision", vocab.DATE_PRECISIONS),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_format"),
        {"schema": "core", "comment": "Source documents as stored: the text every offset in the database points into."},
    )
    document_id: Mapped[int] = _pk()
    document_key: Mapped[str] = _bkey("Business key: document slug from the corpus manifest (or derived from the file name).")
    file_name: Mapped[str] = mapped_column(Text, nullable=False, unique=True, comment="File name in the corpus folder.")
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, comment="SHA-256 of the file's bytes.")
    byte_size: Mapped[int] = mapped_column(Integer, nullable=False, comment="Size of the file in bytes.")
    title: Mapped[str | None] = mapped_column(Text, comment="Title (from the manifest, else from the text).")
    publisher: Mapped[str | None] = mapped_column(Text, comment="Publisher (from the manifest, else from the text).")
    published_date: Mapped[date | None] = mapped_column(Date, comment="Publication date at its precision (first day of the month/year when coarser).")
    published_precision: Mapped[str] = mapped_column(Text, nullable=False, default="unknown", comment="Precision of published_date: day, month, year or unknown.")
    document_kind: Mapped[str] = mapped_column(Text, nullable=False, comment="report, news_article, newsletter or article.")
    content: Mapped[str] = mapped_column(Text, nullable=False, comment="The stored text (the file decoded as UTF-8, unchanged).")
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False, comment="Hash of content, parser version, reference data and manifest entry: unchanged means nothing to re-derive.")
    detected_metadata: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"), comment="Title, publication date and publisher as found in the text, each with the offsets it came from and the rule that found it (the manifest's values win over them).")


class RemovedText(Base):
    __tablename__ = "removed_text"
    __table_args__ = (
        *_span(),
        {"schema": "core", "comment": "Text the parser removed as page debris (site chrome, captions, credits, ads, repeated lines), with the rule that removed it: review it to spot a wrong rule."},
    )
    removed_text_id: Mapped[int] = _pk()
    removed_text_key: Mapped[str] = _bkey("Business key: document_key@start-end.")
    document_id: Mapped[int] = _fk("core.documents.document_id", nullable=False, comment="Document the text was removed from.")
    char_start: Mapped[int] = mapped_column(Integer, nullable=False, comment="Start offset in documents.content.")
    char_end: Mapped[int] = mapped_column(Integer, nullable=False, comment="End offset in documents.content.")
    rule_id: Mapped[str] = mapped_column(Text, nullable=False, comment="The junk rule (etl/reference/junk_rules.yaml) or metadata step that removed it.")
    reason: Mapped[str] = mapped_column(Text, nullable=False, comment="Why the rule removes such text.")


class DocumentSection(Base):
    __tablename__ = "document_sections"
    __table_args__ = (
        _check("section_kind", vocab.SECTION_KINDS),
        *_span(),
        {"schema": "core", "comment": "Structure of a document: front matter, summary, chapters and their headings, newsletter issues."},
    )
    section_id: Mapped[int] = _pk()
    section_key: Mapped[str] = _bkey("Business key: document_key/section path (e.g. etnc-2026-report/hu).")
    document_id: Mapped[int] = _fk("core.documents.document_id", nullable=False, comment="Document the section belongs to.")
    parent_id: Mapped[int | None] = _fk("core.document_sections.section_id", nullable=True, comment="Enclosing section (a chapter for a heading).")
    section_kind: Mapped[str] = mapped_column(Text, nullable=False, comment="front_matter, summary, chapter, heading, issue or article.")
    ordinal: Mapped[int] = mapped_column(Integer, nullable=False, comment="Order within the document.")
    title: Mapped[str] = mapped_column(Text, nullable=False, comment="Section title.")
    subtitle: Mapped[str | None] = mapped_column(Text, comment="Subtitle (a chapter's theme line).")
    country_id: Mapped[int | None] = _fk("core.countries.country_id", nullable=True, ondelete="RESTRICT", comment="Country a chapter covers (EU for the EU chapter).")
    authors: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, comment="Authors named in the chapter's By line.")
    author_institutions: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, comment="Institution of each author, in the same order (empty string when not stated).")
    char_start: Mapped[int] = mapped_column(Integer, nullable=False, comment="Start offset (0-based, characters) in documents.content.")
    char_end: Mapped[int] = mapped_column(Integer, nullable=False, comment="End offset (exclusive) in documents.content.")


class Passage(Base):
    __tablename__ = "passages"
    __table_args__ = (
        *_span(),
        {"schema": "core", "comment": "Body paragraphs with layout debris removed; a paragraph split by a pull-quote is joined from several segments."},
    )
    passage_id: Mapped[int] = _pk()
    passage_key: Mapped[str] = _bkey("Business key: document_key/passage path.")
    document_id: Mapped[int] = _fk("core.documents.document_id", nullable=False, comment="Document the passage belongs to.")
    section_id: Mapped[int] = _fk("core.document_sections.section_id", nullable=False, comment="Deepest section containing the passage.")
    ordinal: Mapped[int] = mapped_column(Integer, nullable=False, comment="Order within the document.")
    char_start: Mapped[int] = mapped_column(Integer, nullable=False, comment="Offset of the first character in documents.content.")
    char_end: Mapped[int] = mapped_column(Integer, nullable=False, comment="Offset after the last character in documents.content.")
    passage_text: Mapped[str] = mapped_column(Text, nullable=False, comment="Cleaned text of the passage (segments joined).")
    segments: Mapped[list] = mapped_column(JSONB, nullable=False, comment="[[start, end], ...] spans of documents.content that make up the passage.")


class Citation(Base):
    __tablename__ = "citations"
    __table_args__ = (
        UniqueConstraint("section_id", "note_number", "variant"),
        _check("date_precision", vocab.DATE_PRECISIONS),
        *_span(),
        CheckConstraint("note_number > 0", name="note_number_positive"),
        {"schema": "core", "comment": "Endnotes of the report chapters: number, text, URL, title, outlet and date (an ibid. note carries the values of the note it repeats)."},
    )
    citation_id: Mapped[int] = _pk()
    citation_key: Mapped[str] = _bkey("Business key: section_key#note number (with .variant for a duplicate number).")
    document_id: Mapped[int] = _fk("core.documents.document_id", nullable=False, comment="Document the endnote belongs to.")
    section_id: Mapped[int] = _fk("core.document_sections.section_id", nullable=False, comment="Chapter whose Endnotes list holds the note.")
    note_number: Mapped[int] = mapped_column(Integer, nullable=False, comment="Endnote number within its chapter.")
    variant: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0, comment="0; 1 for a second endnote the source gives the same number (listed in etl/reference/errata.yaml).")
    raw_text: Mapped[str] = mapped_column(Text, nullable=False, comment="The endnote as written.")
    url: Mapped[str | None] = mapped_column(Text, comment="First URL of the endnote (of the repeated note for an ibid.), normalized: scheme added, fragment and trailing slash removed.")
    url_as_written: Mapped[str | None] = mapped_column(Text, comment="That URL exactly as written in the source.")
    urls: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, comment="Every URL in the endnote, as written.")
    title: Mapped[str | None] = mapped_column(Text, comment="Title of the cited work, where it can be parsed (of the repeated note for an ibid.).")
    outlet: Mapped[str | None] = mapped_column(Text, comment="Outlet or author of the cited work, where it can be parsed.")
    published_date: Mapped[date | None] = mapped_column(Date, comment="Publication date of the cited work at its precision.")
    date_precision: Mapped[str] = mapped_column(Text, nullable=False, default="unknown", comment="Precision of published_date: day, month, year or unknown.")
    ibid_of_id: Mapped[int | None] = _fk("core.citations.citation_id", nullable=True, ondelete="SET NULL", comment="Citation an ibid. note repeats.")
    char_start: Mapped[int] = mapped_column(Integer, nullable=False, comment="Start offset of the endnote line in documents.content.")
    char_end: Mapped[int] = mapped_column(Integer, nullable=False, comment="End offset of the endnote line in documents.content.")


class CitationMarker(Base):
    __tablename__ = "citation_markers"
    __table_args__ = (
        *_span(),
        {"schema": "core", "comment": "Superscript endnote markers in passages, one row per note number, linked to the endnote they point at."},
    )
    marker_id: Mapped[int] = _pk()
    marker_key: Mapped[str] = _bkey("Business key: document_key@offset#note number.")
    document_id: Mapped[int] = _fk("core.documents.document_id", nullable=False, comment="Document of the marker.")
    passage_id: Mapped[int | None] = _fk("core.passages.passage_id", nullable=True, comment="Passage the marker sits in.")
    citation_id: Mapped[int | None] = _fk("core.citations.citation_id", nullable=True, ondelete="SET NULL", comment="Endnote the marker points at; null when the source's marker has no endnote.")
    note_number: Mapped[int] = mapped_column(Integer, nullable=False, comment="Note number the marker shows.")
    char_start: Mapped[int] = mapped_column(Integer, nullable=False, comment="Start offset of the marker in documents.content.")
    char_end: Mapped[int] = mapped_column(Integer, nullable=False, comment="End offset of the marker in documents.content.")


class TableRow(Base):
    __tablename__ = "table_rows"
    __table_args__ = (
        *_span(),
        {"schema": "core", "comment": "Rows of tab-separated tables and timelines in the documents, with their cells."},
    )
    table_row_id: Mapped[int] = _pk()
    table_row_key: Mapped[str] = _bkey("Business key: document_key/table key#row number.")
    document_id: Mapped[int] = _fk("core.documents.document_id", nullable=False, comment="Document of the table.")
    section_id: Mapped[int] = _fk("core.document_sections.section_id", nullable=False, comment="Section holding the table.")
    table_key: Mapped[str] = mapped_column(Text, nullable=False, comment="Table identifier within the document.")
    row_number: Mapped[int] = mapped_column(Integer, nullable=False, comment="Row number within the table (1-based).")
    cells: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, comment="Cell texts in column order.")
    char_start: Mapped[int] = mapped_column(Integer, nullable=False, comment="Start offset of the row in documents.content.")
    char_end: Mapped[int] = mapped_column(Integer, nullable=False, comment="End offset of the row in documents.content.")


class Mention(Base):
    __tablename__ = "mentions"
    __table_args__ = (
        _check("entity_type", vocab.ENTITY_TYPES),
        *_span(),
        CheckConstraint(
            "(entity_type = 'country') = (country_id IS NOT NULL) AND "
            "(entity_type = 'organization') = (organization_id IS NOT NULL) AND "
            "(entity_type = 'sector') = (sector_id IS NOT NULL)",
            name="one_entity",
        ),
        {"schema": "core", "comment": "Spans of documents where a known country, organization or sector is named."},
    )
    mention_id: Mapped[int] = _pk()
    mention_key: Mapped[str] = _bkey("Business key: document_key@start-end.")
    document_id: Mapped[int] = _fk("core.documents.document_id", nullable=False, comment="Document of the mention.")
    section_id: Mapped[int | None] = _fk("core.document_sections.section_id", nullable=True, comment="Section of the mention.")
    passage_id: Mapped[int | None] = _fk("core.passages.passage_id", nullable=True, comment="Passage of the mention.")
    char_start: Mapped[int] = mapped_column(Integer, nullable=False, comment="Start offset in documents.content.")
    char_end: Mapped[int] = mapped_column(Integer, nullable=False, comment="End offset in documents.content.")
    surface: Mapped[str] = mapped_column(Text, nullable=False, comment="The text as it appears.")
    entity_type: Mapped[str] = mapped_column(Text, nullable=False, comment="country, organization or sector.")
    country_id: Mapped[int | None] = _fk("core.countries.country_id", nullable=True, ondelete="CASCADE", comment="Country named, when entity_type = country.")
    organization_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, comment="Organization named, when entity_type = organization.")
    sector_id: Mapped[int | None] = _fk("core.sectors.sector_id", nullable=True, comment="Sector named, when entity_type = sector.")
    rule: Mapped[str] = mapped_column(Text, nullable=False, comment="Linker rule that produced the mention (alias, keyword, demonym, metonym, ...).")


class FxRate(Base):
    __tablename__ = "fx_rates"
    __table_args__ = (
        UniqueConstraint("currency", "rate_year"),
        CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_format"),
        CheckConstraint("rate > 0", name="rate_positive"),
        {"schema": "core", "comment": "ECB euro reference rates used to convert amounts: units of currency per 1 EUR, one per currency and year."},
    )
    fx_rate_id: Mapped[int] = _pk()
    fx_rate_key: Mapped[str] = _bkey("Business key: currency|year.")
    currency: Mapped[str] = mapped_column(String(3), nullable=False, comment="ISO 4217 currency code.")
    rate_year: Mapped[int] = mapped_column(SmallInteger, nullable=False, comment="Year the rate applies to (the announcement year of an amount).")
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8), nullable=False, comment="Units of the currency per 1 EUR.")
    rate_date: Mapped[date] = mapped_column(Date, nullable=False, comment="Date of the ECB reference rate used.")
    source: Mapped[str] = mapped_column(Text, nullable=False, comment="Where the rate comes from (package and version).")


# ---------------------------------------------------------------------------
# core: facts
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FactType:
    """A fact type: its name, the curated-file list that holds its records, its table
    (one row per fact, keyed by the curated id) and its child lists (field -> table)."""

    name: str
    list_key: str
    table: str
    key: str
    children: tuple[tuple[str, str], ...] = ()


def _precision_checks(pairs: tuple[tuple[str, str], ...]) -> tuple:
    out = []
    for column, precision in pairs:
        out.append(_check(precision, vocab.DATE_PRECISIONS))
        out.append(CheckConstraint(f"({precision} = 'unknown') = ({column} IS NULL)", name=f"{column}_matches_precision"))
    return tuple(out)


class Fact(Base):
    __tablename__ = "facts"
    __table_args__ = (
        *_precision_checks((("fact_date", "date_precision"), ("status_date", "status_date_precision"),
                            ("reported_date", "reported_date_precision"))),
        {"schema": "core", "comment": "Every published fact (agreement, investment, policy measure): what all facts share. Each has exactly one row in its type's table and at least one evidence span (deferred trigger)."},
    )
    fact_id: Mapped[int] = _pk()
    fact_key: Mapped[str] = _bkey("Business key: the curated record id, unique across all fact types (e.g. hu-catl-debrecen).")
    fact_type: Mapped[str] = mapped_column(Text, nullable=False, comment="agreement, investment or policy_measure: the table holding the type's fields.")
    title: Mapped[str] = _field(Text, "Short descriptive title.", field="title", nullable=False)
    fact_date: Mapped[date | None] = mapped_column(Date, comment="Date of the event that created the record (signing, announcement, adoption) as the text states it, at date_precision (first day of the month/year when coarser).", info={"field": "date", "precision": "date_precision"})
    date_precision: Mapped[str] = mapped_column(Text, nullable=False, default="unknown", comment="Precision of fact_date: day, month, year or unknown.")
    status_date: Mapped[date | None] = mapped_column(Date, comment="Date the record reached its current status (opening, completion, withdrawal, entry into force) when the text states it, at status_date_precision.", info={"field": "status_date", "precision": "status_date_precision"})
    status_date_precision: Mapped[str] = mapped_column(Text, nullable=False, default="unknown", comment="Precision of status_date: day, month, year or unknown.")
    reported_date: Mapped[date | None] = mapped_column(Date, comment="Earliest publication date of the endnotes its evidence cites (derived, never curated): when the news was reported, for timelines of undated facts.")
    reported_date_precision: Mapped[str] = mapped_column(Text, nullable=False, default="unknown", comment="Precision of reported_date: day, month, year or unknown.")
    note: Mapped[str | None] = _field(Text, "Curator's note, e.g. why a value is missing.", field="note")
    source_file: Mapped[str] = mapped_column(Text, nullable=False, comment="Curated file and line the record comes from (relative to etl/curated).")
    candidate_key: Mapped[str | None] = _field(Text, "The review candidate (review.candidates.candidate_key) the record was accepted from, when it was (curated field `candidate`).", field="candidate")


def _fact_fk() -> Mapped[int]:
    return mapped_column(Integer, ForeignKey("core.facts.fact_id", ondelete="CASCADE"), nullable=False, unique=True,
                         comment="The fact this row describes (core.facts).")


class Agreement(Base):
    __tablename__ = "agreements"
    __table_args__ = ({"schema": "core", "comment": "MoUs, S&T agreements, partnerships, joint declarations, joint ventures, research collaborations and deals."},)
    agreement_id: Mapped[int] = _pk()
    agreement_key: Mapped[str] = _bkey("Business key: the curated record id (= core.facts.fact_key).")
    fact_id: Mapped[int] = _fact_fk()
    agreement_type: Mapped[str] = _vocab("agreement_type", "Type of agreement", field="agreement_type")
    status: Mapped[str] = _vocab("agreement_status", "Status", field="status")


class AgreementParty(Base):
    __tablename__ = "agreement_parties"
    __table_args__ = (
        _check("party_kind", vocab.PARTY_KINDS),
        CheckConstraint(
            "(party_kind = 'organization' AND organization_id IS NOT NULL AND country_id IS NULL AND description IS NULL) OR "
            "(party_kind = 'government' AND organization_id IS NULL AND country_id IS NOT NULL AND description IS NULL) OR "
            "(party_kind = 'unnamed' AND organization_id IS NULL AND description IS NOT NULL)",
            name="one_party",
        ),
        {"schema": "core", "comment": "Parties to an agreement — an organization, a government, or an unnamed party the text describes — with their role."},
    )
    agreement_party_id: Mapped[int] = _pk()
    agreement_party_key: Mapped[str] = _bkey("Business key: agreement_key|party kind:party key or description|role.")
    agreement_id: Mapped[int] = _fk("core.agreements.agreement_id", nullable=False, comment="The agreement.")
    party_kind: Mapped[str] = mapped_column(Text, nullable=False, comment="organization, government (country_id is the state or the EU) or unnamed (description, with country_id its nationality when stated).")
    organization_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="RESTRICT", comment="Party when it is an organization.", field="organization", ref="organization")
    country_id: Mapped[int | None] = _fk("core.countries.country_id", nullable=True, ondelete="RESTRICT", comment="The government (or the EU) for a government party; the nationality of an unnamed party.", field="country", ref="country")
    description: Mapped[str | None] = _field(Text, "An unnamed party as the text describes it (e.g. 'Chinese partners').", field="description")
    role: Mapped[str] = _vocab("party_role", "Role of the party", field="role")


class Investment(Base):
    __tablename__ = "investments"
    __table_args__ = (
        _check("direction", vocab.DIRECTIONS),
        CheckConstraint("investor_id IS NOT NULL OR investor_description IS NOT NULL", name="investor_named_or_described"),
        CheckConstraint("amount IS NULL OR (amount > 0 AND amount < 1e15)", name="amount_range"),
        CheckConstraint("amount_max IS NULL OR (amount IS NOT NULL AND amount_max >= amount AND amount_max < 1e15)", name="amount_max_range"),
        CheckConstraint("(amount IS NULL) = (currency IS NULL)", name="amount_has_currency"),
        CheckConstraint("currency IS NULL OR currency ~ '^[A-Z]{3}$'", name="currency_format"),
        CheckConstraint("(amount_eur IS NULL) OR (amount IS NOT NULL AND fx_rate IS NOT NULL)", name="eur_has_rate"),
        CheckConstraint("NOT recommended_for_aggregates OR amount_eur IS NOT NULL", name="aggregates_need_eur"),
        {"schema": "core", "comment": "Investments: greenfield plants, acquisitions, stakes, R&D centres, funds, pledges, blocked or screened deals."},
    )
    investment_id: Mapped[int] = _pk()
    investment_key: Mapped[str] = _bkey("Business key: the curated record id (= core.facts.fact_key).")
    fact_id: Mapped[int] = _fact_fk()
    investor_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="RESTRICT", comment="Investing organization; null when the text does not name it (then investor_description).", field="investor", ref="organization")
    investor_description: Mapped[str | None] = _field(Text, "The investor as the text describes it when unnamed (e.g. 'a Chinese buyer').", field="investor_description")
    investor_country_id: Mapped[int | None] = _fk("core.countries.country_id", nullable=True, ondelete="RESTRICT", comment="Country of an unnamed investor, as the text gives it.", field="investor_country", ref="country")
    target_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="RESTRICT", comment="Acquired or target organization, if any.", field="target", ref="organization")
    target_name: Mapped[str | None] = _field(Text, "Target when it is not a registered organization (a plant, a project, an unnamed company).", field="target_name")
    host_country_id: Mapped[int] = _fk("core.countries.country_id", nullable=False, ondelete="RESTRICT", comment="Country where the investment is made.", field="host_country", ref="country")
    location: Mapped[str | None] = _field(Text, "Town or region, as the source states it.", field="location")
    investment_type: Mapped[str] = _vocab("investment_type", "Type of investment", field="investment_type")
    status: Mapped[str] = _vocab("investment_status", "Status", field="status")
    amount: Mapped[Decimal | None] = _field(Numeric(20, 2), "Amount in full units of currency, as the source states it; null when not stated.", field="amount")
    amount_max: Mapped[Decimal | None] = _field(Numeric(20, 2), "Upper bound when the source gives a range.", field="amount_max")
    amount_qualifier: Mapped[str | None] = _vocab("amount_qualifier", "How exact the amount is", nullable=True, field="amount_qualifier")
    currency: Mapped[str | None] = _field(String(3), "ISO 4217 code of the stated amount.", field="currency")
    amount_eur: Mapped[Decimal | None] = mapped_column(Numeric(20, 2), comment="Amount converted to EUR at the ECB reference rate of the announcement year (derived).")
    fx_rate: Mapped[Decimal | None] = mapped_column(Numeric(18, 8), comment="Units of currency per EUR used for amount_eur (1 for EUR).")
    fx_rate_date: Mapped[date | None] = mapped_column(Date, comment="Date of the ECB rate used.")
    direction: Mapped[str] = mapped_column(Text, nullable=False, comment="Derived from the investor's (or stated investor) country and the host country: china_to_europe, europe_to_china, other.")
    recommended_for_aggregates: Mapped[bool] = _field(Boolean, "Safe to sum: a concrete investment with an amount, not a pledge, a cancelled, blocked or withdrawn deal, an umbrella figure or a double count (its year in a series is the best date).", field="recommended_for_aggregates", nullable=False, default=False)


class PolicyMeasure(Base):
    __tablename__ = "policy_measures"
    __table_args__ = (
        _check("jurisdiction_level", vocab.JURISDICTION_LEVELS),
        CheckConstraint("(jurisdiction_level = 'multilateral') = (jurisdiction_id IS NULL)", name="jurisdiction_matches_level"),
        {"schema": "core", "comment": "Laws, strategies, screening, export controls, vendor restrictions, bans, probes, state aid, exclusions and interventions of any jurisdiction."},
    )
    policy_measure_id: Mapped[int] = _pk()
    policy_measure_key: Mapped[str] = _bkey("Business key: the curated record id (= core.facts.fact_key).")
    fact_id: Mapped[int] = _fact_fk()
    jurisdiction_id: Mapped[int | None] = _fk("core.countries.country_id", nullable=True, ondelete="RESTRICT", comment="Country or EU that adopted or proposed the measure; null for a multilateral measure.", field="jurisdiction", ref="jurisdiction")
    jurisdiction_level: Mapped[str] = mapped_column(Text, nullable=False, comment="national (a state), supranational (the EU) or multilateral (several states or an international body; no jurisdiction_id).")
    issuer_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="RESTRICT", comment="Issuing body, when stated.", field="issuer", ref="organization")
    measure_type: Mapped[str] = _vocab("measure_type", "Type of measure", field="measure_type")
    status: Mapped[str] = _vocab("policy_status", "Status", field="status")
    stance: Mapped[str] = _vocab("stance", "Stance towards Chinese actors or cooperation", field="stance")


class PolicyMeasureTarget(Base):
    __tablename__ = "policy_measure_targets"
    __table_args__ = (
        CheckConstraint(
            "(description IS NULL AND num_nonnulls(organization_id, country_id, sector_id) = 1) OR "
            "(description IS NOT NULL AND organization_id IS NULL AND sector_id IS NULL)",
            name="one_target",
        ),
        {"schema": "core", "comment": "What a policy measure targets: organizations, countries, sectors, or unnamed targets the text describes."},
    )
    policy_measure_target_id: Mapped[int] = _pk()
    policy_measure_target_key: Mapped[str] = _bkey("Business key: policy_measure_key|target kind:target key or description.")
    policy_measure_id: Mapped[int] = _fk("core.policy_measures.policy_measure_id", nullable=False, comment="The measure.")
    organization_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="RESTRICT", comment="Targeted organization.", field="organization", ref="organization")
    country_id: Mapped[int | None] = _fk("core.countries.country_id", nullable=True, ondelete="RESTRICT", comment="Targeted country; the nationality of an unnamed target.", field="country", ref="country")
    sector_id: Mapped[int | None] = _fk("core.sectors.sector_id", nullable=True, ondelete="RESTRICT", comment="Targeted sector.", field="sector", ref="sector")
    description: Mapped[str | None] = _field(Text, "An unnamed target as the text describes it (e.g. 'Chinese-owned chipmakers').", field="description")


class FactSector(Base):
    __tablename__ = "fact_sectors"
    __table_args__ = (UniqueConstraint("fact_id", "sector_id"), {"schema": "core", "comment": "Sectors a fact concerns."})
    fact_sector_id: Mapped[int] = _pk()
    fact_sector_key: Mapped[str] = _bkey("Business key: fact_key|sector_key.")
    fact_id: Mapped[int] = _fk("core.facts.fact_id", nullable=False, comment="The fact.")
    sector_id: Mapped[int] = _fk("core.sectors.sector_id", nullable=False, ondelete="RESTRICT", comment="The sector.")


class FactRelation(Base):
    __tablename__ = "fact_relations"
    __table_args__ = (
        UniqueConstraint("fact_id", "related_fact_id", "relation"),
        CheckConstraint("fact_id <> related_fact_id", name="not_self"),
        {"schema": "core", "comment": "Links between facts: a joint-venture agreement creates an investment, a funding measure funds a plant, a suspension follows a seizure."},
    )
    fact_relation_id: Mapped[int] = _pk()
    fact_relation_key: Mapped[str] = _bkey("Business key: fact_key|relation|related fact_key.")
    fact_id: Mapped[int] = _fk("core.facts.fact_id", nullable=False, comment="The fact that declares the link (the subject: 'this fact <relation> the other').")
    relation: Mapped[str] = _vocab("relation", "How the fact relates to the other")
    related_fact_id: Mapped[int] = _fk("core.facts.fact_id", nullable=False, comment="The other fact.")


class Evidence(Base):
    __tablename__ = "evidence"
    __table_args__ = (
        _check("match_method", vocab.MATCH_METHODS),
        *_span(),
        {"schema": "core", "comment": "The span of a source document that states a fact; every fact has at least one (enforced by a deferred trigger)."},
    )
    evidence_id: Mapped[int] = _pk()
    evidence_key: Mapped[str] = _bkey("Business key: fact_key@document_key:start-end.")
    fact_id: Mapped[int] = _fk("core.facts.fact_id", nullable=False, comment="The fact the span states.")
    document_id: Mapped[int] = _fk("core.documents.document_id", nullable=False, comment="Document holding the span.")
    section_id: Mapped[int | None] = _fk("core.document_sections.section_id", nullable=True, comment="Chapter (or top section) holding the span.")
    char_start: Mapped[int] = mapped_column(Integer, nullable=False, comment="Start offset in documents.content.")
    char_end: Mapped[int] = mapped_column(Integer, nullable=False, comment="End offset in documents.content.")
    quote: Mapped[str] = mapped_column(Text, nullable=False, comment="The stored text of the span (equals substring of content).")
    match_method: Mapped[str] = mapped_column(Text, nullable=False, comment="exact, or normalized (found ignoring whitespace and quote-mark style).")
    source_file: Mapped[str] = mapped_column(Text, nullable=False, comment="Curated file and line the quote comes from.")


class EvidenceCitation(Base):
    __tablename__ = "evidence_citations"
    __table_args__ = (UniqueConstraint("evidence_id", "citation_id"), {"schema": "core", "comment": "Endnotes whose markers stand in an evidence span's sentences (up to the end of the sentence the span ends in)."})
    evidence_citation_id: Mapped[int] = _pk()
    evidence_citation_key: Mapped[str] = _bkey("Business key: evidence_key#citation_key.")
    evidence_id: Mapped[int] = _fk("core.evidence.evidence_id", nullable=False, comment="The evidence span.")
    citation_id: Mapped[int] = _fk("core.citations.citation_id", nullable=False, comment="The endnote it cites.")


FACT_TYPES: dict[str, FactType] = {
    "agreement": FactType("agreement", "agreements", "core.agreements", "agreement_key", (("parties", "core.agreement_parties"),)),
    "investment": FactType("investment", "investments", "core.investments", "investment_key"),
    "policy_measure": FactType("policy_measure", "policy_measures", "core.policy_measures", "policy_measure_key",
                               (("targets", "core.policy_measure_targets"),)),
}
Fact.__table__.append_constraint(CheckConstraint(_in("fact_type", tuple(FACT_TYPES)), name="fact_type_vocab"))


# ---------------------------------------------------------------------------
# etl: runs, change log, data quality, rejects, stage and view state, the run lock
# ---------------------------------------------------------------------------


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (
        _check("status", vocab.RUN_STATUSES),
        {"schema": "etl", "comment": "One row per ETL run: what ran, how it ended, what it changed."},
    )
    run_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, comment="Run number.")
    command: Mapped[str] = mapped_column(Text, nullable=False, comment="CLI command that started the run (run, load, check, ...).")
    corpus_path: Mapped[str] = mapped_column(Text, nullable=False, comment="Corpus folder loaded.")
    status: Mapped[str] = mapped_column(Text, nullable=False, comment="running, succeeded or failed; succeeded commits in the same transaction as the data.")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now(), comment="Start time.")
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), comment="End time.")
    error: Mapped[str | None] = mapped_column(Text, comment="One-line reason when the run failed.")
    rows_inserted: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0", comment="Rows inserted across all tables.")
    rows_updated: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0", comment="Rows updated across all tables.")
    rows_deleted: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0", comment="Rows deleted across all tables.")
    table_counts: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"), comment="Per table: {inserted, updated, deleted}.")
    documents: Mapped[list] = mapped_column(JSONB, nullable=False, server_default=text("'[]'::jsonb"), comment="Per document: file, document_key, sha256, action (new, changed, unchanged, removed, rederived, rejected) and its facts.")
    timings: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"), comment="Seconds per stage.")
    warnings: Mapped[list] = mapped_column(JSONB, nullable=False, server_default=text("'[]'::jsonb"), comment="Warnings the run printed (documents without facts, parser notes).")


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (
        _check("change", vocab.CHANGE_KINDS),
        {"schema": "etl", "comment": "Change log: every business key a run updated or deleted, every key it inserted into a table that already had rows, and one entry per table for a first build's inserts."},
    )
    change_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, comment="Change number.")
    run_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("etl.runs.run_id", ondelete="CASCADE"), nullable=False, index=True, comment="Run that made the change.")
    table_name: Mapped[str] = mapped_column(Text, nullable=False, comment="Schema-qualified table changed.")
    business_key: Mapped[str] = mapped_column(Text, nullable=False, comment="Business key of the row; * for the one entry of a first build's inserts into an empty table.")
    change: Mapped[str] = mapped_column(Text, nullable=False, comment="insert, update or delete.")
    row_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1", comment="Rows the entry stands for: 1, or every row a first build inserted into an empty table (business_key *).")


class DqResult(Base):
    __tablename__ = "dq_results"
    __table_args__ = (
        _check("phase", vocab.DQ_PHASES),
        {"schema": "etl", "comment": "Data-quality results: one row per check of the in-run SQL gate or per Great Expectations expectation of `etnc-db check`."},
    )
    dq_result_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, comment="Result number.")
    run_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("etl.runs.run_id", ondelete="CASCADE"), nullable=False, index=True, comment="Run that evaluated it.")
    phase: Mapped[str] = mapped_column(Text, nullable=False, comment="gate (SQL checks inside a load's transaction) or check (Great Expectations on published data).")
    suite: Mapped[str] = mapped_column(Text, nullable=False, comment="Expectation suite or gate check group (usually the table or view name).")
    expectation: Mapped[str] = mapped_column(Text, nullable=False, comment="Expectation type or gate check name.")
    table_name: Mapped[str] = mapped_column(Text, nullable=False, comment="Table or view validated.")
    column_name: Mapped[str | None] = mapped_column(Text, comment="Column validated, if any.")
    success: Mapped[bool] = mapped_column(Boolean, nullable=False, comment="Whether the check held.")
    observed_value: Mapped[dict | None] = mapped_column(JSONB, comment="What was observed.")
    unexpected_sample: Mapped[list | None] = mapped_column(JSONB, comment="A sample of unexpected values.")
    evaluated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now(), comment="When it was evaluated.")


class Reject(Base):
    __tablename__ = "rejects"
    __table_args__ = ({"schema": "etl", "comment": "Inputs a run refused (with --skip-bad), with file, line and reason."},)
    reject_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, comment="Reject number.")
    run_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("etl.runs.run_id", ondelete="CASCADE"), nullable=False, index=True, comment="Run that refused the input.")
    file: Mapped[str] = mapped_column(Text, nullable=False, comment="File refused.")
    line: Mapped[int | None] = mapped_column(Integer, comment="Line of the problem, where known.")
    reason: Mapped[str] = mapped_column(Text, nullable=False, comment="Why it was refused.")


class StageState(Base):
    __tablename__ = "stage_state"
    __table_args__ = ({"schema": "etl", "comment": "Fingerprint of the inputs each stage last loaded; an unchanged fingerprint means the stage has nothing to do."},)
    stage: Mapped[str] = mapped_column(Text, primary_key=True, comment="Stage name (reference, facts).")
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False, comment="SHA-256 over the stage's inputs.")
    run_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("etl.runs.run_id", ondelete="CASCADE"), nullable=False, index=True, comment="Run that last loaded the stage.")


class ViewState(Base):
    __tablename__ = "view_state"
    __table_args__ = ({"schema": "etl", "comment": "The mart views as last applied: one row, with the checksum of sql/views/*.sql. Views are re-applied when it differs."},)
    view_set: Mapped[str] = mapped_column(Text, primary_key=True, comment="Name of the view set (mart).")
    checksum: Mapped[str] = mapped_column(String(64), nullable=False, comment="SHA-256 over the view files' names and contents.")
    files: Mapped[list] = mapped_column(JSONB, nullable=False, comment="The view files applied, in order.")
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now(), comment="When they were applied.")


class RunLock(Base):
    __tablename__ = "run_lock"
    __table_args__ = ({"schema": "etl", "comment": "Empty table whose EXCLUSIVE lock is the run lock: only roles that may write etl tables can take it, so a read-only login cannot block loads."},)
    lock_id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, comment="Unused; the table stays empty.")


# ---------------------------------------------------------------------------
# review: the review store (docs/review.md). Candidate facts the extraction proposed,
# waiting for a person; and the decisions file as loaded. Owned by etnc_db.review.
# ---------------------------------------------------------------------------

REVIEW_STATUSES = ("pending", "accepted", "rejected", "superseded")
# What decided a candidate's status: nothing yet (extraction), a curated record naming it
# (curated_record), the evidence of a published fact covering it (curated_evidence), a
# merge into an existing fact (merge), an entry of the decisions file (decision), or a
# document-level decision of that file (document_decision).
REVIEW_SOURCES = ("extraction", "curated_record", "curated_evidence", "merge", "decision", "document_decision")
REVIEW_DECISIONS = ("accepted", "rejected", "merged", "curated_complete")


class ReviewCandidate(Base):
    __tablename__ = "candidates"
    __table_args__ = (
        _check("status", REVIEW_STATUSES),
        _check("decision_source", REVIEW_SOURCES),
        _check("fact_type", tuple(FACT_TYPES)),
        CheckConstraint("char_start >= 0 AND char_end > char_start", name="span_valid"),
        CheckConstraint("status <> 'accepted' OR fact_key IS NOT NULL", name="accepted_names_fact"),
        CheckConstraint("status <> 'rejected' OR reason IS NOT NULL", name="rejected_has_reason"),
        CheckConstraint("confidence >= 0 AND confidence <= 1", name="confidence_range"),
        {"schema": "review", "comment": "The review store: one row per candidate fact the extraction proposed from a document, keyed by a stable hash of (document, fact type, normalized evidence), with its evidence, proposed fields and review status. Only accepted candidates are published, as curated records (etl/curated); decisions that are not records live in etl/review/decisions.yaml, so they survive a rebuild."},
    )
    candidate_id: Mapped[int] = _pk()
    candidate_key: Mapped[str] = _bkey("Business key: sha256 of (document key, fact type, normalized evidence text), 24 hex digits (-N for the Nth repeat in a document); stable across re-extractions while the sentence is unchanged.")
    document_id: Mapped[int] = _fk("core.documents.document_id", nullable=False, comment="Document the candidate was extracted from (a removed document takes its candidates with it).")
    fact_type: Mapped[str] = mapped_column(Text, nullable=False, comment="agreement, investment or policy_measure.")
    char_start: Mapped[int] = mapped_column(Integer, nullable=False, comment="Start offset of the first evidence span in documents.content (for a superseded candidate: in the version of the document it was proposed from).")
    char_end: Mapped[int] = mapped_column(Integer, nullable=False, comment="End offset (exclusive) of the first evidence span.")
    evidence: Mapped[list] = mapped_column(JSONB, nullable=False, comment="Every evidence span, [[char_start, char_end], ...]: the sentence (split at segment breaks) and, for an investment, the next sentence when it gives the amount.")
    quote: Mapped[str] = mapped_column(Text, nullable=False, comment="The stored text of the first evidence span: documents.content at [char_start, char_end) unless superseded.")
    title: Mapped[str] = mapped_column(Text, nullable=False, comment="Title the extraction suggests for the record.")
    proposed: Mapped[dict] = mapped_column(JSONB, nullable=False, comment="The original extraction: curated-file field names (docs/curation.md §4), registry keys where resolved, the surface text where not.")
    extraction_hash: Mapped[str] = mapped_column(String(16), nullable=False, comment="Hash of the extraction (key, fact type, proposed fields): a decision holds while it is unchanged; a changed extraction goes back to pending.")
    extractor_version: Mapped[str] = mapped_column(Text, nullable=False, comment="Version of the extraction code, rules and weights that proposed it (propose-N+hash).")
    confidence: Mapped[Decimal] = mapped_column(Numeric(5, 4), nullable=False, comment="Extraction confidence in [0, 1] (logistic score per fact type).")
    status: Mapped[str] = mapped_column(Text, nullable=False, server_default="pending", index=True, comment="pending (waits for a person), accepted (published as, or merged into, fact_key), rejected (not a fact), superseded (the current version of the document no longer proposes it).")
    decision_source: Mapped[str] = mapped_column(Text, nullable=False, server_default="extraction", comment="What decided the status: extraction (nothing yet), curated_record (a curated record names the candidate), curated_evidence (a published fact's evidence covers it), merge, decision or document_decision (etl/review/decisions.yaml).")
    edited: Mapped[dict | None] = mapped_column(JSONB, comment="The reviewer's edits at acceptance: the fields whose accepted value differs from the proposed one (field -> accepted value).")
    reviewer: Mapped[str | None] = mapped_column(Text, comment="Who decided (from the decisions file); null for pending candidates and for candidates covered by curated evidence.")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), comment="When the decision was made (from the decisions file).")
    reason: Mapped[str | None] = mapped_column(Text, comment="Why: the reviewer's reason for a rejection, or how the status follows from the curated files.")
    fact_key: Mapped[str | None] = mapped_column(Text, index=True, comment="The fact (core.facts.fact_key) the candidate was accepted as or merged into.")
    previous_decision: Mapped[dict | None] = mapped_column(JSONB, comment="The decision that held before the candidate went back to pending (its extraction changed, or the fact that covered it left): status, decision_source, reviewer, decided_at, reason, fact_key, extraction_hash.")
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now(), comment="When the candidate was first proposed.")


class ReviewDecision(Base):
    __tablename__ = "decisions"
    __table_args__ = (
        _check("decision", REVIEW_DECISIONS),
        CheckConstraint("num_nonnulls(candidate_key, document_key) = 1", name="one_subject"),
        {"schema": "review", "comment": "The decisions file (etl/review/decisions.yaml) as last loaded: one row per entry. Accepted records themselves live in the curated files; an entry naming a candidate that is not loaded is kept (its document may be loaded later) and counted in `etnc-db status`."},
    )
    decision_id: Mapped[int] = _pk()
    decision_key: Mapped[str] = _bkey("Business key: candidate:<candidate key> or document:<document key>.")
    candidate_key: Mapped[str | None] = mapped_column(Text, comment="The candidate decided (no foreign key: it may belong to a document that is not loaded).")
    document_key: Mapped[str | None] = mapped_column(Text, comment="The document of a document-level decision.")
    decision: Mapped[str] = mapped_column(Text, nullable=False, comment="accepted (the record is in the curated files), rejected, merged (evidence added to fact_key) or curated_complete (the document was read in full: candidates no curated fact covers are not facts).")
    extraction_hash: Mapped[str | None] = mapped_column(String(16), comment="The extraction the decision was made on; a changed extraction goes back to pending.")
    fact_key: Mapped[str | None] = mapped_column(Text, comment="The record accepted, or the fact merged into.")
    reviewer: Mapped[str] = mapped_column(Text, nullable=False, comment="Who decided.")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, comment="When.")
    reason: Mapped[str | None] = mapped_column(Text, comment="Why.")
    edited: Mapped[dict | None] = mapped_column(JSONB, comment="For an acceptance: the fields the reviewer changed (field -> value).")
    covers: Mapped[list | None] = mapped_column(JSONB, comment="For a document-level decision: the extraction hashes it decided (the candidates no curated fact covered when it was made).")
    document_sha256: Mapped[str | None] = mapped_column(String(64), comment="For a document-level decision: the sha256 of the version that was read.")
    source_line: Mapped[str] = mapped_column(Text, nullable=False, comment="File and line of the entry (relative to the review folder).")
    matched: Mapped[bool] = mapped_column(Boolean, nullable=False, comment="True when the candidate (or document) it names is loaded.")


# ---------------------------------------------------------------------------
# history: fact versions (SCD2), key redirects and withdrawals, releases
# (issue 17; docs/history.md). Written by the pipeline's `history` step and by
# `etnc-db release`, never by the loader. Keyed by fact_key, not fact_id: a
# version outlives the core.facts row it describes.
# ---------------------------------------------------------------------------

HISTORY_CHANGES = ("added", "changed", "removed", "readded")
REMOVAL_REASONS = ("withdrawn", "renamed", "merged", "forced")
REDIRECT_REASONS = ("renamed", "merged")
WITHDRAWAL_KINDS = ("withdrawn", "forced")
DELTA_CHANGES = ("added", "changed", "removed", "redirected")
CURATED_STATES = ("clean", "dirty", "not_git")


def _stamp_columns(table: Table, what: str) -> None:
    """first seen / last changed columns of core.facts and core.organizations (no foreign
    key: the loader reads a table's foreign keys as business-key lookups)."""
    table.append_column(Column("first_seen_run", BigInteger, comment=f"Run (etl.runs.run_id) that first published the {what}'s key (a re-published key keeps its first run); null only inside the run that writes it."))
    table.append_column(Column("first_seen_at", DateTime(timezone=True), comment=f"When the {what}'s key was first published (start of that run's transaction)."))
    table.append_column(Column("last_changed_run", BigInteger, comment=f"Run that last changed any value of the {what} (for a fact: the run of its newest version)."))
    table.append_column(Column("last_changed_at", DateTime(timezone=True), comment=f"When the {what} last changed (start of that run's transaction)."))


_stamp_columns(Fact.__table__, "fact")
_stamp_columns(Organization.__table__, "organization")


def _run_fk(comment: str, *, nullable: bool = False) -> Mapped[int]:
    return mapped_column(BigInteger, ForeignKey("etl.runs.run_id", ondelete="RESTRICT"), nullable=nullable,
                         index=True, comment=comment)


class FactVersion(Base):
    __tablename__ = "fact_versions"
    __table_args__ = (
        UniqueConstraint("fact_key", "version"),
        ExcludeConstraint(("fact_key", "="), ("valid_runs", "&&"), using="gist", name="fact_versions_no_overlap"),
        _check("change", HISTORY_CHANGES),
        _check("removal_reason", REMOVAL_REASONS),
        CheckConstraint("(change = 'removed') = (removal_reason IS NOT NULL)", name="removed_has_reason"),
        CheckConstraint("(change = 'removed') = (fact_values IS NULL)", name="removed_has_no_values"),
        CheckConstraint("NOT isempty(valid_runs) AND lower(valid_runs) = run_id", name="valid_from_its_run"),
        Index("ix_fact_versions_current", "fact_key", unique=True, postgresql_where=text("upper_inf(valid_runs)")),
        {"schema": "core", "comment": "Fact history (SCD2): one row per version of a fact key — added, changed, removed (with the reason) or re-added — valid from the run that wrote it until the run that superseded it. Versions never overlap (EXCLUDE constraint) and are never deleted."},
    )
    fact_version_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, comment="Version number across all facts (stable: releases point at it).")
    fact_key: Mapped[str] = mapped_column(Text, nullable=False, comment="The fact's business key (core.facts.fact_key, also after the fact is gone).")
    version: Mapped[int] = mapped_column(Integer, nullable=False, comment="1, 2, ... per fact key.")
    fact_type: Mapped[str] = mapped_column(Text, nullable=False, comment="agreement, investment or policy_measure.")
    change: Mapped[str] = mapped_column(Text, nullable=False, comment="added (first version), changed, removed (a tombstone: the key left the published data) or readded.")
    valid_runs: Mapped[object] = mapped_column(INT8RANGE, nullable=False, comment="Runs for which this version was the published state: [run that wrote it, run that superseded it); unbounded above while current.")
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, comment="When this version was published (start of the writing run's transaction).")
    valid_to: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), comment="When it was superseded; null while current.")
    run_id: Mapped[int] = _run_fk("Run that wrote this version (= lower(valid_runs)).")
    fact_values: Mapped[dict | None] = mapped_column(JSONB, comment="The fact at this version: every curated field by its curated-file name (registry keys for references), derived values, sectors, parties or targets, relations and evidence spans with the endnotes they cite; null for a removal.")
    changed_fields: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default=text("'{}'"), comment="Fields whose values differ from the previous version (for readded: from the last version before the removal); empty for added and removed.")
    source_sha256: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"), comment="document_key -> sha256 of the source document version(s) the evidence quotes.")
    candidate_key: Mapped[str | None] = mapped_column(Text, comment="The review candidate whose decision produced this version (core.facts.candidate_key); null for a record curated without one.")
    removal_reason: Mapped[str | None] = mapped_column(Text, comment="For a removal: withdrawn (listed under withdrawn:), renamed or merged (another record replaces it), forced (removed with --force).")
    reason_text: Mapped[str | None] = mapped_column(Text, comment="The withdrawn: entry's reason, or what a forced removal was.")
    redirect_to: Mapped[str | None] = mapped_column(Text, comment="For renamed or merged: the key that replaces it.")
    source_file: Mapped[str | None] = mapped_column(Text, comment="Curated file and line of the record at this version (informational: not compared).")


# The EXCLUDE constraint compares text with = in a GiST index: btree_gist provides that
# (a trusted extension: the database owner may create it; migration 0007 does).
event.listen(FactVersion.__table__, "before_create", DDL("CREATE EXTENSION IF NOT EXISTS btree_gist"))


class KeyRedirect(Base):
    __tablename__ = "key_redirects"
    __table_args__ = (
        _check("reason", REDIRECT_REASONS),
        CheckConstraint("old_key <> new_key", name="not_self"),
        {"schema": "core", "comment": "Fact keys that were renamed or merged into another key (a curated record's replaces:), so bookmarks of the old key still lead somewhere. Kept when the old key is gone; removed only if the old key is published again."},
    )
    old_key: Mapped[str] = mapped_column(Text, primary_key=True, comment="The replaced fact key.")
    new_key: Mapped[str] = mapped_column(Text, nullable=False, index=True, comment="The key of the record that replaces it (follow further redirects from there).")
    reason: Mapped[str] = mapped_column(Text, nullable=False, comment="renamed (a new key took over one old key) or merged (the survivor already existed, or replaces several keys).")
    run_id: Mapped[int] = _run_fk("Run that recorded the redirect.")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now(), comment="When it was recorded.")


class WithdrawnKey(Base):
    __tablename__ = "withdrawn_keys"
    __table_args__ = (
        _check("kind", WITHDRAWAL_KINDS),
        {"schema": "core", "comment": "Fact keys withdrawn from the published data: listed under a curated file's withdrawn: with a reason, or removed with --force. Kept when the key is gone; removed only if the key is published again."},
    )
    withdrawn_key: Mapped[str] = mapped_column(Text, primary_key=True, comment="The withdrawn fact key.")
    kind: Mapped[str] = mapped_column(Text, nullable=False, comment="withdrawn (declared in a curated file) or forced (disappeared and removed with --force).")
    reason: Mapped[str] = mapped_column(Text, nullable=False, comment="The curated reason, or 'forced' with what was removed.")
    run_id: Mapped[int] = _run_fk("Run that recorded the withdrawal.")
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now(), comment="When it was recorded.")


class Release(Base):
    __tablename__ = "releases"
    __table_args__ = (
        CheckConstraint(r"tag ~ '^v[0-9]{4}\.[0-9]{2}\.[0-9]+$'", name="tag_format"),
        _check("curated_state", CURATED_STATES),
        CheckConstraint("(curated_state = 'clean') = (curated_commit IS NOT NULL)", name="commit_when_clean"),
        {"schema": "core", "comment": "Numbered releases (etnc-db release): the published state frozen with the run it came from, its source documents, the curated files' commit, row counts and data-quality result."},
    )
    release_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, comment="Release number (order of creation).")
    tag: Mapped[str] = mapped_column(Text, nullable=False, unique=True, comment="vYYYY.MM.N: year and month of the release, N counting releases of that month.")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now(), comment="When the release was made.")
    run_id: Mapped[int] = _run_fk("The last succeeded load or build run: the published state the release freezes.")
    check_run_id: Mapped[int] = _run_fk("The etnc-db check run that validated that state.")
    previous_release_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("core.releases.release_id", ondelete="RESTRICT"), index=True, comment="The release before it (its delta is against that one); null for the first.")
    curated_commit: Mapped[str | None] = mapped_column(Text, comment="git commit of the curated folder when it is in a git repository with no uncommitted changes; else null.")
    curated_state: Mapped[str] = mapped_column(Text, nullable=False, comment="clean (commit recorded), dirty (uncommitted changes: no commit reproduces it) or not_git.")
    note: Mapped[str | None] = mapped_column(Text, comment="Free text given with --note.")
    fact_count: Mapped[int] = mapped_column(Integer, nullable=False, comment="Facts in the release.")
    row_counts: Mapped[dict] = mapped_column(JSONB, nullable=False, comment="Rows per core table at release time.")
    data_quality: Mapped[dict] = mapped_column(JSONB, nullable=False, comment="The check run's result: run, passed, failed, finished_at.")
    pending_candidates: Mapped[int] = mapped_column(Integer, nullable=False, comment="Review candidates of the released documents still pending (0 unless released with --allow-pending).")


class ReleaseDocument(Base):
    __tablename__ = "release_documents"
    __table_args__ = (
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_format"),
        {"schema": "core", "comment": "The source documents of a release, with the sha256 of the version released."},
    )
    release_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core.releases.release_id", ondelete="CASCADE"), primary_key=True, comment="The release.")
    document_key: Mapped[str] = mapped_column(Text, primary_key=True, comment="The document (core.documents.document_key).")
    file_name: Mapped[str] = mapped_column(Text, nullable=False, comment="Its file in the corpus folder.")
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, comment="SHA-256 of the file's bytes at release time.")


class ReleaseFact(Base):
    __tablename__ = "release_facts"
    __table_args__ = ({"schema": "core", "comment": "The fact versions a release contains: one per published fact key."},)
    release_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core.releases.release_id", ondelete="CASCADE"), primary_key=True, comment="The release.")
    fact_key: Mapped[str] = mapped_column(Text, primary_key=True, comment="The fact key.")
    fact_version_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core.fact_versions.fact_version_id", ondelete="RESTRICT"), nullable=False, index=True, comment="Its version in the release.")


class ReleaseChange(Base):
    __tablename__ = "release_changes"
    __table_args__ = (
        _check("change", DELTA_CHANGES),
        {"schema": "core", "comment": "The delta of a release against the previous one, per fact key: added, changed (fields, old and new values), removed (with the reason) or redirected (renamed or merged into another key). Computed when the release is made."},
    )
    release_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("core.releases.release_id", ondelete="CASCADE"), primary_key=True, comment="The release.")
    fact_key: Mapped[str] = mapped_column(Text, primary_key=True, comment="The fact key.")
    fact_type: Mapped[str] = mapped_column(Text, nullable=False, comment="agreement, investment or policy_measure.")
    change: Mapped[str] = mapped_column(Text, nullable=False, comment="added, changed, removed or redirected.")
    changed_fields: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, server_default=text("'{}'"), comment="For changed: the fields whose values differ.")
    old_values: Mapped[dict | None] = mapped_column(JSONB, comment="For changed: the changed fields' values in the previous release.")
    new_values: Mapped[dict | None] = mapped_column(JSONB, comment="For changed: the changed fields' values in this release.")
    reason: Mapped[str | None] = mapped_column(Text, comment="For removed and redirected: withdrawn, forced, renamed or merged.")
    reason_text: Mapped[str | None] = mapped_column(Text, comment="The withdrawn reason (or what a forced removal was).")
    redirect_to: Mapped[str | None] = mapped_column(Text, comment="For redirected: the key that replaces it.")
    old_version_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("core.fact_versions.fact_version_id", ondelete="RESTRICT"), index=True, comment="Its version in the previous release.")
    new_version_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("core.fact_versions.fact_version_id", ondelete="RESTRICT"), index=True, comment="Its version in this release.")
