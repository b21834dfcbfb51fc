"""Read-only login roles for BI tools and analysts.

A reader can log in, connect to this database only, and SELECT the `mart` views
(present and future); it has no superuser/createdb/createrole, nothing on `core`, `etl`
or any other schema, no CREATE anywhere and no temporary tables. Its password is hashed
here (SCRAM-SHA-256, by libpq) so the cleartext never reaches the server or its logs.

Database privileges: CONNECT and TEMPORARY on this database are revoked from PUBLIC and
granted back to the role running this (the loader) and the database owner. On the
embedded server the same is done for `postgres` and `template1`; on another server only
this database is managed, so a reader may still connect to databases that grant CONNECT
to PUBLIC there (their owners decide that)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
MART = "mart"


def create_reader(url: str, name: str, password: str, *, cluster_databases: tuple[str, ...] = ()) -> None:
    """Create (or update) login role `name` that reads schema mart and nothing else.
    `cluster_databases`: other databases of the server to close to PUBLIC as well."""
    if not ROLE_NAME.fullmatch(name):
        raise ValueError(f"role name {name!r} must be lower-case letters, digits and underscores")
    if not password:
        raise ValueError("the reader's password is empty")
    with psycopg.connect(url, autocommit=True) as conn:
        _refuse_non_reader(conn, name)
        verifier = conn.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()
        role = sql.Identifier(name)
        attributes = sql.SQL("LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD {}").format(
            sql.Literal(verifier))
        with conn.transaction():
            exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
            verb = sql.SQL("ALTER ROLE" if exists else "CREATE ROLE")
            conn.execute(sql.SQL("{} {} {}").format(verb, role, attributes))
            _close_databases(conn, cluster_databases)
            _grant_reader(conn, role)


def _refuse_non_reader(conn: psycopg.Connection, name: str) -> None:
    """An existing role with more than a reader's rights is not turned into a reader."""
    row = conn.execute(
        "SELECT rolsuper OR rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls "
        "OR rolname = current_user OR EXISTS (SELECT 1 FROM pg_auth_members WHERE member = r.oid) "
        "FROM pg_roles r WHERE rolname = %s", (name,)).fetchone()
    if row is not None and row[0]:
        raise ValueError(f"role {name} exists with more rights than a reader; choose another name")


def _close_databases(conn: psycopg.Connection, others: tuple[str, ...]) -> None:
    """CONNECT and TEMPORARY only for those granted: not PUBLIC, but the owner and the
    role running this (so loads keep their temporary staging tables)."""
    db = conn.execute("SELECT current_database()").fetchone()[0]
    owner = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", (db,)).fetchone()[0]
    database = sql.Identifier(db)
    conn.execute(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(database))
    for grantee in {owner, conn.execute("SELECT current_user").fetchone()[0]}:
        conn.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(database, sql.Identifier(grantee)))
    for other in others:
        conn.execute(sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(sql.Identifier(other)))


def _grant_reader(conn: psycopg.Connection, role: sql.Identifier) -> None:
    """CONNECT here; USAGE and SELECT on mart, now and for views created later; nothing
    else (no CREATE in any schema, nothing on core/etl/other schemas, no TEMPORARY)."""
    database = sql.Identifier(conn.execute("SELECT current_database()").fetchone()[0])
    conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(database, role))
    conn.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(database, role))
    schemas = [r[0] for r in conn.execute(
        "SELECT nspname FROM pg_namespace WHERE nspname <> 'information_schema' AND nspname NOT LIKE 'pg\\_%'")]
    for schema in schemas:
        conn.execute(sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}").format(sql.Identifier(schema), role))
        conn.execute(sql.SQL("REVOKE ALL ON SCHEMA {} FROM {}").format(sql.Identifier(schema), role))
    # the PostgreSQL 15 default, for databases created on older servers
    conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    mart = sql.Identifier(MART)
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(mart, role))
    conn.execute(sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(mart, role))
    conn.execute(sql.SQL("ALTER DEFAULT PRIVILEGES IN SCHEMA {} GRANT SELECT ON TABLES TO {}").format(mart, role))


def reader_url(url: str, name: str, tcp: tuple[str, int] | None = None) -> str:
    """The reader's connection URL with the password shown as `***`: on `tcp` (host as it
    goes into a URL, port) when given, else on the host (or socket) of `url`."""
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k not in ("user", "password")], safe="/")
    if tcp is not None:
        netloc, query = f"{name}:***@{tcp[0]}:{tcp[1]}", ""
    else:
        netloc = f"{name}:***@" + parts.netloc.rpartition("@")[2]
    return urlunsplit(("postgresql", netloc, parts.path, query, ""))
