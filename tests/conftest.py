"""Shared fixtures: a real PostgreSQL for every database test.

`TEST_DATABASE_URL` names a server to use (this machine: postgresql://postgres@127.0.0.1:5432/postgres);
when it is unset, a throwaway embedded PostgreSQL (etnc_db.db.server, as private as the
project's own) is started for the session. Each test
that writes gets its own database, cloned from a migrated template (fast), or from a
template on which the whole real corpus was built once."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"


def load_script(name: str):
    """Import scripts/<name>.py as a module (scripts are not a package)."""
    import importlib.util
    import sys

    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # dataclasses need their module registered
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def no_hang():
    """Fail instead of blocking forever (an alias bomb expanding, a FIFO waiting for a writer)."""
    import signal

    def stop(*_):
        raise TimeoutError("the test did not finish in 60 s")
    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def rules():
    """The shipped extraction rules (etl/extraction), read once."""
    from etnc_db.propose.rules import load_rules

    return load_rules(ROOT / "etl" / "extraction")


@pytest.fixture(scope="session")
def linker():
    """A linker over the shipped registry (etl/reference), built once."""
    from etnc_db.link.linker import Linker
    from etnc_db.reference.registry import load_registry

    return Linker(load_registry(ROOT / "etl" / "reference"))


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@pytest.fixture(scope="session")
def pg_admin_url():
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    from etnc_db.db.server import EmbeddedServer

    # the state directory itself: etnc-db makes it passable for the server user only
    state = Path(tempfile.mkdtemp(prefix="etnc-test-pg-", dir="/tmp"))
    server = EmbeddedServer(state)
    try:
        server.start()
        yield server.url("postgres")
    finally:
        server.stop()
        shutil.rmtree(state, ignore_errors=True)


class Databases:
    """Creates and drops test databases on the admin server."""

    def __init__(self, admin_url: str):
        self.admin_url = admin_url
        self.created: list[str] = []

    def create(self, template: str | None = None, name: str | None = None) -> str:
        name = name or f"etnc_test_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if template:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            else:
                conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return with_database(self.admin_url, name)

    def drop_all(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


@pytest.fixture(scope="session")
def databases(pg_admin_url):
    dbs = Databases(pg_admin_url)
    yield dbs
    if os.environ.get("TEST_DATABASE_URL"):
        dbs.drop_all()  # a shared server keeps nothing of ours; a throwaway one is deleted whole


def _close_connections(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )


@pytest.fixture(scope="session")
def migrated_template(databases):
    """A database at the head migration, used as a template."""
    from etnc_db.config import Settings
    from etnc_db.db.session import ensure_schema

    name = f"etnc_tpl_migrated_{uuid.uuid4().hex[:6]}"
    url = databases.create(name=name)
    ensure_schema(url, Settings.from_env().views_dir)
    _close_connections(databases.admin_url, name)
    return name


@pytest.fixture(scope="session")
def built_template(databases, migrated_template):
    """A database with the real corpus fully loaded, used as a template."""
    from etnc_db.config import Settings
    from etnc_db.pipeline import RunOptions, run

    name = f"etnc_tpl_built_{uuid.uuid4().hex[:6]}"
    url = databases.create(template=migrated_template, name=name)
    run(url, Settings.from_env(), RunOptions(command="test-build"))
    _close_connections(databases.admin_url, name)
    return name


@pytest.fixture
def empty_db(databases):
    """A new database with no schema."""
    return databases.create()


@pytest.fixture
def migrated_db(databases, migrated_template):
    """A new database at the head migration, no data."""
    return databases.create(template=migrated_template)


@pytest.fixture
def built_db(databases, built_template):
    """A new database holding the real corpus, fully loaded (safe to modify)."""
    return databases.create(template=built_template)


@pytest.fixture(scope="session")
def built_db_readonly(databases, built_template):
    """One shared copy of the built database for tests that only read."""
    return databases.create(template=built_template)


@pytest.fixture
def settings():
    from etnc_db.config import Settings

    return Settings.from_env()


@pytest.fixture
def corpus_copy(tmp_path):
    """A writable copy of the real corpus folder."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


# Columns that hold when a run happened (fact history, first seen / last changed): two
# builds of the same sources differ only in them.
RUN_TIMES = ("first_seen_at", "last_changed_at", "valid_from", "valid_to", "recorded_at")


def table_checksums(url: str, schemas=("core", "etl", "mart"), ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """md5 of every table's (and view's) ordered contents: equal dicts mean equal data
    (leaving out the columns named in `ignore`)."""
    row = "t::text" if not ignore else "(to_jsonb(t) - ARRAY[" + ", ".join(f"'{c}'" for c in ignore) + "])::text"
    out = {}
    with psycopg.connect(url) as conn:
        rels = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema = ANY(%s) ORDER BY 1, 2",
            (list(schemas),),
        ).fetchall()
        for schema, name in rels:
            out[f"{schema}.{name}"] = conn.execute(
                f'SELECT md5(coalesce(string_agg({row}, E\'\\n\' ORDER BY {row}), \'\')) FROM "{schema}"."{name}" t'
            ).fetchone()[0]
    return out


# --- pytest-alembic: migration tests run against a fresh empty database -----------------

@pytest.fixture
def alembic_config():
    from pytest_alembic.config import Config

    return Config(config_options={"file": str(ROOT / "alembic.ini"), "script_location": str(ROOT / "alembic")})


@pytest.fixture
def alembic_engine(empty_db):
    from etnc_db.db.session import make_engine

    engine = make_engine(empty_db)
    yield engine
    engine.dispose()


@pytest.fixture
def reader(built_db):
    """A read-only login made by `etnc-db db create-reader` on a built database; dropped
    afterwards (roles are cluster-wide)."""
    import uuid

    import psycopg
    from psycopg import sql
    from typer.testing import CliRunner

    from etnc_db.cli import app

    name = f"etnc_reader_{uuid.uuid4().hex[:8]}"
    res = CliRunner().invoke(app, ["db", "create-reader", name],
                             env={"DATABASE_URL": built_db, "ETNC_READER_PASSWORD": "not-used-here"})
    assert res.exit_code == 0, res.output
    yield name
    with psycopg.connect(built_db, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (name,))
        conn.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
