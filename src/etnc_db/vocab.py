"""Enumerations the *code* gives meaning to (parser kinds, date precisions, run states).
They become CHECK constraints in the models, and a test proves the database's CHECK
constraints equal the models'.

The vocabularies *curators* choose from (agreement types, statuses, stances, roles,
organization kinds, ...) are data, not code: `etl/reference/vocabularies.yaml`, loaded
into the `core.vocab_*` lookup tables that fact columns reference by foreign key (see
`etnc_db.reference.vocabularies`)."""

DOCUMENT_KINDS = ("report", "news_article", "newsletter", "article")
SECTION_KINDS = ("front_matter", "summary", "chapter", "heading", "issue", "article")
DATE_PRECISIONS = ("day", "month", "year", "unknown")
ENTITY_TYPES = ("country", "organization", "sector")
DIRECTIONS = ("china_to_europe", "europe_to_china", "other")
JURISDICTION_LEVELS = ("national", "supranational", "multilateral")
PARTY_KINDS = ("organization", "government", "unnamed")
MATCH_METHODS = ("exact", "normalized")
RUN_STATUSES = ("running", "succeeded", "failed")
CHANGE_KINDS = ("insert", "update", "delete")
DQ_PHASES = ("gate", "check")

# The curated vocabularies: name -> what it classifies. Each is a lookup table
# core.vocab_<name> (value, label, definition, ordinal) filled from vocabularies.yaml.
CURATED_VOCABULARIES = {
    "organization_kind": "Kinds of organizations in the registry.",
    "ownership": "Ownership of an organization.",
    "agreement_type": "Types of agreements.",
    "agreement_status": "Statuses of agreements.",
    "party_role": "Roles of parties to an agreement.",
    "investment_type": "Types of investments.",
    "investment_status": "Statuses of investments.",
    "amount_qualifier": "How exact a stated amount is.",
    "measure_type": "Types of policy measures.",
    "policy_status": "Statuses of policy measures.",
    "stance": "Stance of a policy measure towards Chinese actors or cooperation.",
    "relation": "How one fact relates to another.",
}
