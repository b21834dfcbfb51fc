"""Stable fact keys: what happened to every published key when the curated files were
read again (docs/curation.md §4, docs/history.md).

A published key (a row of core.facts) must stay defined by a curated record, be listed
in another record's `replaces:` (renamed or merged) or under a file's `withdrawn:` (with
a reason). A key that silently disappears is refused, naming the key and the curated
file that last defined it, unless the run is forced; a forced removal is recorded
(reason "forced") by the history step."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import psycopg


class KeyDisappeared(Exception):
    """Published fact keys vanished from the curated files without replaces: or
    withdrawn:; `str()` is one line naming the first key and its file."""


@dataclass
class KeyChanges:
    """The facts stage's key bookkeeping for the history step."""

    published: set[str]  # fact keys published before this run
    defined: set[str]  # fact keys the curated files define now
    replaces: dict[str, str]  # old key -> the key that replaces it
    withdrawn: dict[str, str]  # key -> reason
    forced: list[str] = field(default_factory=list)  # disappeared keys removed with --force

    def redirect_reason(self, new_key: str) -> str:
        """renamed when a new key takes over exactly one old key; merged when the survivor
        was already published or replaces several keys."""
        olds = sum(1 for target in self.replaces.values() if target == new_key)
        return "merged" if new_key in self.published or olds > 1 else "renamed"


def check_keys(conn: psycopg.Connection, defined: set[str], replaces: dict[str, str], withdrawn: dict[str, str],
               curated_dir: Path, force: bool) -> KeyChanges:
    """Compare the published keys with what the curated files now define, replace and
    withdraw; raise KeyDisappeared for a silently vanished key unless `force`."""
    published = dict(conn.execute("SELECT fact_key, source_file FROM core.facts").fetchall())
    gone = sorted(k for k in published if k not in defined and k not in replaces and k not in withdrawn)
    if gone and not force:
        first = gone[0]
        more = f" (and {len(gone) - 1} more: {', '.join(gone[1:4])}{', ...' if len(gone) > 4 else ''})" if len(gone) > 1 else ""
        raise KeyDisappeared(
            f"{_where(curated_dir, published[first])}: published fact key {first!r} is no longer defined, replaced or "
            f"withdrawn{more}; list it under withdrawn: with a reason or in replaces: of the record that "
            f"takes over, or use --force to remove it")
    return KeyChanges(set(published), set(defined), dict(replaces), dict(withdrawn), gone)


def _where(curated_dir: Path, source_file: str) -> str:
    """The curated file and line a fact was last defined at, relative to the working
    directory when possible (as the facts stage's own messages)."""
    path = curated_dir / source_file
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
