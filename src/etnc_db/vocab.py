"""Controlled vocabularies shared by the schema (CHECK constraints), the curated-file
validators and the quality suites. docs/curation.md explains each value."""

ORGANIZATION_KINDS = (
    "company", "university", "research_institute", "government_body", "agency",
    "international_organization", "ngo", "party", "other",
)
OWNERSHIPS = ("state_owned", "private", "public_body", "mixed", "unknown")
DOCUMENT_KINDS = ("report", "news_article", "newsletter", "article")
SECTION_KINDS = ("front_matter", "summary", "chapter", "heading", "issue", "article")
DATE_PRECISIONS = ("day", "month", "year", "unknown")
ENTITY_TYPES = ("country", "organization", "sector")
FACT_TYPES = ("agreement", "investment", "policy_measure")

AGREEMENT_TYPES = (
    "mou", "st_agreement", "strategic_partnership", "joint_declaration", "joint_venture",
    "research_collaboration", "joint_laboratory", "supply_deal", "development_deal",
    "licensing", "framework_agreement", "other",
)
AGREEMENT_STATUSES = (
    "announced", "signed", "in_force", "implemented", "suspended", "terminated",
    "expired", "cancelled", "unknown",
)
PARTY_ROLES = (
    "signatory", "partner", "investor", "supplier", "customer", "host", "funder",
    "implementer", "coordinator",
)
INVESTMENT_TYPES = (
    "greenfield", "acquisition", "stake", "merger", "joint_venture", "rnd_centre",
    "expansion", "fund", "other",
)
INVESTMENT_STATUSES = (
    "announced", "planned", "under_construction", "operational", "completed",
    "under_review", "blocked", "withdrawn", "cancelled", "suspended", "pledged", "unknown",
)
AMOUNT_QUALIFIERS = ("exact", "approx", "at_least", "up_to", "range")
DIRECTIONS = ("china_to_europe", "europe_to_china", "other")
MEASURE_TYPES = (
    "law", "regulation", "strategy", "guideline", "screening_mechanism", "screening_decision",
    "export_control", "vendor_restriction", "ban", "subsidy_probe", "trade_defence",
    "funding_exclusion", "government_intervention", "security_review", "funding_programme",
    "institutional_body", "other",
)
POLICY_STATUSES = (
    "proposed", "adopted", "in_force", "implemented", "announced", "under_review",
    "suspended", "withdrawn", "repealed", "unknown",
)
STANCES = ("restrictive", "promotional", "neutral")
RUN_STATUSES = ("running", "succeeded", "failed")

CHINA_CODES = frozenset({"CN", "HK", "MO"})
