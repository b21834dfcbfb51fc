"""schema v2: facts supertable, curated vocabularies as lookup tables, unnamed actors, status and reported dates, fact relations, view state, run lock

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 14:32:59.278559
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# Schema v2 restructures the fact tables (a core.facts supertable, curated vocabularies as
# lookup tables referenced by foreign key, unnamed actors). Every core table is derived
# from the sources, so the migration empties them and clears the stage fingerprints: the
# next `etnc-db run` rebuilds everything (the run ledger and the change log are kept).
# Alembic's autogenerate does not compare CHECK constraints, so the ones this revision
# drops and adds are listed here.
CORE_TABLES = (
    "evidence_citations", "evidence", "agreement_parties", "agreement_sectors", "agreements",
    "investment_sectors", "investments", "policy_measure_targets", "policy_measure_sectors",
    "policy_measures", "fx_rates", "mentions", "citation_markers", "table_rows", "citations",
    "passages", "document_sections", "documents", "companies", "organization_sectors",
    "organization_aliases", "organizations", "sectors", "countries",
)
# The derived tables as they stand in schema v2 (emptied before the downgrade).
V2_TABLES = (
    "removed_text", "evidence_citations", "evidence", "fact_relations", "fact_sectors", "agreement_parties", "agreements",
    "investments", "policy_measure_targets", "policy_measures", "facts", "fx_rates", "mentions",
    "citation_markers", "table_rows", "citations", "passages", "document_sections", "documents", "companies",
    "organization_sectors", "organization_aliases", "organizations", "sectors", "countries",
)

OLD_CHECKS = [
    ('core.agreements', 'ck_agreements_agreement_type_vocab', "CHECK ((agreement_type = ANY (ARRAY['mou'::text, 'st_agreement'::text, 'strategic_partnership'::text, 'joint_declaration'::text, 'joint_venture'::text, 'research_collaboration'::text, 'joint_laboratory'::text, 'supply_deal'::text, 'development_deal'::text, 'licensing'::text, 'framework_agreement'::text, 'other'::text])))"),
    ('core.agreements', 'ck_agreements_date_matches_precision', "CHECK (((date_precision = 'unknown'::text) = (fact_date IS NULL)))"),
    ('core.agreements', 'ck_agreements_date_precision_vocab', "CHECK ((date_precision = ANY (ARRAY['day'::text, 'month'::text, 'year'::text, 'unknown'::text])))"),
    ('core.agreements', 'ck_agreements_status_vocab', "CHECK ((status = ANY (ARRAY['announced'::text, 'signed'::text, 'in_force'::text, 'implemented'::text, 'suspended'::text, 'terminated'::text, 'expired'::text, 'cancelled'::text, 'unknown'::text])))"),
    ('core.organizations', 'ck_organizations_kind_vocab', "CHECK ((kind = ANY (ARRAY['company'::text, 'university'::text, 'research_institute'::text, 'government_body'::text, 'agency'::text, 'international_organization'::text, 'ngo'::text, 'party'::text, 'other'::text])))"),
    ('core.organizations', 'ck_organizations_ownership_vocab', "CHECK ((ownership = ANY (ARRAY['state_owned'::text, 'private'::text, 'public_body'::text, 'mixed'::text, 'unknown'::text])))"),
    ('etl.dq_results', 'ck_dq_results_phase_vocab', "CHECK ((phase = ANY (ARRAY['pre_load'::text, 'post_load'::text, 'check'::text])))"),
    ('core.agreement_parties', 'ck_agreement_parties_one_party', 'CHECK (((organization_id IS NULL) <> (country_id IS NULL)))'),
    ('core.agreement_parties', 'ck_agreement_parties_role_vocab', "CHECK ((role = ANY (ARRAY['signatory'::text, 'partner'::text, 'investor'::text, 'supplier'::text, 'customer'::text, 'host'::text, 'funder'::text, 'implementer'::text, 'coordinator'::text])))"),
    ('core.investments', 'ck_investments_aggregates_need_amount', 'CHECK (((NOT recommended_for_aggregates) OR (amount_eur IS NOT NULL)))'),
    ('core.investments', 'ck_investments_amount_positive', 'CHECK (((amount IS NULL) OR (amount > (0)::numeric)))'),
    ('core.investments', 'ck_investments_amount_qualifier_vocab', "CHECK ((amount_qualifier = ANY (ARRAY['exact'::text, 'approx'::text, 'at_least'::text, 'up_to'::text, 'range'::text])))"),
    ('core.investments', 'ck_investments_amount_range', 'CHECK (((amount_max IS NULL) OR (amount_max >= amount)))'),
    ('core.investments', 'ck_investments_date_matches_precision', "CHECK (((date_precision = 'unknown'::text) = (fact_date IS NULL)))"),
    ('core.investments', 'ck_investments_date_precision_vocab', "CHECK ((date_precision = ANY (ARRAY['day'::text, 'month'::text, 'year'::text, 'unknown'::text])))"),
    ('core.investments', 'ck_investments_investment_type_vocab', "CHECK ((investment_type = ANY (ARRAY['greenfield'::text, 'acquisition'::text, 'stake'::text, 'merger'::text, 'joint_venture'::text, 'rnd_centre'::text, 'expansion'::text, 'fund'::text, 'other'::text])))"),
    ('core.investments', 'ck_investments_status_vocab', "CHECK ((status = ANY (ARRAY['announced'::text, 'planned'::text, 'under_construction'::text, 'operational'::text, 'completed'::text, 'under_review'::text, 'blocked'::text, 'withdrawn'::text, 'cancelled'::text, 'suspended'::text, 'pledged'::text, 'unknown'::text])))"),
    ('core.policy_measures', 'ck_policy_measures_date_matches_precision', "CHECK (((date_precision = 'unknown'::text) = (fact_date IS NULL)))"),
    ('core.policy_measures', 'ck_policy_measures_date_precision_vocab', "CHECK ((date_precision = ANY (ARRAY['day'::text, 'month'::text, 'year'::text, 'unknown'::text])))"),
    ('core.policy_measures', 'ck_policy_measures_measure_type_vocab', "CHECK ((measure_type = ANY (ARRAY['law'::text, 'regulation'::text, 'strategy'::text, 'guideline'::text, 'screening_mechanism'::text, 'screening_decision'::text, 'export_control'::text, 'vendor_restriction'::text, 'ban'::text, 'subsidy_probe'::text, 'trade_defence'::text, 'funding_exclusion'::text, 'government_intervention'::text, 'security_review'::text, 'funding_programme'::text, 'institutional_body'::text, 'other'::text])))"),
    ('core.policy_measures', 'ck_policy_measures_stance_vocab', "CHECK ((stance = ANY (ARRAY['restrictive'::text, 'promotional'::text, 'neutral'::text])))"),
    ('core.policy_measures', 'ck_policy_measures_status_vocab', "CHECK ((status = ANY (ARRAY['proposed'::text, 'adopted'::text, 'in_force'::text, 'implemented'::text, 'announced'::text, 'under_review'::text, 'suspended'::text, 'withdrawn'::text, 'repealed'::text, 'unknown'::text])))"),
    ('core.evidence', 'ck_evidence_fact_type_vocab', "CHECK ((fact_type = ANY (ARRAY['agreement'::text, 'investment'::text, 'policy_measure'::text])))"),
    ('core.evidence', 'ck_evidence_one_fact', "CHECK (((num_nonnulls(agreement_id, investment_id, policy_measure_id) = 1) AND ((fact_type = 'agreement'::text) = (agreement_id IS NOT NULL)) AND ((fact_type = 'investment'::text) = (investment_id IS NOT NULL)) AND ((fact_type = 'policy_measure'::text) = (policy_measure_id IS NOT NULL))))"),
    ('core.policy_measure_targets', 'ck_policy_measure_targets_one_target', 'CHECK ((num_nonnulls(organization_id, country_id, sector_id) = 1))'),
]

NEW_CHECKS = [
    ("core.agreement_parties", "ck_agreement_parties_party_kind_vocab",
     "party_kind IN ('organization', 'government', 'unnamed')"),
    ("core.agreement_parties", "ck_agreement_parties_one_party",
     "(party_kind = 'organization' AND organization_id IS NOT NULL AND country_id IS NULL AND description IS NULL) OR "
     "(party_kind = 'government' AND organization_id IS NULL AND country_id IS NOT NULL AND description IS NULL) OR "
     "(party_kind = 'unnamed' AND organization_id IS NULL AND description IS NOT NULL)"),
    ("core.investments", "ck_investments_investor_named_or_described",
     "investor_id IS NOT NULL OR investor_description IS NOT NULL"),
    ("core.investments", "ck_investments_amount_range", "amount IS NULL OR (amount > 0 AND amount < 1e15)"),
    ("core.investments", "ck_investments_amount_max_range",
     "amount_max IS NULL OR (amount IS NOT NULL AND amount_max >= amount AND amount_max < 1e15)"),
    ("core.investments", "ck_investments_aggregates_need_eur", "NOT recommended_for_aggregates OR amount_eur IS NOT NULL"),
    ("core.policy_measures", "ck_policy_measures_jurisdiction_level_vocab",
     "jurisdiction_level IN ('national', 'supranational', 'multilateral')"),
    ("core.policy_measures", "ck_policy_measures_jurisdiction_matches_level",
     "(jurisdiction_level = 'multilateral') = (jurisdiction_id IS NULL)"),
    ("core.policy_measure_targets", "ck_policy_measure_targets_one_target",
     "(description IS NULL AND num_nonnulls(organization_id, country_id, sector_id) = 1) OR "
     "(description IS NOT NULL AND organization_id IS NULL AND sector_id IS NULL)"),
    ("etl.dq_results", "ck_dq_results_phase_vocab", "phase IN ('gate', 'check')"),
]

EVIDENCE_RULE = """
CREATE FUNCTION core.require_evidence() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    fid int := CASE WHEN TG_TABLE_NAME = 'evidence' THEN OLD.fact_id ELSE NEW.fact_id END;
    fkey text;
