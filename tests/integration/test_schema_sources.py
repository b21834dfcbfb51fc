"""The database states what the sources declare, and nothing else: the migrated schema
equals the schema the models create (columns, keys, foreign keys and CHECK constraints as
PostgreSQL itself spells them — beyond what `alembic check` compares), the vocabulary
tables equal etl/reference/vocabularies.yaml, and the applied views are the view files."""

from __future__ import annotations

import re

import psycopg

from etnc_db.config import Settings
from etnc_db.db.views import views_checksum
from etnc_db.reference.vocabularies import load_vocabularies

CONSTRAINTS = """
SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace::regnamespace::text IN ('core', 'etl')
  AND contype <> 't'  -- constraint triggers (the evidence rule) are functions the migrations add
  AND conrelid::regclass::text <> 'etl.alembic_version' ORDER BY 1, 2"""
COLUMNS = """
SELECT c.relnamespace::regnamespace::text || '.' || c.relname, a.attname, format_type(a.atttypid, a.atttypmod),
       a.attnotnull, pg_get_expr(d.adbin, d.adrelid)
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace::regnamespace::text IN ('core', 'etl') AND c.relkind = 'r' AND a.attnum > 0
  AND NOT a.attisdropped AND c.relname <> 'alembic_version' ORDER BY 1, 2"""


def _schema(url: str) -> tuple[set, set]:
    with psycopg.connect(url) as conn:
        return set(conn.execute(CONSTRAINTS).fetchall()), set(conn.execute(COLUMNS).fetchall())


def test_migrated_schema_equals_the_schema_the_models_create(databases, migrated_template):
    from sqlalchemy import text

    from etnc_db.db.models import metadata
    from etnc_db.db.session import SCHEMAS, make_engine

    fresh = databases.create()
    engine = make_engine(fresh)
    with engine.begin() as conn:
        for schema in SCHEMAS:
            conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
        metadata.create_all(conn)
    engine.dispose()
    migrated = databases.create(template=migrated_template)
    constraints_m, columns_m = _schema(migrated)
    constraints_f, columns_f = _schema(fresh)
    assert columns_m - columns_f == set() and columns_f - columns_m == set()
    assert constraints_m - constraints_f == set() and constraints_f - constraints_m == set()
    assert any(kind == "c" for _, _, kind, _ in constraints_m)  # CHECKs are compared too


def test_vocabulary_tables_equal_the_vocabulary_file(built_db_readonly, settings):
    vocabularies = load_vocabularies(settings.reference_dir)
    with psycopg.connect(built_db_readonly) as conn:
        for name, terms in vocabularies.items():
            rows = conn.execute(f"SELECT value, label, definition, ordinal FROM core.vocab_{name} ORDER BY ordinal").fetchall()
            assert rows == [(t.value, t.label, t.definition, t.ordinal) for t in terms.values()], name
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'core' AND tablename LIKE 'vocab\\_%'")}
    assert tables == {f"vocab_{name}" for name in vocabularies}


def test_applied_views_are_the_view_files(built_db_readonly):
    views_dir = Settings.from_env().views_dir
    declared = set()
    for path in sorted(views_dir.glob("*.sql")):
        for _, name in re.findall(r"CREATE (MATERIALIZED VIEW|VIEW) ([a-z_]+\.[a-z_]+)", path.read_text()):
            declared.add(name)
    with psycopg.connect(built_db_readonly) as conn:
        applied = conn.execute("SELECT checksum FROM etl.view_state WHERE view_set = 'mart'").fetchone()[0]
        present = {f"{s}.{n}" for s, n in conn.execute(
            "SELECT schemaname, viewname FROM pg_views WHERE schemaname IN ('mart', 'mart_cache') "
            "UNION SELECT schemaname, matviewname FROM pg_matviews WHERE schemaname IN ('mart', 'mart_cache')")}
    assert applied == views_checksum(views_dir)
    assert present == declared
