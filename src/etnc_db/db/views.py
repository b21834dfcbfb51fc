"""Mart views (the BI contract) live as SQL files in sql/views/, applied in name order.

Migrations call `create_views` whenever a view changes: it drops every mart view and
materialized view and creates them all again from the files, so the files are always the
definition and a migration never carries a second copy of the SQL.

The fact views with aggregated arrays (fct_investment, fct_agreement, fct_agreement_party,
fct_policy_measure, fct_evidence) are materialized, with a unique index on their key, and
`refresh_materialized` brings them up to date inside a load's transaction (CONCURRENTLY:
readers are never blocked, and a rolled-back load leaves them as they were)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from etnc_db.db.session import views_dir

MATVIEWS_SQL = "SELECT matviewname FROM pg_matviews WHERE schemaname = 'mart' ORDER BY 1"


def view_files(directory: Path | None = None) -> list[Path]:
    return sorted((directory or views_dir()).glob("*.sql"))


def drop_views(conn) -> None:
    for name in conn.execute(text(MATVIEWS_SQL)).scalars().all():
        conn.execute(text(f'DROP MATERIALIZED VIEW IF EXISTS mart."{name}" CASCADE'))
    names = conn.execute(text("SELECT viewname FROM pg_views WHERE schemaname = 'mart'")).scalars().all()
    for name in names:
        conn.execute(text(f'DROP VIEW IF EXISTS mart."{name}" CASCADE'))


def create_views(conn, directory: Path | None = None) -> None:
    drop_views(conn)
    for path in view_files(directory):
        conn.exec_driver_sql(path.read_text(encoding="utf-8"))
    # keep read-only roles working after a rebuild of the views
    roles = conn.execute(text(
        "SELECT DISTINCT grantee FROM information_schema.usage_privileges "
        "WHERE object_schema = 'mart' AND object_type = 'SCHEMA'"
    )).scalars().all()
    for role in roles:
        conn.execute(text(f'GRANT SELECT ON ALL TABLES IN SCHEMA mart TO "{role}"'))


def refresh_materialized(conn) -> list[str]:
    """Refresh every mart materialized view on a psycopg connection (in its transaction)."""
    names = [r[0] for r in conn.execute(MATVIEWS_SQL).fetchall()]
    for name in names:
        conn.execute(f'REFRESH MATERIALIZED VIEW CONCURRENTLY mart."{name}"')
    return names
