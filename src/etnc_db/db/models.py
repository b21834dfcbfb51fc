"""SQLAlchemy models: the single source of the etnc-db schema.

Every table has a surrogate integer key for joins and a text business key
(`<entity>_key`) that is identical on every rebuild, so upserts, change logs and
external bookmarks work by business key. Vocabularies are CHECK constraints whose
values live in `etnc_db.vocab`. Every table and column carries a comment, which
Alembic turns into `COMMENT ON` and the data dictionary is generated from.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
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


def _fk(target: str, *, nullable: bool, ondelete: str = "CASCADE", comment: str) -> Mapped:
    return mapped_column(
        Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True, comment=comment
    )


def _span() -> tuple:
    return (
        CheckConstraint("char_start >= 0 AND char_end >= char_start", name="span_valid"),
    )


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
        _check("kind", vocab.ORGANIZATION_KINDS),
        _check("ownership", vocab.OWNERSHIPS),
        CheckConstraint("parent_id IS NULL OR parent_id <> organization_id", name="not_own_parent"),
        {"schema": "core", "comment": "Every actor that is not a state: companies, universities, institutes, government bodies, agencies, international organizations."},
    )
    organization_id: Mapped[int] = _pk()
    organization_key: Mapped[str] = _bkey("Business key: organization slug (e.g. catl, cn-most).")
    name: Mapped[str] = mapped_column(Text, nullable=False, comment="Canonical name.")
    kind: Mapped[str] = mapped_column(Text, nullable=False, comment="Kind of organization: " + ", ".join(vocab.ORGANIZATION_KINDS) + ".")
    country_id: Mapped[int | None] = _fk("core.countries.country_id", nullable=True, ondelete="RESTRICT", comment="Headquarters country (EU for EU institutions); null when unknown.")
    parent_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="SET NULL", comment="Parent organization (Volvo Cars -> Geely).")
    ownership: Mapped[str] = mapped_column(Text, nullable=False, default="unknown", comment="Ownership: " + ", ".join(vocab.OWNERSHIPS) + ".")
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
    is_chinese: Mapped[bool] = mapped_column(Boolean, nullable=False, comment="True when headquartered in China (CN, HK or MO).")
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
    document_key: Mapped[str] = _bkey("Business key: document slug from data/corpus/sources.yaml (or derived from the file name).")
    file_name: Mapped[str] = mapped_column(Text, nullable=False, unique=True, comment="File name in the corpus folder.")
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, comment="SHA-256 of the file's bytes.")
    byte_size: Mapped[int] = mapped_column(Integer, nullable=False, comment="Size of the file in bytes.")
    title: Mapped[str | None] = mapped_column(Text, comment="Title (from the manifest, else from the text).")
    publisher: Mapped[str | None] = mapped_column(Text, comment="Publisher.")
    published_date: Mapped[date | None] = mapped_column(Date, comment="Publication date at its precision (first day of the month/year when coarser).")
    published_precision: Mapped[str] = mapped_column(Text, nullable=False, default="unknown", comment="Precision of published_date: day, month, year or unknown.")
    document_kind: Mapped[str] = mapped_column(Text, nullable=False, comment="report, news_article, newsletter or article.")
    content: Mapped[str] = mapped_column(Text, nullable=False, comment="The stored text (the file decoded as UTF-8, unchanged).")
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False, comment="Hash of content, parser version and reference data: unchanged means nothing to re-derive.")


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
        {"schema": "core", "comment": "Endnotes of the report chapters: number, text, URL, title, outlet and date."},
    )
    citation_id: Mapped[int] = _pk()
    citation_key: Mapped[str] = _bkey("Business key: section_key#note number (with .variant for a duplicate number).")
    document_id: Mapped[int] = _fk("core.documents.document_id", nullable=False, comment="Document the endnote belongs to.")
    section_id: Mapped[int] = _fk("core.document_sections.section_id", nullable=False, comment="Chapter whose Endnotes list holds the note.")
    note_number: Mapped[int] = mapped_column(Integer, nullable=False, comment="Endnote number within its chapter.")
    variant: Mapped[int] = mapped_column(SmallInteger, nullable=False, default=0, comment="0; 1 for a second endnote the source gives the same number (listed in extract/errata.yaml).")
    raw_text: Mapped[str] = mapped_column(Text, nullable=False, comment="The endnote as written.")
    url: Mapped[str | None] = mapped_column(Text, comment="First URL in the endnote.")
    urls: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list, comment="Every URL in the endnote.")
    title: Mapped[str | None] = mapped_column(Text, comment="Title of the cited work, where it can be parsed.")
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


def _fact_common():
    return (
        _check("date_precision", vocab.DATE_PRECISIONS),
        CheckConstraint(
            "(date_precision = 'unknown') = (fact_date IS NULL)", name="date_matches_precision"
        ),
    )


class Agreement(Base):
    __tablename__ = "agreements"
    __table_args__ = (
        _check("agreement_type", vocab.AGREEMENT_TYPES),
        _check("status", vocab.AGREEMENT_STATUSES),
        *_fact_common(),
        {"schema": "core", "comment": "MoUs, S&T agreements, partnerships, joint declarations, joint ventures, research collaborations and deals."},
    )
    agreement_id: Mapped[int] = _pk()
    agreement_key: Mapped[str] = _bkey("Business key: the curated record id (e.g. hu-cn-st-cooperation-2002).")
    title: Mapped[str] = mapped_column(Text, nullable=False, comment="Short descriptive title.")
    agreement_type: Mapped[str] = mapped_column(Text, nullable=False, comment="Type: " + ", ".join(vocab.AGREEMENT_TYPES) + ".")
    status: Mapped[str] = mapped_column(Text, nullable=False, comment="Status: " + ", ".join(vocab.AGREEMENT_STATUSES) + ".")
    fact_date: Mapped[date | None] = mapped_column(Date, comment="Date signed or announced, at date_precision (first day of month/year when coarser).")
    date_precision: Mapped[str] = mapped_column(Text, nullable=False, comment="day, month, year or unknown.")
    note: Mapped[str | None] = mapped_column(Text, comment="Curator's note, e.g. why a value is missing.")
    source_file: Mapped[str] = mapped_column(Text, nullable=False, comment="Curated file the record comes from.")


class AgreementParty(Base):
    __tablename__ = "agreement_parties"
    __table_args__ = (
        _check("role", vocab.PARTY_ROLES),
        CheckConstraint("(organization_id IS NULL) <> (country_id IS NULL)", name="one_party"),
        {"schema": "core", "comment": "Parties to an agreement (an organization or a government) with their role."},
    )
    agreement_party_id: Mapped[int] = _pk()
    agreement_party_key: Mapped[str] = _bkey("Business key: agreement_key|party kind:party key.")
    agreement_id: Mapped[int] = _fk("core.agreements.agreement_id", nullable=False, comment="The agreement.")
    organization_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="RESTRICT", comment="Party when it is an organization.")
    country_id: Mapped[int | None] = _fk("core.countries.country_id", nullable=True, ondelete="RESTRICT", comment="Party when it is a government (or the EU).")
    role: Mapped[str] = mapped_column(Text, nullable=False, comment="Role: " + ", ".join(vocab.PARTY_ROLES) + ".")


class AgreementSector(Base):
    __tablename__ = "agreement_sectors"
    __table_args__ = (UniqueConstraint("agreement_id", "sector_id"), {"schema": "core", "comment": "Sectors an agreement covers."})
    agreement_sector_id: Mapped[int] = _pk()
    agreement_sector_key: Mapped[str] = _bkey("Business key: agreement_key|sector_key.")
    agreement_id: Mapped[int] = _fk("core.agreements.agreement_id", nullable=False, comment="The agreement.")
    sector_id: Mapped[int] = _fk("core.sectors.sector_id", nullable=False, ondelete="RESTRICT", comment="The sector.")


class Investment(Base):
    __tablename__ = "investments"
    __table_args__ = (
        _check("investment_type", vocab.INVESTMENT_TYPES),
        _check("status", vocab.INVESTMENT_STATUSES),
        _check("direction", vocab.DIRECTIONS),
        _check("amount_qualifier", vocab.AMOUNT_QUALIFIERS),
        *_fact_common(),
        CheckConstraint("amount IS NULL OR amount > 0", name="amount_positive"),
        CheckConstraint("amount_max IS NULL OR amount_max >= amount", name="amount_range"),
        CheckConstraint("(amount IS NULL) = (currency IS NULL)", name="amount_has_currency"),
        CheckConstraint("currency IS NULL OR currency ~ '^[A-Z]{3}$'", name="currency_format"),
        CheckConstraint("(amount_eur IS NULL) OR (amount IS NOT NULL AND fx_rate IS NOT NULL)", name="eur_has_rate"),
        CheckConstraint("NOT recommended_for_aggregates OR amount_eur IS NOT NULL", name="aggregates_need_amount"),
        {"schema": "core", "comment": "Investments: greenfield plants, acquisitions, stakes, R&D centres, funds, blocked or screened deals."},
    )
    investment_id: Mapped[int] = _pk()
    investment_key: Mapped[str] = _bkey("Business key: the curated record id (e.g. hu-catl-debrecen).")
    title: Mapped[str] = mapped_column(Text, nullable=False, comment="Short descriptive title.")
    investor_id: Mapped[int] = _fk("core.organizations.organization_id", nullable=False, ondelete="RESTRICT", comment="Investing organization.")
    target_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="RESTRICT", comment="Acquired or target organization, if any.")
    target_name: Mapped[str | None] = mapped_column(Text, comment="Target when it is not a registered organization (a plant, a project).")
    host_country_id: Mapped[int] = _fk("core.countries.country_id", nullable=False, ondelete="RESTRICT", comment="Country where the investment is made.")
    location: Mapped[str | None] = mapped_column(Text, comment="Town or region, as the source states it.")
    investment_type: Mapped[str] = mapped_column(Text, nullable=False, comment="Type: " + ", ".join(vocab.INVESTMENT_TYPES) + ".")
    status: Mapped[str] = mapped_column(Text, nullable=False, comment="Status: " + ", ".join(vocab.INVESTMENT_STATUSES) + ".")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 2), comment="Amount in full units of currency, as the source states it; null when not stated.")
    amount_max: Mapped[Decimal | None] = mapped_column(Numeric(20, 2), comment="Upper bound when the source gives a range.")
    amount_qualifier: Mapped[str | None] = mapped_column(Text, comment="exact, approx, at_least, up_to or range.")
    currency: Mapped[str | None] = mapped_column(String(3), comment="ISO 4217 code of the stated amount.")
    amount_eur: Mapped[Decimal | None] = mapped_column(Numeric(20, 2), comment="Amount converted to EUR at the ECB reference rate of the announcement year.")
    fx_rate: Mapped[Decimal | None] = mapped_column(Numeric(18, 8), comment="Units of currency per EUR used for amount_eur (1 for EUR).")
    fx_rate_date: Mapped[date | None] = mapped_column(Date, comment="Date of the ECB rate used.")
    fact_date: Mapped[date | None] = mapped_column(Date, comment="Announcement date at date_precision.")
    date_precision: Mapped[str] = mapped_column(Text, nullable=False, comment="day, month, year or unknown.")
    direction: Mapped[str] = mapped_column(Text, nullable=False, comment="Derived from investor and host country: china_to_europe, europe_to_china, other.")
    recommended_for_aggregates: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False, comment="Safe to sum: a concrete investment with an amount, not a pledge, cancelled deal, umbrella or double count.")
    note: Mapped[str | None] = mapped_column(Text, comment="Curator's note, e.g. why a value is missing.")
    source_file: Mapped[str] = mapped_column(Text, nullable=False, comment="Curated file the record comes from.")


class InvestmentSector(Base):
    __tablename__ = "investment_sectors"
    __table_args__ = (UniqueConstraint("investment_id", "sector_id"), {"schema": "core", "comment": "Sectors of an investment."})
    investment_sector_id: Mapped[int] = _pk()
    investment_sector_key: Mapped[str] = _bkey("Business key: investment_key|sector_key.")
    investment_id: Mapped[int] = _fk("core.investments.investment_id", nullable=False, comment="The investment.")
    sector_id: Mapped[int] = _fk("core.sectors.sector_id", nullable=False, ondelete="RESTRICT", comment="The sector.")


class PolicyMeasure(Base):
    __tablename__ = "policy_measures"
    __table_args__ = (
        _check("measure_type", vocab.MEASURE_TYPES),
        _check("status", vocab.POLICY_STATUSES),
        _check("stance", vocab.STANCES),
        *_fact_common(),
        {"schema": "core", "comment": "Laws, strategies, screening, export controls, vendor restrictions, bans, probes, exclusions and interventions."},
    )
    policy_measure_id: Mapped[int] = _pk()
    policy_measure_key: Mapped[str] = _bkey("Business key: the curated record id.")
    title: Mapped[str] = mapped_column(Text, nullable=False, comment="Short descriptive title.")
    jurisdiction_id: Mapped[int] = _fk("core.countries.country_id", nullable=False, ondelete="RESTRICT", comment="Country or EU that adopted or proposed the measure.")
    issuer_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="RESTRICT", comment="Issuing body, when stated.")
    measure_type: Mapped[str] = mapped_column(Text, nullable=False, comment="Type: " + ", ".join(vocab.MEASURE_TYPES) + ".")
    status: Mapped[str] = mapped_column(Text, nullable=False, comment="Status: " + ", ".join(vocab.POLICY_STATUSES) + ".")
    stance: Mapped[str] = mapped_column(Text, nullable=False, comment="restrictive, promotional or neutral towards Chinese actors or cooperation.")
    fact_date: Mapped[date | None] = mapped_column(Date, comment="Date announced, adopted or in force, at date_precision.")
    date_precision: Mapped[str] = mapped_column(Text, nullable=False, comment="day, month, year or unknown.")
    note: Mapped[str | None] = mapped_column(Text, comment="Curator's note.")
    source_file: Mapped[str] = mapped_column(Text, nullable=False, comment="Curated file the record comes from.")


class PolicyMeasureTarget(Base):
    __tablename__ = "policy_measure_targets"
    __table_args__ = (
        CheckConstraint(
            "num_nonnulls(organization_id, country_id, sector_id) = 1", name="one_target"
        ),
        {"schema": "core", "comment": "What a policy measure targets: organizations, countries or sectors."},
    )
    policy_measure_target_id: Mapped[int] = _pk()
    policy_measure_target_key: Mapped[str] = _bkey("Business key: policy_measure_key|target kind:target key.")
    policy_measure_id: Mapped[int] = _fk("core.policy_measures.policy_measure_id", nullable=False, comment="The measure.")
    organization_id: Mapped[int | None] = _fk("core.organizations.organization_id", nullable=True, ondelete="RESTRICT", comment="Targeted organization.")
    country_id: Mapped[int | None] = _fk("core.countries.country_id", nullable=True, ondelete="RESTRICT", comment="Targeted country.")
    sector_id: Mapped[int | None] = _fk("core.sectors.sector_id", nullable=True, ondelete="RESTRICT", comment="Targeted sector.")


class PolicyMeasureSector(Base):
    __tablename__ = "policy_measure_sectors"
    __table_args__ = (UniqueConstraint("policy_measure_id", "sector_id"), {"schema": "core", "comment": "Sectors a policy measure concerns."})
    policy_measure_sector_id: Mapped[int] = _pk()
    policy_measure_sector_key: Mapped[str] = _bkey("Business key: policy_measure_key|sector_key.")
    policy_measure_id: Mapped[int] = _fk("core.policy_measures.policy_measure_id", nullable=False, comment="The measure.")
    sector_id: Mapped[int] = _fk("core.sectors.sector_id", nullable=False, ondelete="RESTRICT", comment="The sector.")


class Evidence(Base):
    __tablename__ = "evidence"
    __table_args__ = (
        _check("fact_type", vocab.FACT_TYPES),
        _check("match_method", ("exact", "normalized")),
        *_span(),
        CheckConstraint(
            "num_nonnulls(agreement_id, investment_id, policy_measure_id) = 1 AND "
            "(fact_type = 'agreement') = (agreement_id IS NOT NULL) AND "
            "(fact_type = 'investment') = (investment_id IS NOT NULL) AND "
            "(fact_type = 'policy_measure') = (policy_measure_id IS NOT NULL)",
            name="one_fact",
        ),
        {"schema": "core", "comment": "The span of a source document that states a fact; every fact has at least one (enforced by a deferred trigger)."},
    )
    evidence_id: Mapped[int] = _pk()
    evidence_key: Mapped[str] = _bkey("Business key: fact_key@document_key:start-end.")
    fact_type: Mapped[str] = mapped_column(Text, nullable=False, comment="agreement, investment or policy_measure.")
    agreement_id: Mapped[int | None] = _fk("core.agreements.agreement_id", nullable=True, comment="Agreement the span states.")
    investment_id: Mapped[int | None] = _fk("core.investments.investment_id", nullable=True, comment="Investment the span states.")
    policy_measure_id: Mapped[int | None] = _fk("core.policy_measures.policy_measure_id", nullable=True, comment="Policy measure the span states.")
    document_id: Mapped[int] = _fk("core.documents.document_id", nullable=False, comment="Document holding the span.")
    section_id: Mapped[int | None] = _fk("core.document_sections.section_id", nullable=True, comment="Chapter (or top section) holding the span.")
    char_start: Mapped[int] = mapped_column(Integer, nullable=False, comment="Start offset in documents.content.")
    char_end: Mapped[int] = mapped_column(Integer, nullable=False, comment="End offset in documents.content.")
    quote: Mapped[str] = mapped_column(Text, nullable=False, comment="The stored text of the span (equals substring of content).")
    match_method: Mapped[str] = mapped_column(Text, nullable=False, comment="exact, or normalized (found ignoring whitespace and quote-mark style).")
    source_file: Mapped[str] = mapped_column(Text, nullable=False, comment="Curated file and line the quote comes from.")


class EvidenceCitation(Base):
    __tablename__ = "evidence_citations"
    __table_args__ = (UniqueConstraint("evidence_id", "citation_id"), {"schema": "core", "comment": "Endnotes cited inside or right after an evidence span."})
    evidence_citation_id: Mapped[int] = _pk()
    evidence_citation_key: Mapped[str] = _bkey("Business key: evidence_key#citation_key.")
    evidence_id: Mapped[int] = _fk("core.evidence.evidence_id", nullable=False, comment="The evidence span.")
    citation_id: Mapped[int] = _fk("core.citations.citation_id", nullable=False, comment="The endnote it cites.")


# ---------------------------------------------------------------------------
# etl: runs, change log, data quality, rejects, stage state
# ---------------------------------------------------------------------------


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (
        _check("status", vocab.RUN_STATUSES),
        {"schema": "etl", "comment": "One row per ETL run: what ran, how it ended, what it changed."},
    )
    run_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, comment="Run number.")
    command: Mapped[str] = mapped_column(Text, nullable=False, comment="CLI command that started the run (run, load, ...).")
    corpus_path: Mapped[str] = mapped_column(Text, nullable=False, comment="Corpus folder loaded.")
    status: Mapped[str] = mapped_column(Text, nullable=False, comment="running, succeeded or failed.")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now(), comment="Start time.")
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), comment="End time.")
    error: Mapped[str | None] = mapped_column(Text, comment="One-line reason when the run failed.")
    rows_inserted: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0", comment="Rows inserted across all tables.")
    rows_updated: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0", comment="Rows updated across all tables.")
    rows_deleted: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0", comment="Rows deleted across all tables.")
    table_counts: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"), comment="Per table: {inserted, updated, deleted}.")
    documents: Mapped[list] = mapped_column(JSONB, nullable=False, server_default=text("'[]'::jsonb"), comment="Per document: file, document_key, sha256, action (new, changed, unchanged, removed, rejected).")
    timings: Mapped[dict] = mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"), comment="Seconds per stage.")


class Change(Base):
    __tablename__ = "changes"
    __table_args__ = (
        _check("change", ("insert", "update", "delete")),
        {"schema": "etl", "comment": "Change log: every business key a run inserted, updated or deleted."},
    )
    change_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, comment="Change number.")
    run_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("etl.runs.run_id", ondelete="CASCADE"), nullable=False, index=True, comment="Run that made the change.")
    table_name: Mapped[str] = mapped_column(Text, nullable=False, comment="Schema-qualified table changed.")
    business_key: Mapped[str] = mapped_column(Text, nullable=False, comment="Business key of the row.")
    change: Mapped[str] = mapped_column(Text, nullable=False, comment="insert, update or delete.")


class DqResult(Base):
    __tablename__ = "dq_results"
    __table_args__ = (
        _check("phase", ("pre_load", "post_load", "check")),
        {"schema": "etl", "comment": "Data-quality results: one row per expectation evaluated in a run."},
    )
    dq_result_id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, comment="Result number.")
    run_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("etl.runs.run_id", ondelete="CASCADE"), nullable=False, index=True, comment="Run that evaluated it.")
    phase: Mapped[str] = mapped_column(Text, nullable=False, comment="pre_load (frames before writing), post_load (published tables) or check (on demand).")
    suite: Mapped[str] = mapped_column(Text, nullable=False, comment="Expectation suite (usually the table or view name).")
    expectation: Mapped[str] = mapped_column(Text, nullable=False, comment="Expectation type.")
    table_name: Mapped[str] = mapped_column(Text, nullable=False, comment="Table or view validated.")
    column_name: Mapped[str | None] = mapped_column(Text, comment="Column validated, if any.")
    success: Mapped[bool] = mapped_column(Boolean, nullable=False, comment="Whether the expectation held.")
    observed_value: Mapped[dict | None] = mapped_column(JSONB, comment="What GX observed.")
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
