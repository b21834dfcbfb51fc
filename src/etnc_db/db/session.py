"""Bringing a database to the current schema: Alembic migrations (tables, constraints,
functions) and then the repeatable mart views (`etnc_db.db.views`).

`ensure_schema` is what `run`, `load` and `db upgrade` call. Its fast path is one query
(the applied revision and the applied views' checksum against the files); only when
something is out of date does it import Alembic, and then it works under a lock so that
several `etnc-db run` on a new database migrate once."""

from __future__ import annotations

import re
import time
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from etnc_db.config import PACKAGE_ROOT, to_sqlalchemy_url

if TYPE_CHECKING:
    from sqlalchemy import Engine

SCHEMAS = ("core", "etl", "review", "mart", "mart_cache")
ALEMBIC_DIR = PACKAGE_ROOT / "alembic"
# Serializes schema changes (never held by loads, which lock etl.run_lock).
MIGRATION_LOCK_ID = 0x45544E44


class SchemaLockTimeout(Exception):
    """Another process is migrating this database."""


def make_engine(url: str) -> Engine:
    """An engine on the psycopg 3 driver; one connection is enough for the CLI."""
    from sqlalchemy import create_engine

    return create_engine(to_sqlalchemy_url(url), pool_pre_ping=True, future=True)


def alembic_config(url: str):
    """Alembic configuration bound to `url`, independent of the working directory."""
    from alembic.config import Config

    cfg = Config(str(PACKAGE_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ALEMBIC_DIR))
    cfg.attributes["database_url"] = url
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration, read from the revision files without importing Alembic."""
    revisions, parents = set(), set()
    for path in (ALEMBIC_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev = re.search(r'^revision(?:: str)? = ["\']([^"\']+)["\']', text, re.M)
        down = re.search(r'^down_revision(?:: [^=]+)? = ["\']([^"\']+)["\']', text, re.M)
        if rev:
            revisions.add(rev.group(1))
        if down:
            parents.add(down.group(1))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"expected one head migration, found {sorted(heads)}")
    return heads.pop()


def schema_state(conn) -> tuple[str | None, str | None]:
    """(applied revision, applied views checksum); None for what is absent."""
    has_version, has_views = conn.execute(
        "SELECT to_regclass('etl.alembic_version') IS NOT NULL, to_regclass('etl.view_state') IS NOT NULL"
    ).fetchone()
    revision = views = None
    if has_version:
        row = conn.execute("SELECT version_num FROM etl.alembic_version").fetchone()
        revision = row[0] if row else None
    if has_views:
        row = conn.execute("SELECT checksum FROM etl.view_state WHERE view_set = 'mart'").fetchone()
        views = row[0] if row else None
    return revision, views


def current_revision(url: str) -> str | None:
    """The applied migration (None when the schema is absent)."""
    import psycopg

    with psycopg.connect(url) as conn:
        return schema_state(conn)[0]


def ensure_schema(url: str, views_dir: Path, wait_seconds: float = 0.0) -> bool:
    """Migrate to head and apply the views when either is out of date. True when
    anything changed."""
    import psycopg

    from etnc_db.db.views import views_checksum

    wanted = (head_revision(), views_checksum(views_dir))
    with psycopg.connect(url, autocommit=True) as conn:
        if schema_state(conn) == wanted:
            return False
        _lock(conn, wait_seconds)
        try:
            revision, views = schema_state(conn)  # another process may have done it meanwhile
            if (revision, views) == wanted:
                return False
            if revision != wanted[0]:
                _migrate(url, conn, "head")
            _apply_views(conn, views_dir)
            return True
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_ID,))


def _lock(conn, wait_seconds: float) -> None:
    deadline = time.monotonic() + max(wait_seconds, 30.0)
    while not conn.execute("SELECT pg_try_advisory_lock(%s)", (MIGRATION_LOCK_ID,)).fetchone()[0]:
        if time.monotonic() >= deadline:
            raise SchemaLockTimeout("another etnc-db process is migrating this database; try again shortly")
        time.sleep(0.2)


def _migrate(url: str, conn, revision: str) -> None:
    """Drop the views (tables they read may change), then run Alembic."""
    from alembic import command

    from etnc_db.db.views import drop_views

    with conn.transaction():
        drop_views(conn)
    command.upgrade(alembic_config(url), revision)


def _apply_views(conn, views_dir: Path) -> None:
    from etnc_db.db.views import apply_views

    with conn.transaction():
        apply_views(conn, views_dir)


def upgrade(url: str, views_dir: Path, revision: str = "head") -> None:
    """`db upgrade`: migrate to `revision`; views are applied when it is the head."""
    if revision == "head":
        ensure_schema(url, views_dir)
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        _lock(conn, 0)
        try:
            _migrate(url, conn, revision)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_ID,))


def downgrade(url: str, revision: str) -> None:
    """`db downgrade`: drop the views first (they read the tables being changed); the
    next upgrade to head applies them again."""
    import psycopg
    from alembic import command

    from etnc_db.db.views import drop_views

    with psycopg.connect(url, autocommit=True) as conn:
        _lock(conn, 0)
        try:
            with conn.transaction():
                drop_views(conn)
            command.downgrade(alembic_config(url), revision)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_ID,))
