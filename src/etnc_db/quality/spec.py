"""The expectation suites as data: one entry per core table and per mart view.

Core tables are validated in *load shape*: the columns of the table's TableLoad, with
foreign keys given as business keys (host_country_code, investor_key, ...). The frames
a run is about to write have that shape already; the published tables are read back
into it (see `frames.read_table`), so one suite serves the frames before the write
(phase pre_load), the published tables (post_load) and `etnc-db check`.

A rule is a tuple; `suites.build_expectations` turns it into GX expectations:

    ("not_null", [columns])              ExpectColumnValuesToNotBeNull per column
    ("unique", column)                   ExpectColumnValuesToBeUnique
    ("unique_together", [columns])       ExpectCompoundColumnsToBeUnique
    ("in_set", column, values)           ExpectColumnValuesToBeInSet (nulls are ignored)
    ("between", column, min, max)        ExpectColumnValuesToBeBetween (None = open)
    ("positive", column)                 ExpectColumnValuesToBeBetween(min 0, strict)
    ("dates", [columns])                 between DATE_MIN and load date + DATE_FUTURE_YEARS
    ("regex", column, pattern)           ExpectColumnValuesToMatchRegex
    ("true", column)                     a derived boolean column is True on every row

Derived columns (frames.DERIVATIONS) are computed in pandas from the frames of the run
(or the published tables) before validation: referential coverage and consistency
checks a single column cannot express.
"""

from __future__ import annotations

from functools import lru_cache

from etnc_db import vocab

# A load that would leave a table with fewer than (1 - MAX_ROW_DROP) of the rows it had
# before the run fails unless forced (`--force`).
MAX_ROW_DROP = 0.20
# ... and more than this many rows: a share means nothing for a table of a handful of rows
# (removing one of two FX rates is a normal edit, not a disaster).
MIN_ROW_DROP = 10
DATE_MIN = "1949-01-01"
DATE_FUTURE_YEARS = 5
EUR_TOLERANCE = 0.01


@lru_cache(maxsize=1)
def country_codes() -> tuple[str, ...]:
    """ISO 3166-1 alpha-2 codes plus EU (the European Union row)."""
    import pycountry

    return tuple(sorted({c.alpha_2 for c in pycountry.countries} | {"EU"}))


@lru_cache(maxsize=1)
def currency_codes() -> tuple[str, ...]:
    """ISO 4217 alphabetic codes."""
    import pycountry

    return tuple(sorted(c.alpha_3 for c in pycountry.currencies))


COUNTRY = "@country"  # placeholder for country_codes()
CURRENCY = "@currency"  # placeholder for currency_codes()
SPAN = ("between", "char_start", 0, None)

