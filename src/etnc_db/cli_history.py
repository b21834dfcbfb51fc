"""`etnc-db history KEY`, `etnc-db release` and `etnc-db diff A B` (docs/history.md).
Registered in cli.py; the helpers of cli.py (output consoles, failures, the URL) are
imported when a command runs."""

from __future__ import annotations

import json
from datetime import datetime

import typer

JSON = typer.Option(False, "--json", help="Print the result as JSON.")
SHOWN = 70  # characters of a value shown in a table cell


def _short(value) -> str:
    """A value for a table cell: JSON for lists and objects, cut to SHOWN characters."""
    text = "(none)" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def history(key: str = typer.Argument(..., help="Fact key; a renamed or merged key leads on to the key that replaced it."),
            json_out: bool = JSON) -> None:
    """Print a fact's timeline: its versions (what changed, old → new), removal and re-addition, and redirects."""
    from etnc_db.cli import _require_schema, _url, failures, out

    with failures():
        import psycopg

        from etnc_db.publish.history import timeline

        url = _url()
        _require_schema(url)
        with psycopg.connect(url) as conn:
            data = timeline(conn, key)
        if json_out:
            out.print_json(json.dumps(data, default=str))
            return
        for item in data["keys"]:
            _print_key(item)


def _print_key(item: dict) -> None:
    from etnc_db.cli import out

    state = "published" if item["published"] else "not published"
    stamps = (f"; first seen run {item['first_seen_run']} ({_when(item['first_seen_at'])}), last changed run "
              f"{item['last_changed_run']} ({_when(item['last_changed_at'])})") if item["published"] else ""
    out.print(f"{item['fact_key']} ({item['fact_type'] or 'unknown type'}): {state}{stamps}")
    if item["redirected_from"]:
        out.print(f"  replaces: {', '.join(item['redirected_from'])}")
    if item["withdrawn"]:
        w = item["withdrawn"]
        out.print(f"  {w['kind']} in run {w['run_id']}: {w['reason']}")
    if item["versions"]:
        from rich.table import Table

        t = Table(show_edge=False)
        for col in ("version", "runs", "from", "change", "what"):
            t.add_column(col)
        for v in item["versions"]:
            t.add_row(str(v["version"]), f"{v['run_from']}–{v['run_to'] or ''}", _when(v["valid_from"]), v["change"],
                      _what(v))
        out.print(t)
    if item["redirect"]:
        r = item["redirect"]
        out.print(f"  → {r['reason']} into {r['new_key']} (run {r['run_id']})")


def _what(version: dict) -> str:
    """One cell: the changed fields old → new, the removal's reason, or the title."""
    if version["change"] == "removed":
        target = f" → {version['redirect_to']}" if version["redirect_to"] else ""
        text = f": {version['reason_text']}" if version["reason_text"] else ""
        return f"{version['removal_reason']}{target}{text}"
    if version["changes"]:
        return "; ".join(f"{f}: {_short(c['old'])} → {_short(c['new'])}" for f, c in version["changes"].items())
    candidate = f" (candidate {version['candidate_key']})" if version["candidate_key"] else ""
    return _short(version["title"]) + candidate


def release(tag: str | None = typer.Option(None, "--tag", help="Release tag vYYYY.MM.N (default: the next one of this month)."),
            allow_pending: bool = typer.Option(False, "--allow-pending", help="Release although review candidates of the released documents are pending."),
            note: str | None = typer.Option(None, "--note", help="A note kept with the release."),
            wait: float = typer.Option(60.0, "--wait", help="Seconds to wait for a running load to finish."),
            json_out: bool = JSON) -> None:
    """Freeze the published state as a numbered release (needs a passing `etnc-db check` after the last change)."""
    from etnc_db.cli import _require_schema, _settings, _url, failures, out

    with failures():
        from dataclasses import asdict

        from etnc_db.publish.releases import ReleaseOptions, create_release

        url = _url()
        _require_schema(url)
        s = create_release(url, _settings().curated_dir, ReleaseOptions(tag, allow_pending, note, wait))
        if json_out:
            out.print_json(json.dumps(asdict(s), default=str))
            return
        curated = {"clean": f"curated commit {s.curated_commit}",
                   "dirty": "curated folder has uncommitted changes: no commit recorded (dirty)",
                   "not_git": "curated folder is not in a git repository: no commit recorded"}[s.curated_state]
        pending = f"; {s.pending_candidates} candidates pending (allowed)" if s.pending_candidates else ""
        out.print(f"release {s.tag}: run {s.run_id}, {s.fact_count} facts, {s.documents} documents, "
                  f"check run {s.check_run_id} passed; {curated}{pending}")
        delta = ", ".join(f"{s.delta.get(c, 0)} {c}" for c in ("added", "changed", "removed", "redirected"))
        out.print(f"delta against {s.previous_tag or 'nothing (first release)'}: {delta}")


def diff(release_a: str = typer.Argument(..., help="The older release (tag, e.g. v2026.06.1, or number)."),
         release_b: str = typer.Argument(..., help="The newer release."),
         json_out: bool = JSON) -> None:
    """List per fact key what changed from release A to release B: added, changed (old → new), removed (why), redirected."""
    from etnc_db.cli import _require_schema, _url, failures, out

    with failures():
        import psycopg

        from etnc_db.publish.releases import diff as release_diff

        url = _url()
        _require_schema(url)
        with psycopg.connect(url) as conn:
            rows = release_diff(conn, release_a, release_b)
        if json_out:
            out.print_json(json.dumps(rows, default=str))
            return
        if not rows:
            out.print(f"{release_a} → {release_b}: no differences")
            return
        from rich.table import Table

        t = Table(title=f"{release_a} → {release_b}: {len(rows)} fact keys differ", show_edge=False)
        for col in ("fact key", "change", "what"):
            t.add_column(col)
        for r in rows:
            t.add_row(r["fact_key"], r["change"], _delta_what(r))
        out.print(t)


def _delta_what(row: dict) -> str:
    if row["change"] == "changed":
        return "; ".join(f"{f}: {_short(row['old_values'].get(f))} → {_short(row['new_values'].get(f))}"
                         for f in row["changed_fields"])
    if row["change"] == "redirected":
        return f"{row['reason']} into {row['redirect_to']}"
    if row["change"] == "removed":
        return f"{row['reason'] or 'removed'}" + (f": {row['reason_text']}" if row["reason_text"] else "")
    return row["fact_type"]
