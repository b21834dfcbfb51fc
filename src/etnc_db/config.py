"""Settings (the project directory and its folders, the database URL) and the URL
helpers.

The project directory is where you stand: the nearest folder at or above the current
directory that holds `etnc.yaml` (or `--project-dir` / ETNC_PROJECT_DIR); without one,
the package's own checkout. Its etnc.yaml may relocate the input folders.

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
        from etnc_db.yaml_lines import LineDict, YamlSyntaxError, load_yaml_with_lines

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


def env_database_url() -> str | None:
    """DATABASE_URL as a libpq URL (checked as `check_url` does), None when it is not set."""
    url = os.environ.get("DATABASE_URL")
    return check_url(url) if url else None


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
