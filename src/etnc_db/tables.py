"""What the stages hand to the loader: named rows for one table (shared types, imported
by every stage and by the loader; it imports nothing of the package).

A row is a dict whose keys are the target table's columns, except that a foreign key
`<name>_id` is given by the business key of the row it points at, under `<name>_key`
(`host_country_key: "HU"`, `investor_key: "catl"`); the loader resolves those keys
against the referenced table (read from the database catalog). Rows never travel as
positional tuples."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ORIGIN = "_origin"  # optional row key: where the row comes from ("file:line"), never written


@dataclass
class TableLoad:
    """Everything needed to bring one table in line with its sources.

    rows: named rows (see the module docstring); every row has the same keys. A row may
        carry ORIGIN ("file:line") so a row the database refuses is reported at its source.
    scope: SQL predicate on the target (alias t) naming the rows this load is
        authoritative for; rows in scope but not in `rows` are deleted. None means the
        whole table; an empty string means nothing is deleted.
    """

    table: str
    rows: list[dict[str, Any]]
    scope: str | None = None
    scope_params: dict[str, Any] = field(default_factory=dict)


@dataclass
class TableResult:
    table: str
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    staged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"inserted": self.inserted, "updated": self.updated, "deleted": self.deleted}


class LoadError(Exception):
    """Rows cannot be loaded (an unknown key, a violated constraint); `str()` is one line
    naming the source (`file:line: reason`) when the row carried its origin."""
