"""Bringing a database to the current schema: Alembic migrations (tables, constraints,
functions) and then the repeatable mart views (`etnc_db.db.views`).

`ensure_schema` is what `run`, `load` and `db upgrade` call. Its fast path is one query
(the applied revision and the applied views' checksum against the files); only when
something is out of date does it import Alembic, and then it works in one transaction
under a lock a read-only login cannot take, so that several `etnc-db run` on a new
database migrate once and a reader cannot hold a migration up."""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from etnc_db.config import PACKAGE_ROOT, to_sqlalchemy_url

if TYPE_CHECKING:
    from sqlalchemy import Engine

SCHEMAS = ("core", "etl", "review", "mart", "mart_cache")
ALEMBIC_DIR = PACKAGE_ROOT / "alembic"
# Serializes the first migration of a database that has no etl.run_lock yet (see _schema_change).
MIGRATION_LOCK_ID = 0x45544E44


class SchemaLockTimeout(Exception):
    """Another process is migrating this database."""


class SchemaMissing(Exception):
    """The database has no etnc-db schema, and the caller was not to create it."""


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


def ensure_schema(url: str, views_dir: Path, wait_seconds: float = 0.0, *, create: bool = True) -> bool:
    """Migrate to head and apply the views when either is out of date. True when
    anything changed. With `create=False` a database without the schema is not migrated:
    SchemaMissing (read by the same query as the fast path)."""
    import psycopg

    from etnc_db.db.views import apply_views, views_checksum

    wanted = (head_revision(), views_checksum(views_dir))
    with psycopg.connect(url, autocommit=True) as conn:
        state = schema_state(conn)
        if state == wanted:
            return False
        if state[0] is None and not create:
            raise SchemaMissing(url)
    with _schema_change(url, wait_seconds) as (conn, raw):
        revision, views = schema_state(raw)  # another process may have done it meanwhile
        if (revision, views) == wanted:
            return False
        if revision != wanted[0]:
            _migrate(url, conn, "head")
        apply_views(raw, views_dir)
        return True


@contextmanager
def _schema_change(url: str, wait_seconds: float):
    """One transaction holding the migration lock: yields (SQLAlchemy connection, its
    psycopg connection); commits when the block ends normally, else rolls back.

    The lock is the run lock (EXCLUSIVE on etl.run_lock), which only roles that may write
    etl tables can take, so a read-only login cannot hold up a migration, and a migration
    never runs beside a load. Alembic runs on this same connection and transaction, so it
    cannot wait for its own lock, and a failed migration changes nothing. Only a database
    without etl.run_lock is migrated under a transaction-level advisory lock: a new one,
    where no etnc-db reader has been granted anything yet, or one older than migration
    0005, until that upgrade creates the table. `lock_timeout` bounds every wait, the DDL's included (a view cannot be dropped
    while an open transaction reads it)."""
    from psycopg import errors
    from sqlalchemy.exc import OperationalError

    wait = max(wait_seconds, 30.0)
    engine = make_engine(url)
    try:
        with engine.connect() as conn, conn.begin():
            raw = conn.connection.driver_connection
            raw.execute(f"SET LOCAL lock_timeout = {int(wait * 1000)}")
            _lock(raw, wait)
            try:
                yield conn, raw
            except OperationalError as exc:
                if isinstance(exc.orig, errors.LockNotAvailable):
                    raise SchemaLockTimeout(_LOCK_WAIT.format(wait=wait)) from None
                raise
            except errors.LockNotAvailable:
                raise SchemaLockTimeout(_LOCK_WAIT.format(wait=wait)) from None
    finally:
        engine.dispose()


_LOCK_WAIT = ("the schema change waited {wait:g}s for a lock another session holds (an open transaction "
              "reading the tables or views it changes?); try again when it has ended")


def _lock(raw, wait: float) -> None:
    """Take the migration lock in `raw`'s transaction (see `_schema_change`)."""
    from psycopg import errors

    if raw.execute("SELECT to_regclass('etl.run_lock') IS NULL").fetchone()[0]:
        deadline = time.monotonic() + wait
        while not raw.execute("SELECT pg_try_advisory_xact_lock(%s)", (MIGRATION_LOCK_ID,)).fetchone()[0]:
            if time.monotonic() >= deadline:
                raise SchemaLockTimeout(_BUSY)
            time.sleep(0.2)
        if raw.execute("SELECT to_regclass('etl.run_lock') IS NULL").fetchone()[0]:
            return  # still no etl.run_lock: every other process waits for the advisory lock
    try:
        with raw.transaction():
            raw.execute("LOCK TABLE etl.run_lock IN EXCLUSIVE MODE")
    except errors.LockNotAvailable:
        raise SchemaLockTimeout(_BUSY) from None


_BUSY = "another etnc-db run or migration is in progress on this database; try again shortly"


def _migrate(url: str, conn, revision: str) -> None:
    """Drop the views (tables they read may change), then run Alembic on `conn` (a
    SQLAlchemy connection in the migration lock's transaction)."""
    from alembic import command

    from etnc_db.db.views import drop_views

    drop_views(conn.connection.driver_connection)
    cfg = alembic_config(url)
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


def upgrade(url: str, views_dir: Path, revision: str = "head") -> None:
    """`db upgrade`: migrate to `revision`; views are applied when it is the head."""
    if revision == "head":
        ensure_schema(url, views_dir)
        return
    with _schema_change(url, 0) as (conn, _raw):
        _migrate(url, conn, revision)


def downgrade(url: str, revision: str) -> None:
    """`db downgrade`: drop the views first (they read the tables being changed); the
    next upgrade to head applies them again."""
    from alembic import command

    from etnc_db.db.views import drop_views

    with _schema_change(url, 0) as (conn, raw):
        drop_views(raw)
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
