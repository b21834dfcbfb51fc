"""Engine construction and Alembic helpers."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine

from etnc_db.config import PROJECT_ROOT, to_sqlalchemy_url

SCHEMAS = ("core", "etl", "mart")


def make_engine(url: str) -> Engine:
    """An engine on the psycopg 3 driver; one connection is enough for the CLI."""
    return create_engine(to_sqlalchemy_url(url), pool_pre_ping=True, future=True)


def alembic_config(url: str):
    """Alembic configuration bound to `url`, independent of the working directory."""
    from alembic.config import Config

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    cfg.attributes["database_url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn, opts={"version_table_schema": "etl"}).get_current_revision()
    finally:
        engine.dispose()


def views_dir() -> Path:
    return PROJECT_ROOT / "sql" / "views"
