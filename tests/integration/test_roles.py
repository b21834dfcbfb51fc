"""`etnc-db db create-reader NAME`: the role reads every mart view and nothing else."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors, sql


def as_role(url: str, role: str):
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
    return conn


def test_reader_selects_every_mart_view(built_db, reader):
    with psycopg.connect(built_db) as conn:
        assert conn.execute("SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = %s", (reader,)).fetchone() == (True, False)
        views = [r[0] for r in conn.execute(
            "SELECT viewname FROM pg_views WHERE schemaname = 'mart' "
            "UNION SELECT matviewname FROM pg_matviews WHERE schemaname = 'mart' ORDER BY 1")]
    assert len(views) >= 13
    with as_role(built_db, reader) as conn:
        for view in views:
            conn.execute(sql.SQL("SELECT * FROM mart.{} LIMIT 1").format(sql.Identifier(view))).fetchall()
        assert conn.execute("SELECT count(*) FROM mart.fct_investment").fetchone()[0] > 0


@pytest.mark.parametrize("statement", [
    "SELECT * FROM core.investments LIMIT 1",
    "SELECT * FROM core.documents LIMIT 1",
    "SELECT * FROM etl.runs LIMIT 1",
    "SELECT * FROM etl.dq_results LIMIT 1",
    "INSERT INTO mart.dim_country (country_code, alpha3, country_name, is_eu_member, is_supranational) "
    "VALUES ('ZZ', 'ZZZ', 'x', false, false)",
    "UPDATE mart.dim_country SET country_name = 'x'",
    "DELETE FROM mart.dim_country",
    "CREATE TABLE mart.x (i int)",
    "CREATE VIEW mart.y AS SELECT 1",
    "CREATE TABLE public.x (i int)",
    "CREATE SCHEMA z",
])
def test_reader_cannot_read_core_or_etl_or_write_anything(built_db, reader, statement):
    with as_role(built_db, reader) as conn:
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(statement)


def test_reader_keeps_access_after_views_are_rebuilt(built_db, reader):
    from etnc_db.config import Settings
    from etnc_db.db.views import apply_views

    with psycopg.connect(built_db) as conn:
        assert apply_views(conn, Settings.from_env().views_dir, force=True)
    with as_role(built_db, reader) as conn:
        assert conn.execute("SELECT count(*) FROM mart.dim_country").fetchone()[0] >= 249
