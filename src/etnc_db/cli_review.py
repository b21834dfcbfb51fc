"""`etnc-db review`: the review queue on the command line (docs/review.md).

    etnc-db review [--document KEY] [--all]        pending candidates per document, with counts
    etnc-db review show KEY                        the evidence in its paragraph, proposed fields,
                                                   linked entities, possible duplicates
    etnc-db review accept KEY [--set f=v ...] [--id FACT_ID]
    etnc-db review edit KEY                        the record in $EDITOR, checked on save
    etnc-db review reject KEY --reason TEXT
    etnc-db review merge KEY --into FACT_ID        its evidence added to an existing fact
    etnc-db review complete DOCUMENT --reason TEXT the document was read in full

KEY is a candidate key or a unique prefix of one. Every command takes --json. The next
`etnc-db load` publishes accepted records."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from rich.text import Text

review_app = typer.Typer(
    help="Review candidate facts proposed from the documents: list, show, accept, edit, reject, merge.",
    invoke_without_command=True,
)

JSON = typer.Option(False, "--json", help="Print the result as JSON (for scripts).")
REVIEWER = typer.Option(None, "--reviewer", help="Who decides (default: $ETNC_REVIEWER, else your login name).")
KEY = typer.Argument(..., help="Candidate key, or a unique prefix of it.")


def _cli():
    from etnc_db import cli

    return cli


def _context() -> tuple:
    """(settings, database URL) with the schema in place."""
    cli = _cli()
    url = cli._url()
    cli._require_schema(url)
    return cli._settings(), url


@contextmanager
def _failures(json_out: bool):
    """Review errors as one line each on stderr (and as JSON on stdout with --json),
    exit code 1; other failures as the CLI reports them."""
    from etnc_db.review.actions import UnknownOrganizations, ValidationFailed
    from etnc_db.review.queries import ReviewError

    cli = _cli()
    with cli.failures():
        try:
            yield
        except (ValidationFailed, UnknownOrganizations, ReviewError) as exc:
            problems = getattr(exc, "problems", [str(exc)])
            registry = getattr(exc, "registry_yaml", None)
            if json_out:
                cli.out.print_json(json.dumps({"error": str(exc), "problems": problems, "registry_yaml": registry}))
            for p in problems:
                cli.err.print(f"error: {p}")
            if registry and not json_out:
                cli.err.print("registry entry to paste into etl/reference/organizations/<file>.yaml:")
                cli.out.print(registry, end="")
            raise typer.Exit(1) from None


@review_app.callback()
def queue(ctx: typer.Context,
          document: str | None = typer.Option(None, "--document", help="Only this document key."),
          everything: bool = typer.Option(False, "--all", help="Every candidate (accepted, rejected, superseded too)."),
          json_out: bool = JSON) -> None:
    """List pending candidates per document, with counts."""
    if ctx.invoked_subcommand is not None:
        return
    with _failures(json_out):
        import psycopg

        from etnc_db.review import queries

        settings, url = _context()
        with psycopg.connect(url) as conn:
            docs = queries.queue(conn, document, everything)
        if json_out:
            _cli().out.print_json(json.dumps([{**d, "candidates": [c.as_dict() for c in d["candidates"]]}
                                              for d in docs], default=str))
            return
        _print_queue(docs, everything)


def _print_queue(docs: list[dict], everything: bool) -> None:
    out = _cli().out
    total = sum(d["counts"]["pending"] for d in docs)
    out.print(f"{total} candidate(s) pending review in {sum(1 for d in docs if d['counts']['pending'])} document(s)")
    for d in docs:
        n = d["counts"]
        out.print(f"{d['document_key']}: {n['pending']} pending, {n['accepted']} accepted, {n['rejected']} rejected"
                  + (f", {n['superseded']} superseded" if n["superseded"] else ""))
        if not d["candidates"]:
            continue
        from rich.table import Table

        t = Table(show_header=True, box=None, pad_edge=False)
        for col in ("key", "type", "conf", "status", "title", "evidence"):
            t.add_column(col)
        for c in d["candidates"]:
            quote = c.quote if len(c.quote) <= 90 else c.quote[:87] + "..."
            status = c.status if not c.fact_key else f"{c.status} ({c.fact_key})"
            t.add_row(c.key, c.fact_type, f"{float(c.confidence):.2f}", status, c.title, quote)
        out.print(t)


@review_app.command("show")
def show(key: str = KEY, json_out: bool = JSON) -> None:
    """The candidate's evidence highlighted in its paragraph, the proposed fields, the
    entities linked in it and the nearest published facts (possible duplicates)."""
    with _failures(json_out):
        import psycopg

        from etnc_db.review import queries

        settings, url = _context()
        with psycopg.connect(url) as conn:
            c = queries.candidate(conn, key)
            ctx = queries.context(conn, c)
        if json_out:
            paragraph = " ".join(ctx.text[s:e] for s, e in ctx.paragraph)
            _cli().out.print_json(json.dumps({**c.as_dict(), "paragraph": paragraph, "entities": ctx.entities,
                                              "nearest": ctx.nearest}, default=str))
            return
        _print_candidate(c, ctx)


def _highlighted(text: str, paragraph: list[tuple[int, int]], evidence: list[list[int]], tty: bool) -> Text:
    """The paragraph with every evidence span marked » « (and bold on a terminal)."""
    from rich.text import Text

    out = Text()
    for i, (start, end) in enumerate(paragraph):
        if i:
            out.append(" … ")
        pos = start
        for s, e in sorted(evidence):
            s, e = max(s, start), min(e, end)
            if s >= e or s < pos:
                continue
            out.append(text[pos:s])
            out.append("»" + text[s:e] + "«", style="bold reverse" if tty else None)
            pos = e
        out.append(text[pos:end])
    return out


def _print_candidate(c, ctx) -> None:
    out = _cli().out
    out.print(f"candidate {c.key}: {c.fact_type}, {c.status}, confidence {float(c.confidence):.2f}, "
              f"{c.document} [{c.char_start}:{c.char_end}], extractor {c.extractor_version}")
    if c.status != "pending":
        out.print(f"decision: {c.status} ({c.source})" + (f" as {c.fact_key}" if c.fact_key else "")
                  + (f" by {c.reviewer}" if c.reviewer else "") + (f" at {c.decided_at:%Y-%m-%d %H:%M}" if c.decided_at else "")
                  + (f": {c.reason}" if c.reason else ""))
    if c.previous:
        p = c.previous
        out.print(f"previous decision: {p.get('status')} by {p.get('reviewer') or '-'} at {p.get('decided_at') or '-'}"
                  f"{': ' + p['reason'] if p.get('reason') else ''}"
                  f"{' (' + p['why_pending'] + ')' if p.get('why_pending') else ''}")
    out.print()
    out.print(_highlighted(ctx.text, ctx.paragraph, c.evidence, out.is_terminal))
    out.print()
    out.print(f"title (suggested): {c.title}")
    out.print("proposed:")
    from etnc_db.review.records import field_names

    order = {name: i for i, name in enumerate(field_names(c.fact_type))}
    for name, value in sorted(c.proposed.items(), key=lambda kv: order.get(kv[0], len(order))):
        out.print(f"  {name}: {json.dumps(value, ensure_ascii=False)}")
    out.print("linked entities:" if ctx.entities else "linked entities: none")
    for e in ctx.entities:
        out.print(f"  {e['surface']} -> {e['entity_type']} {e['entity_key']} ({e['rule']})")
    out.print("nearest published facts:" if ctx.nearest else "nearest published facts: none share an entity")
    for f in ctx.nearest:
        out.print(f"  {f['fact_key']} ({f['fact_type']}, {f['date'] or 'undated'}): {f['title']} "
                  f"[shares {', '.join(f['shared'])}{'; same year' if f['same_year'] else ''}] {f['source_file']}")


def _done(outcome, json_out: bool, message: str) -> None:
    cli = _cli()
    if json_out:
        cli.out.print_json(json.dumps(outcome.as_dict(), default=str))
        return
    cli.out.print(message)
    if outcome.database != "updated":
        cli.err.print(f"note: the database is updated {outcome.database}")


@review_app.command("accept")
def accept(key: str = KEY,
           sets: list[str] = typer.Option([], "--set", help="Edit a field: FIELD=VALUE (VALUE is YAML; repeat)."),
           fact_id: str | None = typer.Option(None, "--id", help="Id of the new record (default: one is made up)."),
           reviewer: str | None = REVIEWER, json_out: bool = JSON) -> None:
    """Write the candidate as a curated record (proposed values + edits), checked as a
    load checks it, and mark it accepted; the next load publishes it."""
    with _failures(json_out):
        from etnc_db.review import actions

        settings, url = _context()
        outcome = actions.accept(settings, url, key, sets=actions.parse_sets(sets), fact_id=fact_id,
                                 reviewer=actions.reviewer_name(reviewer))
        _done(outcome, json_out, f"accepted {outcome.candidate} as {outcome.fact_key}: {outcome.file}:{outcome.line}"
              f"{'; edited ' + ', '.join(outcome.edited) if outcome.edited else ''}; "
              "the next `etnc-db load` publishes it")


@review_app.command("edit")
def edit(key: str = KEY, reviewer: str | None = REVIEWER, json_out: bool = JSON) -> None:
    """Open the candidate's record as YAML in $EDITOR; on save it is checked as a load
    checks it and, once valid, written and accepted (its id too is edited there). Empty the
    file to abandon."""
    with _failures(json_out):
        from etnc_db.review import actions

        settings, url = _context()
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        cli = _cli()

        def show_problems(problems: list[str]) -> None:
            """Each problem of the saved record on stderr."""
            for p in problems:
                cli.err.print(f"invalid: {p}")

        outcome = actions.edit(settings, url, key, editor=editor, reviewer=actions.reviewer_name(reviewer),
                               on_problems=show_problems)
        if outcome is None:
            if json_out:
                cli.out.print_json(json.dumps({"action": "edit", "candidate": key, "status": "abandoned"}))
            else:
                cli.err.print("abandoned: nothing was written")
            raise typer.Exit(1)
        _done(outcome, json_out, f"accepted {outcome.candidate} as {outcome.fact_key}: {outcome.file}:{outcome.line}"
              "; the next `etnc-db load` publishes it")


@review_app.command("reject")
def reject(key: str = KEY, reason: str = typer.Option(..., "--reason", help="Why it is not a fact."),
           reviewer: str | None = REVIEWER, json_out: bool = JSON) -> None:
    """Record that the candidate is not a fact (etl/review/decisions.yaml)."""
    with _failures(json_out):
        from etnc_db.review import actions

        settings, url = _context()
        outcome = actions.reject(settings, url, key, reason=reason, reviewer=actions.reviewer_name(reviewer))
        _done(outcome, json_out, f"rejected {outcome.candidate}: recorded in {outcome.decisions_file}")


@review_app.command("merge")
def merge(key: str = KEY, into: str = typer.Option(..., "--into", help="Id of the existing fact."),
          reason: str | None = typer.Option(None, "--reason", help="Why (default: the same event)."),
          reviewer: str | None = REVIEWER, json_out: bool = JSON) -> None:
    """Add the candidate's evidence to an existing fact (an evidence_for entry in the
    candidate document's curated file) and mark it accepted as that fact."""
    with _failures(json_out):
        from etnc_db.review import actions

        settings, url = _context()
        outcome = actions.merge(settings, url, key, into=into, reviewer=actions.reviewer_name(reviewer),
                                reason=reason)
        _done(outcome, json_out, f"merged {outcome.candidate} into {into}: {outcome.file}:{outcome.line}; "
              "the next `etnc-db load` publishes the evidence")


@review_app.command("complete")
def complete(document: str = typer.Argument(..., help="Document key."),
             reason: str = typer.Option(..., "--reason", help="Who read it in full, and how."),
             reviewer: str | None = REVIEWER, json_out: bool = JSON) -> None:
    """Record that the document was read in full: its candidates no curated fact covers
    are not facts (one document-level decision listing the extractions it decides)."""
    with _failures(json_out):
        from etnc_db.review import actions

        settings, url = _context()
        outcome = actions.complete(settings, url, document, reason=reason, reviewer=actions.reviewer_name(reviewer))
        _done(outcome, json_out, f"{document}: {len(outcome.candidates)} uncovered candidate(s) rejected as read "
              f"in full; recorded in {outcome.decisions_file}")