CORE: dict[str, list[tuple]] = {
    "core.countries": [
        ("not_null", ["country_code", "alpha3", "name", "is_eu_member", "is_supranational"]),
        ("unique", "country_code"), ("unique", "alpha3"),
        ("in_set", "country_code", COUNTRY),
        ("regex", "alpha3", r"^[A-Z]{3}$"),
        ("dates", ["eu_accession_date", "eu_exit_date"]),
    ],
    "core.sectors": [
        ("not_null", ["sector_key", "name"]), ("unique", "sector_key"),
        ("true", "parent_known"),
    ],
    "core.organizations": [
        ("not_null", ["organization_key", "name", "kind", "ownership"]), ("unique", "organization_key"),
        ("in_set", "kind", vocab.ORGANIZATION_KINDS), ("in_set", "ownership", vocab.OWNERSHIPS),
        ("in_set", "country_code", COUNTRY),
    ],
    "core.organization_aliases": [
        ("not_null", ["alias_key", "organization_key", "alias"]), ("unique", "alias_key"),
        ("unique_together", ["organization_key", "alias"]),
    ],
    "core.organization_sectors": [
        ("not_null", ["organization_sector_key", "organization_key", "sector_key"]),
        ("unique", "organization_sector_key"),
    ],
    "core.companies": [
        ("not_null", ["company_key", "organization_key", "is_chinese"]), ("unique", "company_key"),
        ("unique", "organization_key"),
    ],
    "core.documents": [
        ("not_null", ["document_key", "file_name", "sha256", "byte_size", "document_kind", "content",
                      "published_precision"]),
        ("unique", "document_key"), ("unique", "file_name"),
        ("regex", "sha256", r"^[0-9a-f]{64}$"),
        ("in_set", "document_kind", vocab.DOCUMENT_KINDS),
        ("in_set", "published_precision", vocab.DATE_PRECISIONS),
        ("positive", "byte_size"), ("dates", ["published_date"]),
    ],
    "core.document_sections": [
        ("not_null", ["section_key", "document_key", "section_kind", "ordinal", "title", "char_start", "char_end"]),
        ("unique", "section_key"), ("in_set", "section_kind", vocab.SECTION_KINDS),
        ("in_set", "country_code", COUNTRY), SPAN, ("true", "span_in_document"),
    ],
    "core.passages": [
        ("not_null", ["passage_key", "document_key", "section_key", "passage_text", "char_start", "char_end"]),
        ("unique", "passage_key"), SPAN, ("true", "span_in_document"),
    ],
    "core.citations": [
        ("not_null", ["citation_key", "document_key", "section_key", "note_number", "raw_text"]),
        ("unique", "citation_key"), ("unique_together", ["section_key", "note_number", "variant"]),
        ("between", "note_number", 1, None), ("in_set", "date_precision", vocab.DATE_PRECISIONS),
        SPAN, ("true", "span_reproduces_text"),
        # published_date is parsed best-effort from endnotes of cited works (historical
        # sources, future-dated strategies), so it gets no date range.
    ],
    "core.citation_markers": [
        ("not_null", ["marker_key", "document_key", "note_number"]), ("unique", "marker_key"), SPAN,
    ],
    "core.table_rows": [
        ("not_null", ["table_row_key", "document_key", "section_key", "table_key", "row_number", "cells"]),
        ("unique", "table_row_key"), ("between", "row_number", 1, None), SPAN,
    ],
    "core.mentions": [
        ("not_null", ["mention_key", "document_key", "surface", "entity_type", "rule"]),
        ("unique", "mention_key"), ("in_set", "entity_type", vocab.ENTITY_TYPES),
        ("in_set", "country_code", COUNTRY), SPAN, ("true", "span_reproduces_text"),
    ],
    "core.fx_rates": [
        ("not_null", ["fx_rate_key", "currency", "rate_year", "rate", "rate_date", "source"]),
        ("unique", "fx_rate_key"), ("unique_together", ["currency", "rate_year"]),
        ("in_set", "currency", CURRENCY), ("positive", "rate"), ("dates", ["rate_date"]),
    ],
    "core.agreements": [
        ("not_null", ["agreement_key", "title", "agreement_type", "status", "date_precision", "source_file"]),
        ("unique", "agreement_key"),
        ("in_set", "agreement_type", vocab.AGREEMENT_TYPES), ("in_set", "status", vocab.AGREEMENT_STATUSES),
        ("in_set", "date_precision", vocab.DATE_PRECISIONS), ("dates", ["fact_date"]),
        ("true", "has_evidence"),
    ],
    "core.agreement_parties": [
        ("not_null", ["agreement_party_key", "agreement_key", "role"]), ("unique", "agreement_party_key"),
        ("in_set", "role", vocab.PARTY_ROLES), ("in_set", "country_code", COUNTRY),
        ("true", "one_party"),
    ],
    "core.agreement_sectors": [
        ("not_null", ["agreement_sector_key", "agreement_key", "sector_key"]), ("unique", "agreement_sector_key"),
    ],
    "core.investments": [
        ("not_null", ["investment_key", "title", "investor_key", "host_country_code", "investment_type",
                      "status", "date_precision", "direction", "recommended_for_aggregates", "source_file"]),
        ("unique", "investment_key"),
        ("in_set", "investment_type", vocab.INVESTMENT_TYPES), ("in_set", "status", vocab.INVESTMENT_STATUSES),
        ("in_set", "direction", vocab.DIRECTIONS), ("in_set", "amount_qualifier", vocab.AMOUNT_QUALIFIERS),
        ("in_set", "date_precision", vocab.DATE_PRECISIONS),
        ("in_set", "host_country_code", COUNTRY), ("in_set", "currency", CURRENCY),
        ("positive", "amount"), ("positive", "amount_max"), ("positive", "amount_eur"), ("positive", "fx_rate"),
        ("dates", ["fact_date", "fx_rate_date"]),
        ("between", "eur_error", 0, EUR_TOLERANCE),
        ("true", "has_evidence"), ("true", "host_country_known"), ("true", "amount_has_currency"),
    ],
    "core.investment_sectors": [
        ("not_null", ["investment_sector_key", "investment_key", "sector_key"]), ("unique", "investment_sector_key"),
    ],
    "core.policy_measures": [
        ("not_null", ["policy_measure_key", "title", "jurisdiction_code", "measure_type", "status", "stance",
                      "date_precision", "source_file"]),
        ("unique", "policy_measure_key"),
        ("in_set", "measure_type", vocab.MEASURE_TYPES), ("in_set", "status", vocab.POLICY_STATUSES),
        ("in_set", "stance", vocab.STANCES), ("in_set", "date_precision", vocab.DATE_PRECISIONS),
        ("in_set", "jurisdiction_code", COUNTRY), ("dates", ["fact_date"]),
        ("true", "has_evidence"),
    ],
    "core.policy_measure_targets": [
        ("not_null", ["policy_measure_target_key", "policy_measure_key"]), ("unique", "policy_measure_target_key"),
        ("in_set", "country_code", COUNTRY),
    ],
    "core.policy_measure_sectors": [
        ("not_null", ["policy_measure_sector_key", "policy_measure_key", "sector_key"]),
        ("unique", "policy_measure_sector_key"),
    ],
    "core.evidence": [
        ("not_null", ["evidence_key", "fact_type", "fact_key", "document_key", "char_start", "char_end", "quote",
                      "match_method", "source_file"]),
        ("unique", "evidence_key"), ("in_set", "fact_type", vocab.FACT_TYPES),
        ("in_set", "match_method", ("exact", "normalized")), SPAN,
        ("true", "span_reproduces_text"),
    ],
    "core.evidence_citations": [
        ("not_null", ["evidence_citation_key", "evidence_key", "citation_key"]), ("unique", "evidence_citation_key"),
    ],
}

