"""Settings (database URL, corpus and reference paths) and the URL helpers.

`DATABASE_URL` selects any PostgreSQL. When it is unset, etnc-db starts its own
embedded server (see etnc_db.db.server: data under `<project>/.etnc/pgdata`, private to
the OS user running etnc-db), leaves it running for later commands, and
`etnc-db db stop` stops it.

Every URL that is printed or put into an error message goes through `mask_url` first.
"""

from __future__ import annotations

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


def database_url(settings: Settings | None = None) -> str:
    """The libpq URL of the database to use: DATABASE_URL, else the embedded server
    (started if it is not running)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return check_url(url)
    from etnc_db.db.server import EmbeddedServer

    settings = settings or Settings.from_env()
    return EmbeddedServer(settings.state_dir).start()
