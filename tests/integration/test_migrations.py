"""Migrations: one head, upgrade/downgrade, models agree with the DDL, and a round trip
on a populated database."""

from __future__ import annotations

import psycopg
from pytest_alembic.tests import (  # noqa: F401 - collected as tests
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from etnc_db.config import Settings
from etnc_db.db.models import metadata
from etnc_db.db.session import downgrade, upgrade


def _relations(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {
            f"{s}.{n}"
            for s, n in conn.execute(
                "SELECT relnamespace::regnamespace::text, relname FROM pg_class "
                "WHERE relnamespace::regnamespace::text IN ('core', 'etl', 'review', 'mart') AND relkind IN ('r', 'v', 'm')"
            )
        }


def test_downgrade_to_base_and_upgrade_again_on_a_populated_database(built_db):
    assert set(metadata.tables) <= _relations(built_db)
    downgrade(built_db, "base")
    assert _relations(built_db) <= {"etl.alembic_version"}
    upgrade(built_db, Settings.from_env().views_dir)
    rels = _relations(built_db)
    assert set(metadata.tables) <= rels
    assert {"mart.fct_investment", "mart.dim_document", "mart.fct_evidence"} <= rels


def test_every_table_and_column_has_a_comment(migrated_db):
    with psycopg.connect(migrated_db) as conn:
        missing_tables = conn.execute(
            "SELECT c.relnamespace::regnamespace || '.' || c.relname FROM pg_class c "
            "WHERE c.relnamespace::regnamespace::text IN ('core', 'etl', 'review', 'mart') AND c.relkind IN ('r', 'v', 'm') "
            "AND c.relname <> 'alembic_version' AND obj_description(c.oid, 'pg_class') IS NULL"
        ).fetchall()
        missing_columns = conn.execute(
            "SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid "
            "WHERE c.relnamespace::regnamespace::text IN ('core', 'etl', 'review', 'mart') AND c.relkind IN ('r', 'v', 'm') "
            "AND c.relname <> 'alembic_version' AND a.attnum > 0 AND NOT a.attisdropped "
            "AND col_description(c.oid, a.attnum) IS NULL"
        ).fetchall()
    assert missing_tables == []
    assert missing_columns == []


def test_every_foreign_key_is_indexed(migrated_db):
    with psycopg.connect(migrated_db) as conn:
        unindexed = conn.execute(
            """
            SELECT con.conrelid::regclass::text || '(' || a.attname || ')'
            FROM pg_constraint con
            JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
            WHERE con.contype = 'f' AND con.connamespace::regnamespace::text IN ('core', 'etl', 'review')
              AND NOT EXISTS (
                SELECT 1 FROM pg_index i WHERE i.indrelid = con.conrelid AND i.indkey[0] = con.conkey[1])
            """
        ).fetchall()
    assert unindexed == []
