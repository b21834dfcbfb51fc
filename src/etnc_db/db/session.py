"""Engine construction and Alembic helpers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from etnc_db.config import PROJECT_ROOT, to_sqlalchemy_url

if TYPE_CHECKING:
    from sqlalchemy import Engine

SCHEMAS = ("core", "etl", "mart")


def make_engine(url: str) -> Engine:
    """An engine on the psycopg 3 driver; one connection is enough for the CLI."""
    from sqlalchemy import create_engine

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
    """The applied migration (None when the schema is absent); a plain query, so commands
    that only check it do not pay for importing Alembic and SQLAlchemy."""
    import psycopg

    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('etl.alembic_version')").fetchone()[0] is None:
            return None
        row = conn.execute("SELECT version_num FROM etl.alembic_version").fetchone()
        return row[0] if row else None


def views_dir() -> Path:
    return PROJECT_ROOT / "sql" / "views"
