"""Expectation suites as data: one YAML file per table, view or query under
`etl/expectations/` (format in docs/data-quality.md, section "etnc-db check").

This module only reads and checks the files; it imports neither Great Expectations nor
the database. `gx_checks` turns the parsed suites into GX objects.

A file `core.investments.yaml` is the suite `core.investments` on the table of that
name; a file with a `query:` is a suite on that SQL (a GX query asset), named after the
file, and `about:` names the table its rows stand for. Each expectation is written with
GX's own name and keyword arguments, e.g.

    expectations:
      - expect_column_values_to_be_between: {column: amount_eur, min_value: 0, strict_min: true}
        why: a CHECK cannot say what is plausible

`$PARAMETER` values are filled in by the check, from PARAMETERS below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from etnc_db.config import PACKAGE_ROOT

SUITES_DIR = PACKAGE_ROOT / "etl" / "expectations"  # the default; a project passes its own folder

# Parameters the check computes and passes to GX as `expectation_parameters`.
PARAMETERS = {
    "today": "the date the check runs (ISO), for date ranges relative to today",
    "row_count_floor": "the least row count allowed: the count at the last successful check less "
                       "the allowed drop (meta max_drop, min_drop_rows); 0 when there is none",
}
ROW_COUNT_GUARD = "expect_table_row_count_to_be_between"
MAX_DROP = 0.20  # share of rows a table may lose between two checks ...
MIN_DROP_ROWS = 10  # ... and always at least this many (a share means nothing for 5 rows)

_RELATION = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
_SUITE_KEYS = {"description", "table", "about", "key", "query", "expectations"}
_ITEM_KEYS = {"why", "meta"}


class SuiteFileError(ValueError):
    """A suite file does not follow the format."""


@dataclass(frozen=True)
class ExpectationSpec:
    type: str  # GX snake-case name, e.g. expect_column_values_to_be_between
    kwargs: dict[str, Any]
    why: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def column(self) -> str | None:
        k = self.kwargs
        if k.get("column"):
            return k["column"]
        if k.get("column_A"):
            return f"{k['column_A']},{k.get('column_B')}"
        if k.get("column_list"):
            return ",".join(k["column_list"])
        return None

    def parameters(self) -> set[str]:
        return set(_parameters(self.kwargs))


@dataclass(frozen=True)
class Suite:
    name: str  # file stem: core.investments, mart.fct_investment, coverage.chapter_facts
    path: Path
    description: str
    table: str | None  # schema.relation validated as a table asset
    query: str | None  # or a SELECT validated as a query asset
    about: str  # the table or view the results are recorded under (etl.dq_results.table_name)
    key: str | None  # column that names a row in unexpected samples
    expectations: tuple[ExpectationSpec, ...]

    def parameters(self) -> set[str]:
        return set().union(*(e.parameters() for e in self.expectations))


def _parameters(value) -> list[str]:
    if isinstance(value, dict):
        if set(value) == {"$PARAMETER"}:
            return [str(value["$PARAMETER"])]
        return [p for v in value.values() for p in _parameters(v)]
    if isinstance(value, list):
        return [p for v in value for p in _parameters(v)]
    return []


def _expectation(item, where: str) -> ExpectationSpec:
    if not isinstance(item, dict):
        raise SuiteFileError(f"{where}: an expectation is a mapping {{expect_...: {{kwargs}}}}, got {item!r}")
    names = [k for k in item if k not in _ITEM_KEYS]
    if len(names) != 1:
        raise SuiteFileError(f"{where}: one expectation name per item (besides why/meta), got {names}")
    name = names[0]
    if not re.fullmatch(r"[a-z][a-z0-9_]*", str(name)):
        raise SuiteFileError(f"{where}: {name!r} is not a GX expectation name (snake_case)")
    kwargs = item[name] or {}
    if not isinstance(kwargs, dict):
        raise SuiteFileError(f"{where}: {name}: keyword arguments must be a mapping")
    why = item.get("why")
    if why is not None and not isinstance(why, str):
        raise SuiteFileError(f"{where}: {name}: why must be text")
    meta = item.get("meta") or {}
    if not isinstance(meta, dict):
        raise SuiteFileError(f"{where}: {name}: meta must be a mapping")
    spec = ExpectationSpec(str(name), dict(kwargs), why.strip() if why else None, dict(meta))
    unknown = spec.parameters() - set(PARAMETERS)
    if unknown:
        raise SuiteFileError(f"{where}: {name}: unknown $PARAMETER {sorted(unknown)}; known: {sorted(PARAMETERS)}")
    if "row_count_floor" in spec.parameters() and name != ROW_COUNT_GUARD:
        raise SuiteFileError(f"{where}: {name}: row_count_floor only fits {ROW_COUNT_GUARD}")
    return spec


def load_suite(path: Path) -> Suite:
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise SuiteFileError(f"{where}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SuiteFileError(f"{where}: a suite file is a mapping")
    extra = set(data) - _SUITE_KEYS
    if extra:
        raise SuiteFileError(f"{where}: unknown keys {sorted(extra)}; allowed: {sorted(_SUITE_KEYS)}")
    name = path.name.removesuffix(".yaml")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise SuiteFileError(f"{where}: description is required")
    query = data.get("query")
    table = data.get("table")
    if query is not None:
        if table is not None:
            raise SuiteFileError(f"{where}: give table or query, not both")
        if not isinstance(query, str) or not query.lstrip().upper().startswith(("SELECT", "WITH")):
            raise SuiteFileError(f"{where}: query must be a SELECT")
        about = data.get("about")
        if not isinstance(about, str) or not _RELATION.match(about):
            raise SuiteFileError(f"{where}: a query suite needs about: schema.table (what its rows stand for)")
    else:
        table = table or name
        if not _RELATION.match(str(table)):
            raise SuiteFileError(f"{where}: table {table!r} is not schema.relation (name the file after it or set table:)")
        about = data.get("about") or table
    key = data.get("key")
    if key is not None and not isinstance(key, str):
        raise SuiteFileError(f"{where}: key must be a column name")
    items = data.get("expectations")
    if not isinstance(items, list) or not items:
        raise SuiteFileError(f"{where}: expectations must be a non-empty list")
    expectations = tuple(_expectation(item, f"{where} #{i + 1}") for i, item in enumerate(items))
    return Suite(name, path, " ".join(description.split()), table, query.strip() if query else None, about, key,
                 expectations)


def load_suites(directory: Path | None = None) -> list[Suite]:
    """Every `*.yaml` suite in `directory` (default etl/expectations), in name order."""
    directory = Path(directory or SUITES_DIR)
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise SuiteFileError(f"no expectation suites (*.yaml) in {directory}")
    return [load_suite(p) for p in paths]


def row_count_floor(previous: int | None, meta: dict[str, Any]) -> int:
    """The least row count a table may have now, given its count at the last successful
    check: it may lose `max_drop` of its rows, and always `min_drop_rows`."""
    if not previous or previous <= 0:
        return 0
    max_drop = float(meta.get("max_drop", MAX_DROP))
    min_rows = int(meta.get("min_drop_rows", MIN_DROP_ROWS))
    allowed = max(int(previous * max_drop), min_rows)
    return max(previous - allowed, 0)