BEGIN
    SELECT fact_key INTO fkey FROM core.facts WHERE fact_id = fid;
    IF fkey IS NULL THEN RETURN NULL; END IF;  -- the fact itself is gone
    IF NOT EXISTS (SELECT 1 FROM core.evidence WHERE fact_id = fid) THEN
        RAISE EXCEPTION 'fact % has no evidence: every fact needs at least one evidence span', fkey
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION core.require_evidence() IS 'Deferred check: a fact cannot exist at commit without an evidence row.';
CREATE CONSTRAINT TRIGGER facts_require_evidence AFTER INSERT OR UPDATE ON core.facts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION core.require_evidence();
CREATE CONSTRAINT TRIGGER evidence_keeps_fact AFTER DELETE OR UPDATE OF fact_id ON core.evidence
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION core.require_evidence();
"""
DATE_FUNCTIONS = """
CREATE FUNCTION core.date_key(d date, prec text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE prec WHEN 'year' THEN to_char(d, 'YYYY') WHEN 'month' THEN to_char(d, 'YYYY-MM')
                          WHEN 'day' THEN to_char(d, 'YYYY-MM-DD') END
$fn$;
COMMENT ON FUNCTION core.date_key(date, text) IS 'A date at its precision as text: YYYY, YYYY-MM or YYYY-MM-DD (null when unknown); the key of mart.dim_date.';
CREATE FUNCTION core.date_label(d date, prec text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE prec WHEN 'year' THEN to_char(d, 'YYYY') WHEN 'month' THEN to_char(d, 'FMMonth YYYY')
                          WHEN 'day' THEN to_char(d, 'FMDD FMMonth YYYY') END
$fn$;
COMMENT ON FUNCTION core.date_label(date, text) IS 'A date at its precision for reading: 2024, March 2024, 5 March 2024.';
"""
OLD_TRIGGERS = (("agreements", "agreement_id"), ("investments", "investment_id"), ("policy_measures", "policy_measure_id"))


def _empty_derived_tables(tables) -> None:
    op.execute("TRUNCATE " + ", ".join(f"core.{t}" for t in tables) + " CASCADE")
    op.execute("DELETE FROM etl.stage_state")


def _drop_checks(checks) -> None:
    for table, name, sqltext in checks:
        if sqltext is not None:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


def _add_checks(checks) -> None:
    for table, name, sqltext in checks:
        if sqltext is not None:
            body = sqltext if sqltext.startswith("CHECK") else f"CHECK ({sqltext})"
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {body}")


def _old_evidence_rule() -> None:
    """Re-create revision 0002's per-table evidence triggers (for the downgrade)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).with_name("0002_mart_views_and_evidence_rule.py")
    spec = importlib.util.spec_from_file_location("etnc_migration_0002", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.upgrade()


def _before_upgrade() -> None:
    for table, _ in OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_require_evidence ON core.{table}")
        op.execute(f"DROP TRIGGER IF EXISTS evidence_keeps_{table} ON core.evidence")
    op.execute("DROP FUNCTION IF EXISTS core.require_evidence()")
    _empty_derived_tables(CORE_TABLES)
    _drop_checks(OLD_CHECKS)
    op.execute("UPDATE etl.dq_results SET phase = 'gate' WHERE phase IN ('pre_load', 'post_load')")


def _after_upgrade() -> None:
    _add_checks(NEW_CHECKS)
    op.execute(EVIDENCE_RULE)
    op.execute(DATE_FUNCTIONS)


def _before_downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS core.date_key(date, text)")
    op.execute("DROP FUNCTION IF EXISTS core.date_label(date, text)")
    op.execute("DROP TRIGGER IF EXISTS facts_require_evidence ON core.facts")
    op.execute("DROP TRIGGER IF EXISTS evidence_keeps_fact ON core.evidence")
    op.execute("DROP FUNCTION IF EXISTS core.require_evidence()")
    _empty_derived_tables(V2_TABLES)
    _drop_checks(NEW_CHECKS)
    op.execute("UPDATE etl.dq_results SET phase = 'post_load' WHERE phase = 'gate'")


def _after_downgrade() -> None:
    _add_checks([c for c in OLD_CHECKS if c[1] != "ck_dq_results_phase_vocab"])
    op.execute("ALTER TABLE etl.dq_results ADD CONSTRAINT ck_dq_results_phase_vocab "
               "CHECK (phase IN ('pre_load', 'post_load', 'check'))")
    _old_evidence_rule()



def upgrade() -> None:
    _before_upgrade()
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('facts',
    sa.Column('fact_id', sa.Integer(), sa.Identity(always=False), nullable=False, comment='Surrogate key used for joins; not stable across rebuilds.'),
    sa.Column('fact_key', sa.Text(), nullable=False, comment='Business key: the curated record id, unique across all fact types (e.g. hu-catl-debrecen).'),
    sa.Column('fact_type', sa.Text(), nullable=False, comment="agreement, investment or policy_measure: the table holding the type's fields."),
    sa.Column('title', sa.Text(), nullable=False, comment='Short descriptive title.'),
    sa.Column('fact_date', sa.Date(), nullable=True, comment='Date of the event that created the record (signing, announcement, adoption) as the text states it, at date_precision (first day of the month/year when coarser).'),
    sa.Column('date_precision', sa.Text(), nullable=False, comment='Precision of fact_date: day, month, year or unknown.'),
    sa.Column('status_date', sa.Date(), nullable=True, comment='Date the record reached its current status (opening, completion, withdrawal, entry into force) when the text states it, at status_date_precision.'),
    sa.Column('status_date_precision', sa.Text(), nullable=False, comment='Precision of status_date: day, month, year or unknown.'),
    sa.Column('reported_date', sa.Date(), nullable=True, comment='Earliest publication date of the endnotes its evidence cites (derived, never curated): when the news was reported, for timelines of undated facts.'),
    sa.Column('reported_date_precision', sa.Text(), nullable=False, comment='Precision of reported_date: day, month, year or unknown.'),
    sa.Column('note', sa.Text(), nullable=True, comment="Curator's note, e.g. why a value is missing."),
    sa.Column('source_file', sa.Text(), nullable=False, comment='Curated file and line the record comes from (relative to etl/curated).'),
    sa.CheckConstraint("(date_precision = 'unknown') = (fact_date IS NULL)", name=op.f('ck_facts_fact_date_matches_precision')),
    sa.CheckConstraint("(reported_date_precision = 'unknown') = (reported_date IS NULL)", name=op.f('ck_facts_reported_date_matches_precision')),
    sa.CheckConstraint("(status_date_precision = 'unknown') = (status_date IS NULL)", name=op.f('ck_facts_status_date_matches_precision')),
    sa.CheckConstraint("date_precision IN ('day', 'month', 'year', 'unknown')", name=op.f('ck_facts_date_precision_vocab')),
    sa.CheckConstraint("fact_type IN ('agreement', 'investment', 'policy_measure')", name=op.f('ck_facts_fact_type_vocab')),
    sa.CheckConstraint("reported_date_precision IN ('day', 'month', 'year', 'unknown')", name=op.f('ck_facts_reported_date_precision_vocab')),
    sa.CheckConstraint("status_date_precision IN ('day', 'month', 'year', 'unknown')", name=op.f('ck_facts_status_date_precision_vocab')),
    sa.PrimaryKeyConstraint('fact_id', name=op.f('pk_facts')),
    sa.UniqueConstraint('fact_key', name=op.f('uq_facts_fact_key')),
    schema='core',
    comment="Every published fact (agreement, investment, policy measure): what all facts share. Each has exactly one row in its type's table and at least one evidence span (deferred trigger)."
    )
    op.create_table('vocab_agreement_status',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_agreement_status')),
    schema='core',
    comment='Vocabulary agreement_status: Statuses of agreements. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('vocab_agreement_type',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_agreement_type')),
    schema='core',
    comment='Vocabulary agreement_type: Types of agreements. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('vocab_amount_qualifier',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_amount_qualifier')),
    schema='core',
    comment='Vocabulary amount_qualifier: How exact a stated amount is. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('vocab_investment_status',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_investment_status')),
    schema='core',
    comment='Vocabulary investment_status: Statuses of investments. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('vocab_investment_type',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_investment_type')),
    schema='core',
    comment='Vocabulary investment_type: Types of investments. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('vocab_measure_type',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_measure_type')),
    schema='core',
    comment='Vocabulary measure_type: Types of policy measures. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('vocab_organization_kind',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_organization_kind')),
    schema='core',
    comment='Vocabulary organization_kind: Kinds of organizations in the registry. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('vocab_ownership',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_ownership')),
    schema='core',
    comment='Vocabulary ownership: Ownership of an organization. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('vocab_party_role',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_party_role')),
    schema='core',
    comment='Vocabulary party_role: Roles of parties to an agreement. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('vocab_policy_status',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_policy_status')),
    schema='core',
    comment='Vocabulary policy_status: Statuses of policy measures. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('vocab_relation',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_relation')),
    schema='core',
    comment='Vocabulary relation: How one fact relates to another. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('vocab_stance',
    sa.Column('value', sa.Text(), nullable=False, comment='The value as written in curated files and stored in fact columns.'),
    sa.Column('label', sa.Text(), nullable=False, comment='Readable label for reports and BI tools.'),
    sa.Column('definition', sa.Text(), nullable=False, comment="What the value means (the codebook's definition)."),
    sa.Column('ordinal', sa.SmallInteger(), nullable=False, comment='Position in the vocabulary file (display order).'),
    sa.PrimaryKeyConstraint('value', name=op.f('pk_vocab_stance')),
    schema='core',
    comment='Vocabulary stance: Stance of a policy measure towards Chinese actors or cooperation. Loaded from etl/reference/vocabularies.yaml.'
    )
    op.create_table('run_lock',
    sa.Column('lock_id', sa.SmallInteger(), nullable=False, comment='Unused; the table stays empty.'),
    sa.PrimaryKeyConstraint('lock_id', name=op.f('pk_run_lock')),
    schema='etl',
    comment='Empty table whose EXCLUSIVE lock is the run lock: only roles that may write etl tables can take it, so a read-only login cannot block loads.'
    )
    op.create_table('view_state',
    sa.Column('view_set', sa.Text(), nullable=False, comment='Name of the view set (mart).'),
    sa.Column('checksum', sa.String(length=64), nullable=False, comment="SHA-256 over the view files' names and contents."),
    sa.Column('files', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment='The view files applied, in order.'),
    sa.Column('applied_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False, comment='When they were applied.'),
    sa.PrimaryKeyConstraint('view_set', name=op.f('pk_view_state')),
    schema='etl',
    comment='The mart views as last applied: one row, with the checksum of sql/views/*.sql. Views are re-applied when it differs.'
    )
    op.create_table('fact_relations',
    sa.Column('fact_relation_id', sa.Integer(), sa.Identity(always=False), nullable=False, comment='Surrogate key used for joins; not stable across rebuilds.'),
    sa.Column('fact_relation_key', sa.Text(), nullable=False, comment='Business key: fact_key|relation|related fact_key.'),
    sa.Column('fact_id', sa.Integer(), nullable=False, comment="The fact that declares the link (the subject: 'this fact <relation> the other')."),
    sa.Column('relation', sa.Text(), nullable=False, comment='How the fact relates to the other (vocabulary relation).'),
    sa.Column('related_fact_id', sa.Integer(), nullable=False, comment='The other fact.'),
    sa.CheckConstraint('fact_id <> related_fact_id', name=op.f('ck_fact_relations_not_self')),
    sa.ForeignKeyConstraint(['fact_id'], ['core.facts.fact_id'], name=op.f('fk_fact_relations_fact_id_facts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['related_fact_id'], ['core.facts.fact_id'], name=op.f('fk_fact_relations_related_fact_id_facts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['relation'], ['core.vocab_relation.value'], name=op.f('fk_fact_relations_relation_vocab_relation'), onupdate='CASCADE', ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('fact_relation_id', name=op.f('pk_fact_relations')),
    sa.UniqueConstraint('fact_id', 'related_fact_id', 'relation', name=op.f('uq_fact_relations_fact_id_related_fact_id_relation')),
    sa.UniqueConstraint('fact_relation_key', name=op.f('uq_fact_relations_fact_relation_key')),
    schema='core',
    comment='Links between facts: a joint-venture agreement creates an investment, a funding measure funds a plant, a suspension follows a seizure.'
    )
    op.create_index(op.f('ix_fact_relations_fact_id'), 'fact_relations', ['fact_id'], unique=False, schema='core')
    op.create_index(op.f('ix_fact_relations_related_fact_id'), 'fact_relations', ['related_fact_id'], unique=False, schema='core')
    op.create_index(op.f('ix_fact_relations_relation'), 'fact_relations', ['relation'], unique=False, schema='core')
    op.create_table('fact_sectors',
    sa.Column('fact_sector_id', sa.Integer(), sa.Identity(always=False), nullable=False, comment='Surrogate key used for joins; not stable across rebuilds.'),
    sa.Column('fact_sector_key', sa.Text(), nullable=False, comment='Business key: fact_key|sector_key.'),
    sa.Column('fact_id', sa.Integer(), nullable=False, comment='The fact.'),
    sa.Column('sector_id', sa.Integer(), nullable=False, comment='The sector.'),
    sa.ForeignKeyConstraint(['fact_id'], ['core.facts.fact_id'], name=op.f('fk_fact_sectors_fact_id_facts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sector_id'], ['core.sectors.sector_id'], name=op.f('fk_fact_sectors_sector_id_sectors'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('fact_sector_id', name=op.f('pk_fact_sectors')),
    sa.UniqueConstraint('fact_id', 'sector_id', name=op.f('uq_fact_sectors_fact_id_sector_id')),
    sa.UniqueConstraint('fact_sector_key', name=op.f('uq_fact_sectors_fact_sector_key')),
    schema='core',
    comment='Sectors a fact concerns.'
    )
    op.create_index(op.f('ix_fact_sectors_fact_id'), 'fact_sectors', ['fact_id'], unique=False, schema='core')
    op.create_index(op.f('ix_fact_sectors_sector_id'), 'fact_sectors', ['sector_id'], unique=False, schema='core')
    op.drop_index(op.f('ix_investment_sectors_investment_id'), table_name='investment_sectors', schema='core')
    op.drop_index(op.f('ix_investment_sectors_sector_id'), table_name='investment_sectors', schema='core')
    op.drop_table('investment_sectors', schema='core')
    op.drop_index(op.f('ix_policy_measure_sectors_policy_measure_id'), table_name='policy_measure_sectors', schema='core')
    op.drop_index(op.f('ix_policy_measure_sectors_sector_id'), table_name='policy_measure_sectors', schema='core')
    op.drop_table('policy_measure_sectors', schema='core')
    op.drop_index(op.f('ix_agreement_sectors_agreement_id'), table_name='agreement_sectors', schema='core')
    op.drop_index(op.f('ix_agreement_sectors_sector_id'), table_name='agreement_sectors', schema='core')
    op.drop_table('agreement_sectors', schema='core')
    op.add_column('agreement_parties', sa.Column('party_kind', sa.Text(), nullable=False, comment='organization, government (country_id is the state or the EU) or unnamed (description, with country_id its nationality when stated).'), schema='core')
    op.add_column('agreement_parties', sa.Column('description', sa.Text(), nullable=True, comment="An unnamed party as the text describes it (e.g. 'Chinese partners')."), schema='core')
    op.alter_column('agreement_parties', 'agreement_party_key',
               existing_type=sa.TEXT(),
               comment='Business key: agreement_key|party kind:party key or description|role.',
               existing_comment='Business key: agreement_key|party kind:party key.',
               existing_nullable=False,
               schema='core')
    op.alter_column('agreement_parties', 'country_id',
               existing_type=sa.INTEGER(),
               comment='The government (or the EU) for a government party; the nationality of an unnamed party.',
               existing_comment='Party when it is a government (or the EU).',
               existing_nullable=True,
               schema='core')
    op.alter_column('agreement_parties', 'role',
               existing_type=sa.TEXT(),
               comment='Role of the party (vocabulary party_role).',
               existing_comment='Role: signatory, partner, investor, supplier, customer, host, funder, implementer, coordinator.',
               existing_nullable=False,
               schema='core')
    op.create_index(op.f('ix_agreement_parties_role'), 'agreement_parties', ['role'], unique=False, schema='core')
    op.create_foreign_key(op.f('fk_agreement_parties_role_vocab_party_role'), 'agreement_parties', 'vocab_party_role', ['role'], ['value'], source_schema='core', referent_schema='core', onupdate='CASCADE', ondelete='RESTRICT')
    op.create_table_comment(
        'agreement_parties',
        'Parties to an agreement — an organization, a government, or an unnamed party the text describes — with their role.',
        existing_comment='Parties to an agreement (an organization or a government) with their role.',
        schema='core'
    )
    op.add_column('agreements', sa.Column('fact_id', sa.Integer(), nullable=False, comment='The fact this row describes (core.facts).'), schema='core')
    op.alter_column('agreements', 'agreement_key',
               existing_type=sa.TEXT(),
               comment='Business key: the curated record id (= core.facts.fact_key).',
               existing_comment='Business key: the curated record id (e.g. hu-cn-st-cooperation-2002).',
               existing_nullable=False,
               schema='core')
    op.alter_column('agreements', 'agreement_type',
               existing_type=sa.TEXT(),
               comment='Type of agreement (vocabulary agreement_type).',
               existing_comment='Type: mou, st_agreement, strategic_partnership, joint_declaration, joint_venture, research_collaboration, joint_laboratory, supply_deal, development_deal, licensing, framework_agreement, other.',
               existing_nullable=False,
               schema='core')
    op.alter_column('agreements', 'status',
               existing_type=sa.TEXT(),
               comment='Status (vocabulary agreement_status).',
               existing_comment='Status: announced, signed, in_force, implemented, suspended, terminated, expired, cancelled, unknown.',
               existing_nullable=False,
               schema='core')
    op.create_index(op.f('ix_agreements_agreement_type'), 'agreements', ['agreement_type'], unique=False, schema='core')
    op.create_index(op.f('ix_agreements_status'), 'agreements', ['status'], unique=False, schema='core')
    op.create_unique_constraint(op.f('uq_agreements_fact_id'), 'agreements', ['fact_id'], schema='core')
    op.create_foreign_key(op.f('fk_agreements_agreement_type_vocab_agreement_type'), 'agreements', 'vocab_agreement_type', ['agreement_type'], ['value'], source_schema='core', referent_schema='core', onupdate='CASCADE', ondelete='RESTRICT')
    op.create_foreign_key(op.f('fk_agreements_status_vocab_agreement_status'), 'agreements', 'vocab_agreement_status', ['status'], ['value'], source_schema='core', referent_schema='core', onupdate='CASCADE', ondelete='RESTRICT')
    op.create_foreign_key(op.f('fk_agreements_fact_id_facts'), 'agreements', 'facts', ['fact_id'], ['fact_id'], source_schema='core', referent_schema='core', ondelete='CASCADE')
    op.drop_column('agreements', 'date_precision', schema='core')
    op.drop_column('agreements', 'source_file', schema='core')
    op.drop_column('agreements', 'fact_date', schema='core')
    op.drop_column('agreements', 'title', schema='core')
    op.drop_column('agreements', 'note', schema='core')
    op.add_column('citations', sa.Column('url_as_written', sa.Text(), nullable=True, comment='That URL exactly as written in the source.'), schema='core')
    op.alter_column('citations', 'variant',
               existing_type=sa.SMALLINT(),
               comment='0; 1 for a second endnote the source gives the same number (listed in etl/reference/errata.yaml).',
               existing_comment='0; 1 for a second endnote the source gives the same number (listed in extract/errata.yaml).',
               existing_nullable=False,
               schema='core')
    op.alter_column('citations', 'url',
               existing_type=sa.TEXT(),
               comment='First URL of the endnote (of the repeated note for an ibid.), normalized: scheme added, fragment and trailing slash removed.',
               existing_comment='First URL in the endnote.',
               existing_nullable=True,
               schema='core')
    op.alter_column('citations', 'urls',
               existing_type=postgresql.ARRAY(sa.TEXT()),
               comment='Every URL in the endnote, as written.',
               existing_comment='Every URL in the endnote.',
               existing_nullable=False,
               schema='core')
    op.alter_column('citations', 'title',
               existing_type=sa.TEXT(),
               comment='Title of the cited work, where it can be parsed (of the repeated note for an ibid.).',
               existing_comment='Title of the cited work, where it can be parsed.',
               existing_nullable=True,
               schema='core')
    op.create_table_comment(
        'citations',
        'Endnotes of the report chapters: number, text, URL, title, outlet and date (an ibid. note carries the values of the note it repeats).',
        existing_comment='Endnotes of the report chapters: number, text, URL, title, outlet and date.',
        schema='core'
    )
    op.alter_column('companies', 'is_chinese',
               existing_type=sa.BOOLEAN(),
               comment='True when headquartered in China (a country with is_china: CN, HK or MO).',
               existing_comment='True when headquartered in China (CN, HK or MO).',
               existing_nullable=False,
               schema='core')
    op.add_column('countries', sa.Column('is_china', sa.Boolean(), nullable=False, comment="True for mainland China, Hong Kong and Macao: the 'Chinese' side of Europe–China relations (countries.yaml)."), schema='core')
    op.add_column('countries', sa.Column('is_european', sa.Boolean(), nullable=False, comment="True for countries of the UN M49 region Europe and for the EU: the 'European' side."), schema='core')
    op.alter_column('documents', 'document_key',
               existing_type=sa.TEXT(),
               comment='Business key: document slug from the corpus manifest (or derived from the file name).',
               existing_comment='Business key: document slug from data/corpus/sources.yaml (or derived from the file name).',
               existing_nullable=False,
               schema='core')
    op.alter_column('documents', 'publisher',
               existing_type=sa.TEXT(),
               comment='Publisher (from the manifest, else from the text).',
               existing_comment='Publisher.',
               existing_nullable=True,
               schema='core')
    op.add_column('evidence', sa.Column('fact_id', sa.Integer(), nullable=False, comment='The fact the span states.'), schema='core')
    op.drop_index(op.f('ix_evidence_agreement_id'), table_name='evidence', schema='core')
    op.drop_index(op.f('ix_evidence_investment_id'), table_name='evidence', schema='core')
    op.drop_index(op.f('ix_evidence_policy_measure_id'), table_name='evidence', schema='core')
    op.create_index(op.f('ix_evidence_fact_id'), 'evidence', ['fact_id'], unique=False, schema='core')
    op.drop_constraint(op.f('fk_evidence_investment_id_investments'), 'evidence', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_evidence_agreement_id_agreements'), 'evidence', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_evidence_policy_measure_id_policy_measures'), 'evidence', schema='core', type_='foreignkey')
    op.create_foreign_key(op.f('fk_evidence_fact_id_facts'), 'evidence', 'facts', ['fact_id'], ['fact_id'], source_schema='core', referent_schema='core', ondelete='CASCADE')
    op.drop_column('evidence', 'fact_type', schema='core')
    op.drop_column('evidence', 'investment_id', schema='core')
    op.drop_column('evidence', 'policy_measure_id', schema='core')
    op.drop_column('evidence', 'agreement_id', schema='core')
    op.create_table_comment(
        'evidence_citations',
        "Endnotes whose markers stand in an evidence span's sentences (up to the end of the sentence the span ends in).",
        existing_comment='Endnotes cited inside or right after an evidence span.',
        schema='core'
    )
    op.add_column('investments', sa.Column('fact_id', sa.Integer(), nullable=False, comment='The fact this row describes (core.facts).'), schema='core')
    op.add_column('investments', sa.Column('investor_description', sa.Text(), nullable=True, comment="The investor as the text describes it when unnamed (e.g. 'a Chinese buyer')."), schema='core')
    op.add_column('investments', sa.Column('investor_country_id', sa.Integer(), nullable=True, comment='Country of an unnamed investor, as the text gives it.'), schema='core')
    op.alter_column('investments', 'investment_key',
               existing_type=sa.TEXT(),
               comment='Business key: the curated record id (= core.facts.fact_key).',
               existing_comment='Business key: the curated record id (e.g. hu-catl-debrecen).',
               existing_nullable=False,
               schema='core')
    op.alter_column('investments', 'investor_id',
               existing_type=sa.INTEGER(),
               nullable=True,
               comment='Investing organization; null when the text does not name it (then investor_description).',
               existing_comment='Investing organization.',
               schema='core')
    op.alter_column('investments', 'target_name',
               existing_type=sa.TEXT(),
               comment='Target when it is not a registered organization (a plant, a project, an unnamed company).',
               existing_comment='Target when it is not a registered organization (a plant, a project).',
               existing_nullable=True,
               schema='core')
    op.alter_column('investments', 'investment_type',
               existing_type=sa.TEXT(),
               comment='Type of investment (vocabulary investment_type).',
               existing_comment='Type: greenfield, acquisition, stake, merger, joint_venture, rnd_centre, expansion, fund, other.',
               existing_nullable=False,
               schema='core')
    op.alter_column('investments', 'status',
               existing_type=sa.TEXT(),
               comment='Status (vocabulary investment_status).',
               existing_comment='Status: announced, planned, under_construction, operational, completed, under_review, blocked, withdrawn, cancelled, suspended, pledged, unknown.',
               existing_nullable=False,
               schema='core')
    op.alter_column('investments', 'amount_qualifier',
               existing_type=sa.TEXT(),
               comment='How exact the amount is (vocabulary amount_qualifier).',
               existing_comment='exact, approx, at_least, up_to or range.',
               existing_nullable=True,
               schema='core')
    op.alter_column('investments', 'amount_eur',
               existing_type=sa.NUMERIC(precision=20, scale=2),
               comment='Amount converted to EUR at the ECB reference rate of the announcement year (derived).',
               existing_comment='Amount converted to EUR at the ECB reference rate of the announcement year.',
               existing_nullable=True,
               schema='core')
    op.alter_column('investments', 'direction',
               existing_type=sa.TEXT(),
               comment="Derived from the investor's (or stated investor) country and the host country: china_to_europe, europe_to_china, other.",
               existing_comment='Derived from investor and host country: china_to_europe, europe_to_china, other.',
               existing_nullable=False,
               schema='core')
    op.alter_column('investments', 'recommended_for_aggregates',
               existing_type=sa.BOOLEAN(),
               comment='Safe to sum: a concrete investment with an amount, not a pledge, a cancelled, blocked or withdrawn deal, an umbrella figure or a double count (its year in a series is the best date).',
               existing_comment='Safe to sum: a concrete investment with an amount, not a pledge, cancelled deal, umbrella or double count.',
               existing_nullable=False,
               schema='core')
    op.create_index(op.f('ix_investments_amount_qualifier'), 'investments', ['amount_qualifier'], unique=False, schema='core')
    op.create_index(op.f('ix_investments_investment_type'), 'investments', ['investment_type'], unique=False, schema='core')
    op.create_index(op.f('ix_investments_investor_country_id'), 'investments', ['investor_country_id'], unique=False, schema='core')
    op.create_index(op.f('ix_investments_status'), 'investments', ['status'], unique=False, schema='core')
    op.create_unique_constraint(op.f('uq_investments_fact_id'), 'investments', ['fact_id'], schema='core')
    op.create_foreign_key(op.f('fk_investments_amount_qualifier_vocab_amount_qualifier'), 'investments', 'vocab_amount_qualifier', ['amount_qualifier'], ['value'], source_schema='core', referent_schema='core', onupdate='CASCADE', ondelete='RESTRICT')
    op.create_foreign_key(op.f('fk_investments_investment_type_vocab_investment_type'), 'investments', 'vocab_investment_type', ['investment_type'], ['value'], source_schema='core', referent_schema='core', onupdate='CASCADE', ondelete='RESTRICT')
    op.create_foreign_key(op.f('fk_investments_fact_id_facts'), 'investments', 'facts', ['fact_id'], ['fact_id'], source_schema='core', referent_schema='core', ondelete='CASCADE')
    op.create_foreign_key(op.f('fk_investments_status_vocab_investment_status'), 'investments', 'vocab_investment_status', ['status'], ['value'], source_schema='core', referent_schema='core', onupdate='CASCADE', ondelete='RESTRICT')
    op.create_foreign_key(op.f('fk_investments_investor_country_id_countries'), 'investments', 'countries', ['investor_country_id'], ['country_id'], source_schema='core', referent_schema='core', ondelete='RESTRICT')
    op.create_table_comment(
        'investments',
        'Investments: greenfield plants, acquisitions, stakes, R&D centres, funds, pledges, blocked or screened deals.',
        existing_comment='Investments: greenfield plants, acquisitions, stakes, R&D centres, funds, blocked or screened deals.',
        schema='core'
    )
    op.drop_column('investments', 'date_precision', schema='core')
    op.drop_column('investments', 'source_file', schema='core')
    op.drop_column('investments', 'fact_date', schema='core')
    op.drop_column('investments', 'title', schema='core')
    op.drop_column('investments', 'note', schema='core')
    op.alter_column('organizations', 'kind',
               existing_type=sa.TEXT(),
               comment='Kind of organization (vocabulary organization_kind).',
               existing_comment='Kind of organization: company, university, research_institute, government_body, agency, international_organization, ngo, party, other.',
               existing_nullable=False,
               schema='core')
    op.alter_column('organizations', 'ownership',
               existing_type=sa.TEXT(),
               comment='Ownership (vocabulary ownership).',
               existing_comment='Ownership: state_owned, private, public_body, mixed, unknown.',
               existing_nullable=False,
               schema='core')
    op.create_index(op.f('ix_organizations_kind'), 'organizations', ['kind'], unique=False, schema='core')
    op.create_index(op.f('ix_organizations_ownership'), 'organizations', ['ownership'], unique=False, schema='core')
    op.create_foreign_key(op.f('fk_organizations_ownership_vocab_ownership'), 'organizations', 'vocab_ownership', ['ownership'], ['value'], source_schema='core', referent_schema='core', onupdate='CASCADE', ondelete='RESTRICT')
    op.create_foreign_key(op.f('fk_organizations_kind_vocab_organization_kind'), 'organizations', 'vocab_organization_kind', ['kind'], ['value'], source_schema='core', referent_schema='core', onupdate='CASCADE', ondelete='RESTRICT')
    op.add_column('policy_measure_targets', sa.Column('description', sa.Text(), nullable=True, comment="An unnamed target as the text describes it (e.g. 'Chinese-owned chipmakers')."), schema='core')
    op.alter_column('policy_measure_targets', 'policy_measure_target_key',
               existing_type=sa.TEXT(),
               comment='Business key: policy_measure_key|target kind:target key or description.',
               existing_comment='Business key: policy_measure_key|target kind:target key.',
               existing_nullable=False,
               schema='core')
    op.alter_column('policy_measure_targets', 'country_id',
               existing_type=sa.INTEGER(),
               comment='Targeted country; the nationality of an unnamed target.',
               existing_comment='Targeted country.',
               existing_nullable=True,
               schema='core')
    op.create_table_comment(
        'policy_measure_targets',
        'What a policy measure targets: organizations, countries, sectors, or unnamed targets the text describes.',
        existing_comment='What a policy measure targets: organizations, countries or sectors.',
        schema='core'
    )
    op.add_column('policy_measures', sa.Column('fact_id', sa.Integer(), nullable=False, comment='The fact this row describes (core.facts).'), schema='core')
    op.add_column('policy_measures', sa.Column('jurisdiction_level', sa.Text(), nullable=False, comment='national (a state), supranational (the EU) or multilateral (several states or an international body; no jurisdiction_id).'), schema='core')
    op.alter_column('policy_measures', 'policy_measure_key',
               existing_type=sa.TEXT(),
               comment='Business key: the curated record id (= core.facts.fact_key).',
               existing_comment='Business key: the curated record id.',
               existing_nullable=False,
               schema='core')
    op.alter_column('policy_measures', 'jurisdiction_id',
               existing_type=sa.INTEGER(),
               nullable=True,
               comment='Country or EU that adopted or proposed the measure; null for a multilateral measure.',
               existing_comment='Country or EU that adopted or proposed the measure.',
               schema='core')
    op.alter_column('policy_measures', 'measure_type',
               existing_type=sa.TEXT(),
               comment='Type of measure (vocabulary measure_type).',
               existing_comment='Type: law, regulation, strategy, guideline, screening_mechanism, screening_decision, export_control, vendor_restriction, ban, subsidy_probe, trade_defence, funding_exclusion, government_intervention, security_review, funding_programme, institutional_body, other.',
               existing_nullable=False,
               schema='core')
    op.alter_column('policy_measures', 'status',
               existing_type=sa.TEXT(),
               comment='Status (vocabulary policy_status).',
               existing_comment='Status: proposed, adopted, in_force, implemented, announced, under_review, suspended, withdrawn, repealed, unknown.',
               existing_nullable=False,
               schema='core')
    op.alter_column('policy_measures', 'stance',
               existing_type=sa.TEXT(),
               comment='Stance towards Chinese actors or cooperation (vocabulary stance).',
               existing_comment='restrictive, promotional or neutral towards Chinese actors or cooperation.',
               existing_nullable=False,
               schema='core')
    op.create_index(op.f('ix_policy_measures_measure_type'), 'policy_measures', ['measure_type'], unique=False, schema='core')
    op.create_index(op.f('ix_policy_measures_stance'), 'policy_measures', ['stance'], unique=False, schema='core')
    op.create_index(op.f('ix_policy_measures_status'), 'policy_measures', ['status'], unique=False, schema='core')
    op.create_unique_constraint(op.f('uq_policy_measures_fact_id'), 'policy_measures', ['fact_id'], schema='core')
    op.create_foreign_key(op.f('fk_policy_measures_fact_id_facts'), 'policy_measures', 'facts', ['fact_id'], ['fact_id'], source_schema='core', referent_schema='core', ondelete='CASCADE')
    op.create_foreign_key(op.f('fk_policy_measures_stance_vocab_stance'), 'policy_measures', 'vocab_stance', ['stance'], ['value'], source_schema='core', referent_schema='core', onupdate='CASCADE', ondelete='RESTRICT')
    op.create_foreign_key(op.f('fk_policy_measures_measure_type_vocab_measure_type'), 'policy_measures', 'vocab_measure_type', ['measure_type'], ['value'], source_schema='core', referent_schema='core', onupdate='CASCADE', ondelete='RESTRICT')
    op.create_foreign_key(op.f('fk_policy_measures_status_vocab_policy_status'), 'policy_measures', 'vocab_policy_status', ['status'], ['value'], source_schema='core', referent_schema='core', onupdate='CASCADE', ondelete='RESTRICT')
    op.create_table_comment(
        'policy_measures',
        'Laws, strategies, screening, export controls, vendor restrictions, bans, probes, state aid, exclusions and interventions of any jurisdiction.',
        existing_comment='Laws, strategies, screening, export controls, vendor restrictions, bans, probes, exclusions and interventions.',
        schema='core'
    )
    op.drop_column('policy_measures', 'date_precision', schema='core')
    op.drop_column('policy_measures', 'source_file', schema='core')
    op.drop_column('policy_measures', 'fact_date', schema='core')
    op.drop_column('policy_measures', 'title', schema='core')
    op.drop_column('policy_measures', 'note', schema='core')
    op.alter_column('dq_results', 'phase',
               existing_type=sa.TEXT(),
               comment="gate (SQL checks inside a load's transaction) or check (Great Expectations on published data).",
               existing_comment='pre_load (frames before writing), post_load (published tables) or check (on demand).',
               existing_nullable=False,
               schema='etl')
    op.alter_column('dq_results', 'suite',
               existing_type=sa.TEXT(),
               comment='Expectation suite or gate check group (usually the table or view name).',
               existing_comment='Expectation suite (usually the table or view name).',
               existing_nullable=False,
               schema='etl')
    op.alter_column('dq_results', 'expectation',
               existing_type=sa.TEXT(),
               comment='Expectation type or gate check name.',
               existing_comment='Expectation type.',
               existing_nullable=False,
               schema='etl')
    op.alter_column('dq_results', 'success',
               existing_type=sa.BOOLEAN(),
               comment='Whether the check held.',
               existing_comment='Whether the expectation held.',
               existing_nullable=False,
               schema='etl')
    op.alter_column('dq_results', 'observed_value',
               existing_type=postgresql.JSONB(astext_type=sa.Text()),
               comment='What was observed.',
               existing_comment='What GX observed.',
               existing_nullable=True,
               schema='etl')
    op.create_table_comment(
        'dq_results',
        'Data-quality results: one row per check of the in-run SQL gate or per Great Expectations expectation of `etnc-db check`.',
        existing_comment='Data-quality results: one row per expectation evaluated in a run.',
        schema='etl'
    )
    op.add_column('runs', sa.Column('warnings', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False, comment='Warnings the run printed (documents without facts, parser notes).'), schema='etl')
    op.alter_column('runs', 'command',
               existing_type=sa.TEXT(),
               comment='CLI command that started the run (run, load, check, ...).',
               existing_comment='CLI command that started the run (run, load, ...).',
               existing_nullable=False,
               schema='etl')
    op.alter_column('runs', 'status',
               existing_type=sa.TEXT(),
               comment='running, succeeded or failed; succeeded commits in the same transaction as the data.',
               existing_comment='running, succeeded or failed.',
               existing_nullable=False,
               schema='etl')
    op.alter_column('runs', 'documents',
               existing_type=postgresql.JSONB(astext_type=sa.Text()),
               comment='Per document: file, document_key, sha256, action (new, changed, unchanged, removed, rederived, rejected) and its facts.',
               existing_comment='Per document: file, document_key, sha256, action (new, changed, unchanged, removed, rejected).',
               existing_nullable=False,
               existing_server_default=sa.text("'[]'::jsonb"),
               schema='etl')
    op.add_column('changes', sa.Column('row_count', sa.Integer(), server_default='1', nullable=False, comment='Rows the entry stands for: 1, or every row a first build inserted into an empty table (business_key *).'), schema='etl')
    op.alter_column('changes', 'business_key', existing_type=sa.Text(), existing_nullable=False, comment='Business key of the row; * for the one entry of a first build\'s inserts into an empty table.', existing_comment='Business key of the row.', schema='etl')
    op.create_table_comment('changes', 'Change log: every business key a run updated or deleted, every key it inserted into a table that already had rows, and one entry per table for a first build\'s inserts.', existing_comment='Change log: every business key a run inserted, updated or deleted.', schema='etl')
    op.create_table('removed_text',
    sa.Column('removed_text_id', sa.Integer(), sa.Identity(always=False), nullable=False, comment='Surrogate key used for joins; not stable across rebuilds.'),
    sa.Column('removed_text_key', sa.Text(), nullable=False, comment='Business key: document_key@start-end.'),
    sa.Column('document_id', sa.Integer(), nullable=False, comment='Document the text was removed from.'),
    sa.Column('char_start', sa.Integer(), nullable=False, comment='Start offset in documents.content.'),
    sa.Column('char_end', sa.Integer(), nullable=False, comment='End offset in documents.content.'),
    sa.Column('rule_id', sa.Text(), nullable=False, comment='The junk rule (etl/reference/junk_rules.yaml) or metadata step that removed it.'),
    sa.Column('reason', sa.Text(), nullable=False, comment='Why the rule removes such text.'),
    sa.CheckConstraint('char_start >= 0 AND char_end >= char_start', name=op.f('ck_removed_text_span_valid')),
    sa.ForeignKeyConstraint(['document_id'], ['core.documents.document_id'], name=op.f('fk_removed_text_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('removed_text_id', name=op.f('pk_removed_text')),
    sa.UniqueConstraint('removed_text_key', name=op.f('uq_removed_text_removed_text_key')),
    schema='core',
    comment='Text the parser removed as page debris (site chrome, captions, credits, ads, repeated lines), with the rule that removed it: review it to spot a wrong rule.'
    )
    op.create_index(op.f('ix_removed_text_document_id'), 'removed_text', ['document_id'], unique=False, schema='core')
    op.add_column('documents', sa.Column('detected_metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False, comment="Title, publication date and publisher as found in the text, each with the offsets it came from and the rule that found it (the manifest's values win over them)."), schema='core')
    op.alter_column('documents', 'fingerprint',
               existing_type=sa.VARCHAR(length=64),
               comment='Hash of content, parser version, reference data and manifest entry: unchanged means nothing to re-derive.',
               existing_comment='Hash of content, parser version and reference data: unchanged means nothing to re-derive.',
               existing_nullable=False,
               schema='core')
    # ### end Alembic commands ###
    _after_upgrade()


def downgrade() -> None:
    _before_downgrade()
    op.alter_column('documents', 'fingerprint',
               existing_type=sa.VARCHAR(length=64),
               comment='Hash of content, parser version and reference data: unchanged means nothing to re-derive.',
               existing_comment='Hash of content, parser version, reference data and manifest entry: unchanged means nothing to re-derive.',
               existing_nullable=False,
               schema='core')
    op.drop_column('documents', 'detected_metadata', schema='core')
    op.drop_index(op.f('ix_removed_text_document_id'), table_name='removed_text', schema='core')
    op.drop_table('removed_text', schema='core')
    op.drop_column('changes', 'row_count', schema='etl')
    op.alter_column('changes', 'business_key', existing_type=sa.Text(), existing_nullable=False, comment='Business key of the row.', schema='etl')
    op.create_table_comment('changes', 'Change log: every business key a run inserted, updated or deleted.', schema='etl')
    # ### commands auto generated by Alembic - please adjust! ###
    op.alter_column('runs', 'documents',
               existing_type=postgresql.JSONB(astext_type=sa.Text()),
               comment='Per document: file, document_key, sha256, action (new, changed, unchanged, removed, rejected).',
               existing_comment='Per document: file, document_key, sha256, action (new, changed, unchanged, removed, rederived, rejected) and its facts.',
               existing_nullable=False,
               existing_server_default=sa.text("'[]'::jsonb"),
               schema='etl')
    op.alter_column('runs', 'status',
               existing_type=sa.TEXT(),
               comment='running, succeeded or failed.',
               existing_comment='running, succeeded or failed; succeeded commits in the same transaction as the data.',
               existing_nullable=False,
               schema='etl')
    op.alter_column('runs', 'command',
               existing_type=sa.TEXT(),
               comment='CLI command that started the run (run, load, ...).',
               existing_comment='CLI command that started the run (run, load, check, ...).',
               existing_nullable=False,
               schema='etl')
    op.drop_column('runs', 'warnings', schema='etl')
    op.create_table_comment(
        'dq_results',
        'Data-quality results: one row per expectation evaluated in a run.',
        existing_comment='Data-quality results: one row per check of the in-run SQL gate or per Great Expectations expectation of `etnc-db check`.',
        schema='etl'
    )
    op.alter_column('dq_results', 'observed_value',
               existing_type=postgresql.JSONB(astext_type=sa.Text()),
               comment='What GX observed.',
               existing_comment='What was observed.',
               existing_nullable=True,
               schema='etl')
    op.alter_column('dq_results', 'success',
               existing_type=sa.BOOLEAN(),
               comment='Whether the expectation held.',
               existing_comment='Whether the check held.',
               existing_nullable=False,
               schema='etl')
    op.alter_column('dq_results', 'expectation',
               existing_type=sa.TEXT(),
               comment='Expectation type.',
               existing_comment='Expectation type or gate check name.',
               existing_nullable=False,
               schema='etl')
    op.alter_column('dq_results', 'suite',
               existing_type=sa.TEXT(),
               comment='Expectation suite (usually the table or view name).',
               existing_comment='Expectation suite or gate check group (usually the table or view name).',
               existing_nullable=False,
               schema='etl')
    op.alter_column('dq_results', 'phase',
               existing_type=sa.TEXT(),
               comment='pre_load (frames before writing), post_load (published tables) or check (on demand).',
               existing_comment="gate (SQL checks inside a load's transaction) or check (Great Expectations on published data).",
               existing_nullable=False,
               schema='etl')
    op.add_column('policy_measures', sa.Column('note', sa.TEXT(), autoincrement=False, nullable=True, comment="Curator's note."), schema='core')
    op.add_column('policy_measures', sa.Column('title', sa.TEXT(), autoincrement=False, nullable=False, comment='Short descriptive title.'), schema='core')
    op.add_column('policy_measures', sa.Column('fact_date', sa.DATE(), autoincrement=False, nullable=True, comment='Date announced, adopted or in force, at date_precision.'), schema='core')
    op.add_column('policy_measures', sa.Column('source_file', sa.TEXT(), autoincrement=False, nullable=False, comment='Curated file the record comes from.'), schema='core')
    op.add_column('policy_measures', sa.Column('date_precision', sa.TEXT(), autoincrement=False, nullable=False, comment='day, month, year or unknown.'), schema='core')
    op.create_table_comment(
        'policy_measures',
        'Laws, strategies, screening, export controls, vendor restrictions, bans, probes, exclusions and interventions.',
        existing_comment='Laws, strategies, screening, export controls, vendor restrictions, bans, probes, state aid, exclusions and interventions of any jurisdiction.',
        schema='core'
    )
    op.drop_constraint(op.f('fk_policy_measures_status_vocab_policy_status'), 'policy_measures', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_policy_measures_measure_type_vocab_measure_type'), 'policy_measures', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_policy_measures_stance_vocab_stance'), 'policy_measures', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_policy_measures_fact_id_facts'), 'policy_measures', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('uq_policy_measures_fact_id'), 'policy_measures', schema='core', type_='unique')
    op.drop_index(op.f('ix_policy_measures_status'), table_name='policy_measures', schema='core')
    op.drop_index(op.f('ix_policy_measures_stance'), table_name='policy_measures', schema='core')
    op.drop_index(op.f('ix_policy_measures_measure_type'), table_name='policy_measures', schema='core')
    op.alter_column('policy_measures', 'stance',
               existing_type=sa.TEXT(),
               comment='restrictive, promotional or neutral towards Chinese actors or cooperation.',
               existing_comment='Stance towards Chinese actors or cooperation (vocabulary stance).',
               existing_nullable=False,
               schema='core')
    op.alter_column('policy_measures', 'status',
               existing_type=sa.TEXT(),
               comment='Status: proposed, adopted, in_force, implemented, announced, under_review, suspended, withdrawn, repealed, unknown.',
               existing_comment='Status (vocabulary policy_status).',
               existing_nullable=False,
               schema='core')
    op.alter_column('policy_measures', 'measure_type',
               existing_type=sa.TEXT(),
               comment='Type: law, regulation, strategy, guideline, screening_mechanism, screening_decision, export_control, vendor_restriction, ban, subsidy_probe, trade_defence, funding_exclusion, government_intervention, security_review, funding_programme, institutional_body, other.',
               existing_comment='Type of measure (vocabulary measure_type).',
               existing_nullable=False,
               schema='core')
    op.alter_column('policy_measures', 'jurisdiction_id',
               existing_type=sa.INTEGER(),
               nullable=False,
               comment='Country or EU that adopted or proposed the measure.',
               existing_comment='Country or EU that adopted or proposed the measure; null for a multilateral measure.',
               schema='core')
    op.alter_column('policy_measures', 'policy_measure_key',
               existing_type=sa.TEXT(),
               comment='Business key: the curated record id.',
               existing_comment='Business key: the curated record id (= core.facts.fact_key).',
               existing_nullable=False,
               schema='core')
    op.drop_column('policy_measures', 'jurisdiction_level', schema='core')
    op.drop_column('policy_measures', 'fact_id', schema='core')
    op.create_table_comment(
        'policy_measure_targets',
        'What a policy measure targets: organizations, countries or sectors.',
        existing_comment='What a policy measure targets: organizations, countries, sectors, or unnamed targets the text describes.',
        schema='core'
    )
    op.alter_column('policy_measure_targets', 'country_id',
               existing_type=sa.INTEGER(),
               comment='Targeted country.',
               existing_comment='Targeted country; the nationality of an unnamed target.',
               existing_nullable=True,
               schema='core')
    op.alter_column('policy_measure_targets', 'policy_measure_target_key',
               existing_type=sa.TEXT(),
               comment='Business key: policy_measure_key|target kind:target key.',
               existing_comment='Business key: policy_measure_key|target kind:target key or description.',
               existing_nullable=False,
               schema='core')
    op.drop_column('policy_measure_targets', 'description', schema='core')
    op.drop_constraint(op.f('fk_organizations_kind_vocab_organization_kind'), 'organizations', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_organizations_ownership_vocab_ownership'), 'organizations', schema='core', type_='foreignkey')
    op.drop_index(op.f('ix_organizations_ownership'), table_name='organizations', schema='core')
    op.drop_index(op.f('ix_organizations_kind'), table_name='organizations', schema='core')
    op.alter_column('organizations', 'ownership',
               existing_type=sa.TEXT(),
               comment='Ownership: state_owned, private, public_body, mixed, unknown.',
               existing_comment='Ownership (vocabulary ownership).',
               existing_nullable=False,
               schema='core')
    op.alter_column('organizations', 'kind',
               existing_type=sa.TEXT(),
               comment='Kind of organization: company, university, research_institute, government_body, agency, international_organization, ngo, party, other.',
               existing_comment='Kind of organization (vocabulary organization_kind).',
               existing_nullable=False,
               schema='core')
    op.add_column('investments', sa.Column('note', sa.TEXT(), autoincrement=False, nullable=True, comment="Curator's note, e.g. why a value is missing."), schema='core')
    op.add_column('investments', sa.Column('title', sa.TEXT(), autoincrement=False, nullable=False, comment='Short descriptive title.'), schema='core')
    op.add_column('investments', sa.Column('fact_date', sa.DATE(), autoincrement=False, nullable=True, comment='Announcement date at date_precision.'), schema='core')
    op.add_column('investments', sa.Column('source_file', sa.TEXT(), autoincrement=False, nullable=False, comment='Curated file the record comes from.'), schema='core')
    op.add_column('investments', sa.Column('date_precision', sa.TEXT(), autoincrement=False, nullable=False, comment='day, month, year or unknown.'), schema='core')
    op.create_table_comment(
        'investments',
        'Investments: greenfield plants, acquisitions, stakes, R&D centres, funds, blocked or screened deals.',
        existing_comment='Investments: greenfield plants, acquisitions, stakes, R&D centres, funds, pledges, blocked or screened deals.',
        schema='core'
    )
    op.drop_constraint(op.f('fk_investments_investor_country_id_countries'), 'investments', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_investments_status_vocab_investment_status'), 'investments', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_investments_fact_id_facts'), 'investments', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_investments_investment_type_vocab_investment_type'), 'investments', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_investments_amount_qualifier_vocab_amount_qualifier'), 'investments', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('uq_investments_fact_id'), 'investments', schema='core', type_='unique')
    op.drop_index(op.f('ix_investments_status'), table_name='investments', schema='core')
    op.drop_index(op.f('ix_investments_investor_country_id'), table_name='investments', schema='core')
    op.drop_index(op.f('ix_investments_investment_type'), table_name='investments', schema='core')
    op.drop_index(op.f('ix_investments_amount_qualifier'), table_name='investments', schema='core')
    op.alter_column('investments', 'recommended_for_aggregates',
               existing_type=sa.BOOLEAN(),
               comment='Safe to sum: a concrete investment with an amount, not a pledge, cancelled deal, umbrella or double count.',
               existing_comment='Safe to sum: a concrete investment with an amount, not a pledge, a cancelled, blocked or withdrawn deal, an umbrella figure or a double count (its year in a series is the best date).',
               existing_nullable=False,
               schema='core')
    op.alter_column('investments', 'direction',
               existing_type=sa.TEXT(),
               comment='Derived from investor and host country: china_to_europe, europe_to_china, other.',
               existing_comment="Derived from the investor's (or stated investor) country and the host country: china_to_europe, europe_to_china, other.",
               existing_nullable=False,
               schema='core')
    op.alter_column('investments', 'amount_eur',
               existing_type=sa.NUMERIC(precision=20, scale=2),
               comment='Amount converted to EUR at the ECB reference rate of the announcement year.',
               existing_comment='Amount converted to EUR at the ECB reference rate of the announcement year (derived).',
               existing_nullable=True,
               schema='core')
    op.alter_column('investments', 'amount_qualifier',
               existing_type=sa.TEXT(),
               comment='exact, approx, at_least, up_to or range.',
               existing_comment='How exact the amount is (vocabulary amount_qualifier).',
               existing_nullable=True,
               schema='core')
    op.alter_column('investments', 'status',
               existing_type=sa.TEXT(),
               comment='Status: announced, planned, under_construction, operational, completed, under_review, blocked, withdrawn, cancelled, suspended, pledged, unknown.',
               existing_comment='Status (vocabulary investment_status).',
               existing_nullable=False,
               schema='core')
    op.alter_column('investments', 'investment_type',
               existing_type=sa.TEXT(),
               comment='Type: greenfield, acquisition, stake, merger, joint_venture, rnd_centre, expansion, fund, other.',
               existing_comment='Type of investment (vocabulary investment_type).',
               existing_nullable=False,
               schema='core')
    op.alter_column('investments', 'target_name',
               existing_type=sa.TEXT(),
               comment='Target when it is not a registered organization (a plant, a project).',
               existing_comment='Target when it is not a registered organization (a plant, a project, an unnamed company).',
               existing_nullable=True,
               schema='core')
    op.alter_column('investments', 'investor_id',
               existing_type=sa.INTEGER(),
               nullable=False,
               comment='Investing organization.',
               existing_comment='Investing organization; null when the text does not name it (then investor_description).',
               schema='core')
    op.alter_column('investments', 'investment_key',
               existing_type=sa.TEXT(),
               comment='Business key: the curated record id (e.g. hu-catl-debrecen).',
               existing_comment='Business key: the curated record id (= core.facts.fact_key).',
               existing_nullable=False,
               schema='core')
    op.drop_column('investments', 'investor_country_id', schema='core')
    op.drop_column('investments', 'investor_description', schema='core')
    op.drop_column('investments', 'fact_id', schema='core')
    op.create_table_comment(
        'evidence_citations',
        'Endnotes cited inside or right after an evidence span.',
        existing_comment="Endnotes whose markers stand in an evidence span's sentences (up to the end of the sentence the span ends in).",
        schema='core'
    )
    op.add_column('evidence', sa.Column('agreement_id', sa.INTEGER(), autoincrement=False, nullable=True, comment='Agreement the span states.'), schema='core')
    op.add_column('evidence', sa.Column('policy_measure_id', sa.INTEGER(), autoincrement=False, nullable=True, comment='Policy measure the span states.'), schema='core')
    op.add_column('evidence', sa.Column('investment_id', sa.INTEGER(), autoincrement=False, nullable=True, comment='Investment the span states.'), schema='core')
    op.add_column('evidence', sa.Column('fact_type', sa.TEXT(), autoincrement=False, nullable=False, comment='agreement, investment or policy_measure.'), schema='core')
    op.drop_constraint(op.f('fk_evidence_fact_id_facts'), 'evidence', schema='core', type_='foreignkey')
    op.create_foreign_key(op.f('fk_evidence_policy_measure_id_policy_measures'), 'evidence', 'policy_measures', ['policy_measure_id'], ['policy_measure_id'], source_schema='core', referent_schema='core', ondelete='CASCADE')
    op.create_foreign_key(op.f('fk_evidence_agreement_id_agreements'), 'evidence', 'agreements', ['agreement_id'], ['agreement_id'], source_schema='core', referent_schema='core', ondelete='CASCADE')
    op.create_foreign_key(op.f('fk_evidence_investment_id_investments'), 'evidence', 'investments', ['investment_id'], ['investment_id'], source_schema='core', referent_schema='core', ondelete='CASCADE')
    op.drop_index(op.f('ix_evidence_fact_id'), table_name='evidence', schema='core')
    op.create_index(op.f('ix_evidence_policy_measure_id'), 'evidence', ['policy_measure_id'], unique=False, schema='core')
    op.create_index(op.f('ix_evidence_investment_id'), 'evidence', ['investment_id'], unique=False, schema='core')
    op.create_index(op.f('ix_evidence_agreement_id'), 'evidence', ['agreement_id'], unique=False, schema='core')
    op.drop_column('evidence', 'fact_id', schema='core')
    op.alter_column('documents', 'publisher',
               existing_type=sa.TEXT(),
               comment='Publisher.',
               existing_comment='Publisher (from the manifest, else from the text).',
               existing_nullable=True,
               schema='core')
    op.alter_column('documents', 'document_key',
               existing_type=sa.TEXT(),
               comment='Business key: document slug from data/corpus/sources.yaml (or derived from the file name).',
               existing_comment='Business key: document slug from the corpus manifest (or derived from the file name).',
               existing_nullable=False,
               schema='core')
    op.drop_column('countries', 'is_european', schema='core')
    op.drop_column('countries', 'is_china', schema='core')
    op.alter_column('companies', 'is_chinese',
               existing_type=sa.BOOLEAN(),
               comment='True when headquartered in China (CN, HK or MO).',
               existing_comment='True when headquartered in China (a country with is_china: CN, HK or MO).',
               existing_nullable=False,
               schema='core')
    op.create_table_comment(
        'citations',
        'Endnotes of the report chapters: number, text, URL, title, outlet and date.',
        existing_comment='Endnotes of the report chapters: number, text, URL, title, outlet and date (an ibid. note carries the values of the note it repeats).',
        schema='core'
    )
    op.alter_column('citations', 'title',
               existing_type=sa.TEXT(),
               comment='Title of the cited work, where it can be parsed.',
               existing_comment='Title of the cited work, where it can be parsed (of the repeated note for an ibid.).',
               existing_nullable=True,
               schema='core')
    op.alter_column('citations', 'urls',
               existing_type=postgresql.ARRAY(sa.TEXT()),
               comment='Every URL in the endnote.',
               existing_comment='Every URL in the endnote, as written.',
               existing_nullable=False,
               schema='core')
    op.alter_column('citations', 'url',
               existing_type=sa.TEXT(),
               comment='First URL in the endnote.',
               existing_comment='First URL of the endnote (of the repeated note for an ibid.), normalized: scheme added, fragment and trailing slash removed.',
               existing_nullable=True,
               schema='core')
    op.alter_column('citations', 'variant',
               existing_type=sa.SMALLINT(),
               comment='0; 1 for a second endnote the source gives the same number (listed in extract/errata.yaml).',
               existing_comment='0; 1 for a second endnote the source gives the same number (listed in etl/reference/errata.yaml).',
               existing_nullable=False,
               schema='core')
    op.drop_column('citations', 'url_as_written', schema='core')
    op.add_column('agreements', sa.Column('note', sa.TEXT(), autoincrement=False, nullable=True, comment="Curator's note, e.g. why a value is missing."), schema='core')
    op.add_column('agreements', sa.Column('title', sa.TEXT(), autoincrement=False, nullable=False, comment='Short descriptive title.'), schema='core')
    op.add_column('agreements', sa.Column('fact_date', sa.DATE(), autoincrement=False, nullable=True, comment='Date signed or announced, at date_precision (first day of month/year when coarser).'), schema='core')
    op.add_column('agreements', sa.Column('source_file', sa.TEXT(), autoincrement=False, nullable=False, comment='Curated file the record comes from.'), schema='core')
    op.add_column('agreements', sa.Column('date_precision', sa.TEXT(), autoincrement=False, nullable=False, comment='day, month, year or unknown.'), schema='core')
    op.drop_constraint(op.f('fk_agreements_fact_id_facts'), 'agreements', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_agreements_status_vocab_agreement_status'), 'agreements', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('fk_agreements_agreement_type_vocab_agreement_type'), 'agreements', schema='core', type_='foreignkey')
    op.drop_constraint(op.f('uq_agreements_fact_id'), 'agreements', schema='core', type_='unique')
    op.drop_index(op.f('ix_agreements_status'), table_name='agreements', schema='core')
    op.drop_index(op.f('ix_agreements_agreement_type'), table_name='agreements', schema='core')
    op.alter_column('agreements', 'status',
               existing_type=sa.TEXT(),
               comment='Status: announced, signed, in_force, implemented, suspended, terminated, expired, cancelled, unknown.',
               existing_comment='Status (vocabulary agreement_status).',
               existing_nullable=False,
               schema='core')
    op.alter_column('agreements', 'agreement_type',
               existing_type=sa.TEXT(),
               comment='Type: mou, st_agreement, strategic_partnership, joint_declaration, joint_venture, research_collaboration, joint_laboratory, supply_deal, development_deal, licensing, framework_agreement, other.',
               existing_comment='Type of agreement (vocabulary agreement_type).',
               existing_nullable=False,
               schema='core')
    op.alter_column('agreements', 'agreement_key',
               existing_type=sa.TEXT(),
               comment='Business key: the curated record id (e.g. hu-cn-st-cooperation-2002).',
               existing_comment='Business key: the curated record id (= core.facts.fact_key).',
               existing_nullable=False,
               schema='core')
    op.drop_column('agreements', 'fact_id', schema='core')
    op.create_table_comment(
        'agreement_parties',
        'Parties to an agreement (an organization or a government) with their role.',
        existing_comment='Parties to an agreement — an organization, a government, or an unnamed party the text describes — with their role.',
        schema='core'
    )
    op.drop_constraint(op.f('fk_agreement_parties_role_vocab_party_role'), 'agreement_parties', schema='core', type_='foreignkey')
    op.drop_index(op.f('ix_agreement_parties_role'), table_name='agreement_parties', schema='core')
    op.alter_column('agreement_parties', 'role',
               existing_type=sa.TEXT(),
               comment='Role: signatory, partner, investor, supplier, customer, host, funder, implementer, coordinator.',
               existing_comment='Role of the party (vocabulary party_role).',
               existing_nullable=False,
               schema='core')
    op.alter_column('agreement_parties', 'country_id',
               existing_type=sa.INTEGER(),
               comment='Party when it is a government (or the EU).',
               existing_comment='The government (or the EU) for a government party; the nationality of an unnamed party.',
               existing_nullable=True,
               schema='core')
    op.alter_column('agreement_parties', 'agreement_party_key',
               existing_type=sa.TEXT(),
               comment='Business key: agreement_key|party kind:party key.',
               existing_comment='Business key: agreement_key|party kind:party key or description|role.',
               existing_nullable=False,
               schema='core')
    op.drop_column('agreement_parties', 'description', schema='core')
    op.drop_column('agreement_parties', 'party_kind', schema='core')
    op.create_table('agreement_sectors',
    sa.Column('agreement_sector_id', sa.INTEGER(), sa.Identity(always=False, start=1, increment=1, minvalue=1, maxvalue=2147483647, cycle=False, cache=1), autoincrement=True, nullable=False, comment='Surrogate key used for joins; not stable across rebuilds.'),
    sa.Column('agreement_sector_key', sa.TEXT(), autoincrement=False, nullable=False, comment='Business key: agreement_key|sector_key.'),
    sa.Column('agreement_id', sa.INTEGER(), autoincrement=False, nullable=False, comment='The agreement.'),
    sa.Column('sector_id', sa.INTEGER(), autoincrement=False, nullable=False, comment='The sector.'),
    sa.ForeignKeyConstraint(['agreement_id'], ['core.agreements.agreement_id'], name=op.f('fk_agreement_sectors_agreement_id_agreements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sector_id'], ['core.sectors.sector_id'], name=op.f('fk_agreement_sectors_sector_id_sectors'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('agreement_sector_id', name=op.f('pk_agreement_sectors')),
    sa.UniqueConstraint('agreement_id', 'sector_id', name=op.f('uq_agreement_sectors_agreement_id_sector_id'), postgresql_include=[], postgresql_nulls_not_distinct=False),
    sa.UniqueConstraint('agreement_sector_key', name=op.f('uq_agreement_sectors_agreement_sector_key'), postgresql_include=[], postgresql_nulls_not_distinct=False),
    schema='core',
    comment='Sectors an agreement covers.'
    )
    op.create_index(op.f('ix_agreement_sectors_sector_id'), 'agreement_sectors', ['sector_id'], unique=False, schema='core')
    op.create_index(op.f('ix_agreement_sectors_agreement_id'), 'agreement_sectors', ['agreement_id'], unique=False, schema='core')
    op.create_table('policy_measure_sectors',
    sa.Column('policy_measure_sector_id', sa.INTEGER(), sa.Identity(always=False, start=1, increment=1, minvalue=1, maxvalue=2147483647, cycle=False, cache=1), autoincrement=True, nullable=False, comment='Surrogate key used for joins; not stable across rebuilds.'),
    sa.Column('policy_measure_sector_key', sa.TEXT(), autoincrement=False, nullable=False, comment='Business key: policy_measure_key|sector_key.'),
    sa.Column('policy_measure_id', sa.INTEGER(), autoincrement=False, nullable=False, comment='The measure.'),
    sa.Column('sector_id', sa.INTEGER(), autoincrement=False, nullable=False, comment='The sector.'),
    sa.ForeignKeyConstraint(['policy_measure_id'], ['core.policy_measures.policy_measure_id'], name=op.f('fk_policy_measure_sectors_policy_measure_id_policy_measures'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sector_id'], ['core.sectors.sector_id'], name=op.f('fk_policy_measure_sectors_sector_id_sectors'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('policy_measure_sector_id', name=op.f('pk_policy_measure_sectors')),
    sa.UniqueConstraint('policy_measure_id', 'sector_id', name=op.f('uq_policy_measure_sectors_policy_measure_id_sector_id'), postgresql_include=[], postgresql_nulls_not_distinct=False),
    sa.UniqueConstraint('policy_measure_sector_key', name=op.f('uq_policy_measure_sectors_policy_measure_sector_key'), postgresql_include=[], postgresql_nulls_not_distinct=False),
    schema='core',
    comment='Sectors a policy measure concerns.'
    )
    op.create_index(op.f('ix_policy_measure_sectors_sector_id'), 'policy_measure_sectors', ['sector_id'], unique=False, schema='core')
    op.create_index(op.f('ix_policy_measure_sectors_policy_measure_id'), 'policy_measure_sectors', ['policy_measure_id'], unique=False, schema='core')
    op.create_table('investment_sectors',
    sa.Column('investment_sector_id', sa.INTEGER(), sa.Identity(always=False, start=1, increment=1, minvalue=1, maxvalue=2147483647, cycle=False, cache=1), autoincrement=True, nullable=False, comment='Surrogate key used for joins; not stable across rebuilds.'),
    sa.Column('investment_sector_key', sa.TEXT(), autoincrement=False, nullable=False, comment='Business key: investment_key|sector_key.'),
    sa.Column('investment_id', sa.INTEGER(), autoincrement=False, nullable=False, comment='The investment.'),
    sa.Column('sector_id', sa.INTEGER(), autoincrement=False, nullable=False, comment='The sector.'),
    sa.ForeignKeyConstraint(['investment_id'], ['core.investments.investment_id'], name=op.f('fk_investment_sectors_investment_id_investments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sector_id'], ['core.sectors.sector_id'], name=op.f('fk_investment_sectors_sector_id_sectors'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('investment_sector_id', name=op.f('pk_investment_sectors')),
    sa.UniqueConstraint('investment_id', 'sector_id', name=op.f('uq_investment_sectors_investment_id_sector_id'), postgresql_include=[], postgresql_nulls_not_distinct=False),
    sa.UniqueConstraint('investment_sector_key', name=op.f('uq_investment_sectors_investment_sector_key'), postgresql_include=[], postgresql_nulls_not_distinct=False),
    schema='core',
    comment='Sectors of an investment.'
    )
    op.create_index(op.f('ix_investment_sectors_sector_id'), 'investment_sectors', ['sector_id'], unique=False, schema='core')
    op.create_index(op.f('ix_investment_sectors_investment_id'), 'investment_sectors', ['investment_id'], unique=False, schema='core')
    op.drop_index(op.f('ix_fact_sectors_sector_id'), table_name='fact_sectors', schema='core')
    op.drop_index(op.f('ix_fact_sectors_fact_id'), table_name='fact_sectors', schema='core')
    op.drop_table('fact_sectors', schema='core')
    op.drop_index(op.f('ix_fact_relations_relation'), table_name='fact_relations', schema='core')
    op.drop_index(op.f('ix_fact_relations_related_fact_id'), table_name='fact_relations', schema='core')
    op.drop_index(op.f('ix_fact_relations_fact_id'), table_name='fact_relations', schema='core')
    op.drop_table('fact_relations', schema='core')
    op.drop_table('view_state', schema='etl')
    op.drop_table('run_lock', schema='etl')
    op.drop_table('vocab_stance', schema='core')
    op.drop_table('vocab_relation', schema='core')
    op.drop_table('vocab_policy_status', schema='core')
    op.drop_table('vocab_party_role', schema='core')
    op.drop_table('vocab_ownership', schema='core')
    op.drop_table('vocab_organization_kind', schema='core')
    op.drop_table('vocab_measure_type', schema='core')
    op.drop_table('vocab_investment_type', schema='core')
    op.drop_table('vocab_investment_status', schema='core')
    op.drop_table('vocab_amount_qualifier', schema='core')
    op.drop_table('vocab_agreement_type', schema='core')
    op.drop_table('vocab_agreement_status', schema='core')
    op.drop_table('facts', schema='core')
    # ### end Alembic commands ###
    _after_downgrade()
