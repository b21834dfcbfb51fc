"""the rule that no fact exists without evidence (and, originally, the mart views)

A deferred constraint trigger on each fact table and on core.evidence rejects, at
commit, any agreement, investment or policy measure left without an evidence row.
This migration first also created the mart views; views are no longer migrated (they
are applied from sql/views/*.sql after every upgrade, see etnc_db.db.views), so that
part is gone and the views of any version are dropped before migrations run.

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FACT_TABLES = (("agreements", "agreement_id"), ("investments", "investment_id"),
               ("policy_measures", "policy_measure_id"))


def upgrade() -> None:
    op.execute("""
    CREATE FUNCTION core.require_evidence() RETURNS trigger LANGUAGE plpgsql AS $fn$
    DECLARE
        id_col text := TG_ARGV[0];
        fact_id int;
        still_there boolean;
        has_evidence boolean;
    BEGIN
        IF TG_TABLE_NAME = 'evidence' THEN
            fact_id := (to_jsonb(OLD) ->> id_col)::int;
            IF fact_id IS NULL THEN RETURN NULL; END IF;
        ELSE
            fact_id := (to_jsonb(NEW) ->> id_col)::int;
        END IF;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM core.%I WHERE %I = $1)', TG_ARGV[1], id_col)
            INTO still_there USING fact_id;
        IF NOT still_there THEN RETURN NULL; END IF;
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM core.evidence WHERE %I = $1)', id_col)
            INTO has_evidence USING fact_id;
        IF NOT has_evidence THEN
            RAISE EXCEPTION 'core.% row % has no evidence: every fact needs at least one evidence span', TG_ARGV[1], fact_id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $fn$;
    COMMENT ON FUNCTION core.require_evidence() IS 'Deferred check: a fact row cannot exist at commit without an evidence row.';
    """)
    for table, id_col in FACT_TABLES:
        op.execute(f"""
        CREATE CONSTRAINT TRIGGER {table}_require_evidence AFTER INSERT OR UPDATE ON core.{table}
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION core.require_evidence('{id_col}', '{table}');
        CREATE CONSTRAINT TRIGGER evidence_keeps_{table} AFTER DELETE OR UPDATE ON core.evidence
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION core.require_evidence('{id_col}', '{table}');
        """)


def downgrade() -> None:
    for table, _ in FACT_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_require_evidence ON core.{table}")
        op.execute(f"DROP TRIGGER IF EXISTS evidence_keeps_{table} ON core.evidence")
    op.execute("DROP FUNCTION IF EXISTS core.require_evidence()")