MART: dict[str, list[tuple]] = {
    "mart.dim_document": [
        ("not_null", ["document_key", "file_name", "document_kind", "content"]), ("unique", "document_key"),
        ("in_set", "document_kind", vocab.DOCUMENT_KINDS),
    ],
    "mart.dim_section": [
        ("not_null", ["section_key", "document_key", "section_kind"]), ("unique", "section_key"),
        ("in_set", "section_kind", vocab.SECTION_KINDS), ("in_set", "country_code", COUNTRY),
    ],
    "mart.dim_citation": [
        ("not_null", ["citation_key", "document_key", "note_number", "raw_text"]), ("unique", "citation_key"),
    ],
    "mart.dim_passage": [
        ("not_null", ["passage_key", "document_key", "passage_text"]), ("unique", "passage_key"),
    ],
    "mart.dim_country": [
        ("not_null", ["country_code", "alpha3", "country_name", "is_china"]), ("unique", "country_code"),
        ("in_set", "country_code", COUNTRY),
    ],
    "mart.dim_sector": [
        ("not_null", ["sector_key", "sector_name"]), ("unique", "sector_key"),
    ],
    "mart.dim_organization": [
        ("not_null", ["organization_key", "organization_name", "organization_kind", "ownership"]),
        ("unique", "organization_key"), ("in_set", "organization_kind", vocab.ORGANIZATION_KINDS),
        ("in_set", "ownership", vocab.OWNERSHIPS), ("in_set", "country_code", COUNTRY),
    ],
    "mart.fct_mention": [
        ("not_null", ["mention_key", "document_key", "entity_type", "entity_key", "surface"]),
        ("unique", "mention_key"), ("in_set", "entity_type", vocab.ENTITY_TYPES),
    ],
    "mart.fct_investment": [
        ("not_null", ["investment_key", "title", "investor_key", "host_country_code", "investment_type", "status",
                      "direction", "recommended_for_aggregates"]),
        ("unique", "investment_key"),
        ("in_set", "host_country_code", COUNTRY), ("in_set", "investor_country_code", COUNTRY),
        ("in_set", "currency", CURRENCY), ("in_set", "direction", vocab.DIRECTIONS),
        ("in_set", "investment_type", vocab.INVESTMENT_TYPES), ("in_set", "status", vocab.INVESTMENT_STATUSES),
        ("positive", "amount"), ("positive", "amount_eur"), ("dates", ["announced_date"]),
        ("true", "aggregates_have_eur"),
    ],
    "mart.fct_agreement": [
        ("not_null", ["agreement_key", "title", "agreement_type", "status"]), ("unique", "agreement_key"),
        ("in_set", "agreement_type", vocab.AGREEMENT_TYPES), ("in_set", "status", vocab.AGREEMENT_STATUSES),
        ("dates", ["signed_date"]),
    ],
    "mart.fct_agreement_party": [
        ("not_null", ["agreement_key", "party_type", "party_key", "role"]),
        ("unique_together", ["agreement_key", "party_type", "party_key", "role"]),
        ("in_set", "role", vocab.PARTY_ROLES), ("in_set", "party_country_code", COUNTRY),
    ],
    "mart.fct_policy_measure": [
        ("not_null", ["policy_measure_key", "title", "jurisdiction_code", "measure_type", "status", "stance"]),
        ("unique", "policy_measure_key"), ("in_set", "jurisdiction_code", COUNTRY),
        ("in_set", "measure_type", vocab.MEASURE_TYPES), ("in_set", "stance", vocab.STANCES),
        ("dates", ["announced_date"]),
    ],
    "mart.fct_evidence": [
        ("not_null", ["evidence_key", "fact_type", "fact_key", "document_key", "quote"]),
        ("unique", "evidence_key"), ("in_set", "fact_type", vocab.FACT_TYPES),
        ("in_set", "chapter_country_code", COUNTRY),
    ],
}
