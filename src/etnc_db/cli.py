"""The etnc-db command line (Typer). Every command prints one line saying what and
where when it fails, and exits non-zero."""

from __future__ import annotations

import gc
import json
import os
import sys
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path

import typer
from rich.console import Console

from etnc_db import cli_history, cli_publish
from etnc_db.cli_review import review_app

# Plain option defaults Typer would hand back unchanged (tests/unit/test_cli_coercion.py
# proves it for every option of the app).
PLAIN_DEFAULTS = (bool, int, float, str, Enum)


def _defer_typer_coercion() -> None:
    """Typer (0.2x) converts every option value that is not a bool flag with a pydantic
    TypeAdapter, built for each option of the command, defaults included: importing pydantic
    and building the adapters is about a third of a no-op `etnc-db load`. Here a value is
    converted by Typer's own code only when there is something to convert: an option left
    at None, or at a plain default that conversion returns as it is, skips it; every
    value given on the command line (and every error message) goes through Typer as
    before. Older Typer versions without this machinery are left alone."""
    try:
        from typer import core as typer_core
        from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
    except ImportError:  # pragma: no cover - a Typer without pydantic coercion
        return
    if not hasattr(getattr(typer_core, "_TyperParameter", None), "get_runtime_param"):  # pragma: no cover
        return

    @dataclass(frozen=True)
    class Deferred(RuntimeParam):
        descriptor: TypeDescriptor

        def _coerce_value(self, value, param, ctx):
            if value is param.default and isinstance(value, PLAIN_DEFAULTS):
                return value
            return build_runtime_param(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

    def get_runtime_param(self):
        if self._runtime_param is None:
            d = self.type_descriptor
            self._runtime_param = Deferred(parameter_info=d.parameter_info, annotation=d.annotation, descriptor=d)
        return self._runtime_param

    typer_core._TyperParameter.get_runtime_param = get_runtime_param


_defer_typer_coercion()

# -h everywhere; off a terminal, help and usage errors are plain Click text (no boxes)
CONTEXT: dict = {"help_option_names": ["-h", "--help"]}
MARKUP = "rich" if sys.stdout.isatty() else None
if MARKUP is None:  # piped: help paragraphs on one line each, command summaries not cut
    CONTEXT.update(terminal_width=10_000, max_content_width=10_000)
app = typer.Typer(
    help="etnc-db: build and query the Europe–China technology relations database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings=CONTEXT,
    rich_markup_mode=MARKUP,
)
db_app = typer.Typer(help="Manage the database: migrations, the embedded server, roles.", no_args_is_help=True,
                     context_settings=CONTEXT, rich_markup_mode=MARKUP)
entities_app = typer.Typer(help="Inspect entities found in the documents.", no_args_is_help=True,
                           context_settings=CONTEXT, rich_markup_mode=MARKUP)
app.add_typer(db_app, name="db")
app.add_typer(entities_app, name="entities")
app.add_typer(review_app, name="review")

class _Console(Console):
    def print_json(self, json: str | None = None, **options) -> None:
        """Rich's pretty JSON on a terminal. Elsewhere the same text (indented by 2,
        non-ASCII kept), written directly: Rich's renderer highlights every token even when
        no colour is shown, a quarter of a no-op `load --json` at 100× (500 documents)."""
        if self.is_terminal or json is None or options:
            super().print_json(json, **options)
            return
        from json import dumps, loads

        self.file.write(dumps(loads(json), indent=2, ensure_ascii=False) + "\n")
        self.file.flush()


def _console(stderr: bool = False) -> Console:
    """Values are printed literally (no markup, no highlighting); off a terminal the
    output is plain and never wrapped or cut, so it can be piped and grepped."""
    stream = sys.stderr if stderr else sys.stdout
    tty = stream.isatty()
    return _Console(stderr=stderr, markup=False, highlight=False, soft_wrap=True,
                    width=None if tty else 100_000, no_color=not tty)


out = _console()
err = _console(stderr=True)


def print_table(title: str, columns: list[str], rows: list[list[str]], console: Console | None = None) -> None:
    """A table: boxed by Rich on a terminal; elsewhere a title line, then a header and
    one line per row, tab-separated, never wrapped or cut (for grep, cut, awk)."""
    console = console or out
    if console.is_terminal:
        from rich.table import Table

        table = Table(title=title)
        for col in columns:
            table.add_column(col)
        for row in rows:
            table.add_row(*row)
        console.print(table)
        return
    lines = [title, "\t".join(columns)]
    lines += ["\t".join(" ".join(str(v).split()) for v in row) for row in rows]
    console.file.write("\n".join(lines) + "\n")
    console.file.flush()


def fail(message: str, code: int = 1) -> None:
    """Print one error line (printed literally, any password in it masked) and exit with `code`."""
    from etnc_db.config import mask_url

    err.print(f"error: {mask_url(message)}")
    raise typer.Exit(code)


@contextmanager
def failures():
    """Turn any expected failure into one line on stderr and exit code 1."""
    try:
        yield
    except typer.Exit:
        raise
    except (KeyboardInterrupt, typer.Abort):
        fail("interrupted", 130)
    except Exception as exc:  # noqa: BLE001 - the CLI's job is to report it in one line
        text = str(exc).strip().splitlines()
        fail(text[0] if text else exc.__class__.__name__)


def _settings():
    from etnc_db.config import Settings

    return Settings.from_env()


def _version(value: bool) -> None:
    if value:
        from etnc_db.publish.manifest import package_version

        out.print(f"etnc-db {package_version()}")
        raise typer.Exit()


@app.callback()
def _global(ctx: typer.Context,
            project: Path | None = typer.Option(None, "--project-dir", metavar="PATH", help=(
                "The project directory (holding etnc.yaml) to read inputs from and write reports to; default: "
                "ETNC_PROJECT_DIR, else the nearest etnc.yaml at or above the current directory.")),
            version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                         help="Print the etnc-db version and exit.")) -> None:
    """etnc-db: build and query the Europe–China technology relations database."""
    if project is None:
        return
    from etnc_db.config import ProjectError, project_dir

    try:
        chosen = project_dir(project)
    except ProjectError as exc:
        fail(str(exc))
    previous = os.environ.get("ETNC_PROJECT_DIR")
    os.environ["ETNC_PROJECT_DIR"] = str(chosen)  # every Settings.from_env() of this command reads it

    def restore() -> None:
        if previous is None:
            os.environ.pop("ETNC_PROJECT_DIR", None)
        else:
            os.environ["ETNC_PROJECT_DIR"] = previous
    ctx.call_on_close(restore)


def _url() -> str:
    from etnc_db.config import env_database_url

    url = env_database_url()  # without the embedded server's module when DATABASE_URL says where
    if url is not None:
        return url
    from etnc_db.db.server import database_url

    return database_url(_settings())


def _progress():
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                    TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal)


NO_SCHEMA = "the database has no etnc-db schema yet: run `etnc-db db upgrade` (or `etnc-db run`)"


def _require_schema(url: str) -> None:
    from etnc_db.db.session import current_revision

    if current_revision(url) is None:
        fail(NO_SCHEMA)


def _prefetch(url: str, settings, options):
    """A first build starts deriving its documents on every core while the schema is
    migrated (etnc_db.workers); None otherwise."""
    from etnc_db.workers import prefetch

    try:
        return prefetch(url, settings, options.corpus_dir or settings.corpus_dir, options.workers)
    except ValueError as exc:  # a bad worker count
        fail(str(exc))


def _pipeline(json_out: bool, **run_options) -> None:
    """One run with `run_options` (the fields of pipeline.RunOptions); its summary. Only
    `run` migrates a database without the schema; off a terminal there is no progress bar."""
    from etnc_db.db.session import SchemaMissing, ensure_schema
    from etnc_db.pipeline import RunFailed, RunOptions, run

    options = RunOptions(**run_options)
    url = _url()
    settings = _settings()
    prefetched = _prefetch(url, settings, options) if options.command == "run" else None
    try:
        ensure_schema(url, settings.views_dir, options.wait_seconds, create=options.command == "run")
    except BaseException as exc:
        if prefetched is not None:
            prefetched.close(failed=True)
        if isinstance(exc, SchemaMissing):
            fail(NO_SCHEMA)
        raise
    try:
        with _progress() if err.is_terminal else nullcontext() as progress:
            result = run(url, settings, options, progress=progress, prefetched=prefetched)
    except RunFailed as exc:
        fail(f"run {exc.run_id or '-'} failed and changed nothing: {exc}")
    if json_out:
        out.print_json(json.dumps({"run_id": result.run_id, "status": result.status, "tables": result.tables,
                                   "documents": result.documents, "timings": result.timings,
                                   "bulk": result.bulk}, default=str))
        return
    actions: dict[str, int] = {}
    for d in result.documents:
        actions[d["action"]] = actions.get(d["action"], 0) + 1
    docs = ", ".join(f"{n} {a}" for a, n in sorted(actions.items())) or "no documents"
    if result.rows_changed == 0:
        out.print(f"run {result.run_id}: nothing changed (0 rows touched); documents: {docs}")
    else:
        ins = sum(c["inserted"] for c in result.tables.values())
        upd = sum(c["updated"] for c in result.tables.values())
        dele = sum(c["deleted"] for c in result.tables.values())
        mode = " (document tables in bulk mode)" if result.bulk else ""
        out.print(f"run {result.run_id}: {ins} inserted, {upd} updated, {dele} deleted; documents: {docs}{mode}")
    for d in result.documents:
        if "facts" in d:
            pending = f", {d['candidates_pending']} candidates pending" if "candidates_pending" in d else ""
            out.print(f"  {d['document_key']} ({d['action']}): {d['facts']} facts published{pending}")
    for w in result.warnings[:20]:
        err.print(f"warning: {w}")
    if len(result.warnings) > 20:
        err.print(f"({len(result.warnings) - 20} more warnings; see `etnc-db status`)")


CORPUS = typer.Option(None, "--corpus", help="Corpus folder to load (default: data/corpus).", exists=False)
SKIP_BAD = typer.Option(False, "--skip-bad", help="Load the good files and record bad ones in etl.rejects instead of failing.")
WAIT = typer.Option(0.0, "--wait", help="Seconds to wait for another run's lock before giving up.")
FORCE = typer.Option(False, "--force", help=(
    "Accept a load that drops more rows than the safety threshold, or that removes published fact keys no curated "
    "record defines, replaces or withdraws (recorded as forced removals)."))
JSON = typer.Option(False, "--json", help="Print the result as JSON.")


class Bulk(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


BULK = typer.Option(Bulk.auto, "--bulk", help=(
    "Bulk-load mode for the document tables (drop secondary indexes and foreign keys, load, re-create and "
    "validate them; readers of those tables wait until the run ends). auto: only for a first build into "
    "empty document tables."))
PRUNE = typer.Option(False, "--prune", help="Remove loaded documents whose files are no longer in the corpus folder.")
WORKERS = typer.Option(None, "--workers", min=1, help=(
    "Processes that parse, link and propose documents (default: ETNC_WORKERS, else every core). The rows are the "
    "same whatever the count."))


@app.command()
def run(corpus: Path | None = CORPUS, skip_bad: bool = SKIP_BAD, wait: float = WAIT, force: bool = FORCE,
        json_out: bool = JSON, bulk: Bulk = BULK, prune: bool = PRUNE, workers: int | None = WORKERS) -> None:
    """Build everything: migrate the schema, apply the views, run every ETL stage and the SQL gate."""
    with failures():
        _pipeline(json_out, command="run", corpus_dir=corpus, skip_bad=skip_bad, wait_seconds=wait, force=force,
                  bulk=bulk.value, prune=prune, workers=workers)


@app.command()
def load(paths: list[Path] = typer.Argument(None, help="Documents (.txt/.md files or folders) to add to the corpus "
                                            "folder first, with their title, date and publisher read from the text."),
         corpus: Path | None = CORPUS, skip_bad: bool = SKIP_BAD, wait: float = WAIT, force: bool = FORCE,
         json_out: bool = JSON, bulk: Bulk = BULK, prune: bool = PRUNE,
         strict: bool = typer.Option(False, "--strict", help="Fail, changing nothing, while any candidate fact of the "
                                     "loaded documents waits for review (`etnc-db review`)."),
         workers: int | None = WORKERS) -> None:
    """Periodic load: add the documents given, parse only new or changed documents (proposing their
    candidate facts for review), refresh what depends on them."""
    with failures():
        if paths:
            _add_documents(paths, corpus or _settings().corpus_dir, json_out)
        _pipeline(json_out, command="load", corpus_dir=corpus, skip_bad=skip_bad, wait_seconds=wait, force=force,
                  bulk=bulk.value, prune=prune, strict=strict, workers=workers)


def _detect_metadata(text: str) -> dict:
    """Title, publication date and publisher as the page's own text states them."""
    from etnc_db.extract.metadata import detect_metadata

    meta = detect_metadata(text, "news_article")
    return {k: v for k, v in (("title", meta.title), ("published", meta.published),
                              ("publisher", meta.publisher)) if v}


def _add_documents(paths: list[Path], corpus_dir: Path, json_out: bool) -> None:
    """Copy documents into the corpus folder and list them in its manifest."""
    from etnc_db.extract.corpus import CorpusProblems, add_documents

    try:
        added = add_documents(paths, corpus_dir, detect=_detect_metadata)
    except CorpusProblems as exc:
        for problem in exc.problems[1:]:
            err.print(f"error: {problem}")
        raise
    if not json_out:
        for a in added:
            out.print(f"{a.action} {a.key} ({a.file})")


@app.command()
def remove(keys: list[str] = typer.Argument(..., help="Document keys to remove."),
           yes: bool = typer.Option(False, "--yes", help="Remove without asking."),
           corpus: Path | None = CORPUS, wait: float = WAIT, json_out: bool = JSON) -> None:
    """Remove documents: their files and manifest entries, then (a load with --prune)
    everything derived from them: passages, mentions, candidates. Refused while curated
    facts quote them."""
    with failures():
        from etnc_db.extract.corpus import remove_documents

        url = _url()
        _require_schema(url)
        corpus_dir = corpus or _settings().corpus_dir
        summary = _removal_summary(url, keys)
        for line in summary:
            out.print(line)
        if not yes:
            if not sys.stdin.isatty() or not typer.confirm("Remove them?"):
                fail("nothing removed (confirm with --yes)")
        removed = remove_documents(keys, corpus_dir)
        for r in removed:
            out.print(f"removed {r.key}" + (f" ({r.file})" if r.had_file else ""))
        # a deliberate removal: the row-count guard (meant for accidents) is overridden
        _pipeline(json_out, command="load", corpus_dir=corpus, wait_seconds=wait, force=True, prune=True)


def _removal_summary(url: str, keys: list[str]) -> list[str]:
    """What removing the documents takes with it; refuses while curated facts quote them."""
    import psycopg

    lines = []
    with psycopg.connect(url) as conn:
        for key in dict.fromkeys(keys):
            row = conn.execute(
                "SELECT d.file_name, (SELECT count(*) FROM core.passages p WHERE p.document_id = d.document_id), "
                "(SELECT count(*) FROM core.mentions m WHERE m.document_id = d.document_id), "
                "(SELECT count(*) FROM review.candidates c WHERE c.document_id = d.document_id), "
                "(SELECT array_agg(DISTINCT e.source_file) FROM core.evidence e WHERE e.document_id = d.document_id) "
                "FROM core.documents d WHERE d.document_key = %s", (key,)).fetchone()
            if row is None:
                lines.append(f"{key}: not loaded (only its file and manifest entry go)")
                continue
            file, passages, mentions, candidates, quoted = row
            if quoted:
                fail(f"{key} is quoted by curated facts ({', '.join(sorted(quoted)[:5])}): withdraw or move those "
                     "records first; nothing removed")
            lines.append(f"{key} ({file}): {passages} passages, {mentions} mentions, {candidates} candidates go")
    return lines


@app.command()
def status(json_out: bool = typer.Option(False, "--json", help="Print the last runs as JSON."),
           runs: int = typer.Option(5, "--runs", help="How many recent runs to show.")) -> None:
    """Show the last runs, row counts per table and the last data-quality summary."""
    with failures():
        from etnc_db.status import collect_status

        url = _url()
        _require_schema(url)
        data = collect_status(url, runs)
        data["folders"] = _settings().folders()
        if json_out:
            out.print_json(json.dumps(data, default=str))
            return
        runs_rows = []
        for r in data["runs"]:
            acts: dict[str, int] = {}
            for d in r["documents"]:
                acts[d["action"]] = acts.get(d["action"], 0) + 1
            runs_rows.append([str(r["run_id"]), r["command"], r["status"], str(r["started_at"])[:19],
                              f"{r['seconds']:.2f}" if r["seconds"] is not None else "", str(r["rows_inserted"]),
                              str(r["rows_updated"]), str(r["rows_deleted"]),
                              ", ".join(f"{n} {a}" for a, n in sorted(acts.items())), r["error"] or ""])
        print_table("Last runs", ["run", "command", "status", "started", "seconds", "ins", "upd", "del", "documents",
                                  "error"], runs_rows)
        print_table("Rows per table", ["table", "rows"], [[name, str(n)] for name, n in data["row_counts"].items()])
        print_table("Project folders", ["folder", "path"], [[k, v] for k, v in data["folders"].items()])
        _print_review(data["review"])
        dq = data.get("data_quality")
        if dq:
            out.print(f"data quality (run {dq['run_id']}): {dq['passed']} passed, {dq['failed']} failed")
        else:
            out.print("data quality: no results yet (run `etnc-db check`)")


def _print_review(review: dict) -> None:
    """Per document: candidates pending, accepted, rejected, superseded."""
    print_table(f"Review queue ({review['pending']} pending; `etnc-db review`)",
                ["document", "pending", "accepted", "rejected", "superseded"],
                [[doc, str(n["pending"]), str(n["accepted"]), str(n["rejected"]), str(n["superseded"])]
                 for doc, n in review["documents"].items()])
    d = review["decisions"]
    if d["unmatched"]:
        out.print(f"decisions file: {d['entries']} entries, {d['unmatched']} name candidates or documents not loaded "
                  f"({', '.join(d['unmatched_keys'][:5])}{', ...' if d['unmatched'] > 5 else ''})")
    else:
        out.print(f"decisions file: {d['entries']} entries, all for loaded candidates")


@app.command()
def changes(run_id: int | None = typer.Option(None, "--run", help="Run number (default: the last run that changed something)."),
            json_out: bool = JSON) -> None:
    """Print the business keys a run inserted, updated and deleted, per table."""
    with failures():
        from etnc_db.status import collect_changes

        url = _url()
        _require_schema(url)
        run_no, rows = collect_changes(url, run_id)  # an unknown run id raises LookupError: one line, exit 1
        if json_out:
            out.print_json(json.dumps({"run_id": run_no, "changes": rows}))
            return
        if run_no is None:
            out.print("no run has changed anything yet")
            return
        out.print(f"run {run_no}: {len(rows)} changes")
        for r in rows:
            out.print(f"{r['change']:6} {r['table']} {r['key']}", highlight=False)


@app.command()
def check(report: Path = typer.Option(Path("reports/data-quality.md"), "--report", help="Where to write the Markdown report."),
          data_docs: Path | None = typer.Option(None, "--data-docs", help="Folder for the GX Data Docs (default: data-docs/ beside the report)."),
          accept_row_drop: bool = typer.Option(False, "--accept-row-drop", help=(
              "Accept the current row counts after a deliberate drop (a forced load): the row-count guards "
              "pass and, if everything else does, this check becomes the new baseline.")),
          wait: float = typer.Option(60.0, "--wait", help="Seconds to wait for a running load to finish.")) -> None:
    """Run the expectation suites (etl/expectations/*.yaml) inside PostgreSQL on the published data; write a report and Data Docs."""
    with failures():
        from etnc_db.quality.check import CheckOptions, run_check

        url = _url()
        _require_schema(url)
        data_docs = data_docs or report.parent / "data-docs"
        with _progress() as progress:  # on a terminal: a pulsing bar while the suites run
            progress.add_task("check: expectation suites in PostgreSQL", total=None)
            summary = run_check(url, report, data_docs, CheckOptions(
                suites_dir=_settings().expectations_dir, accept_row_drop=accept_row_drop, wait_seconds=wait))
        for message in summary.failures[:20]:
            err.print(f"failed: {message}", highlight=False, soft_wrap=True)
        if len(summary.failures) > 20:
            err.print(f"({len(summary.failures) - 20} more failures; see {report})", highlight=False)
        docs = f"; data docs: {data_docs / 'index.html'}" if summary.data_docs else ""
        out.print(f"data quality (run {summary.run_id}): {summary.passed} passed, {summary.failed} failed "
                  f"in {summary.suites} suites; report: {report}{docs}", highlight=False, soft_wrap=True)
        if summary.failed:
            raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations up to REVISION (default: head)."""
    with failures():
        from etnc_db.db.session import upgrade

        upgrade(_url(), _settings().views_dir, revision)
        out.print(f"database at {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="Target revision (base removes everything).")) -> None:
    """Revert migrations down to REVISION."""
    with failures():
        from etnc_db.db.session import downgrade

        downgrade(_url(), revision)
        out.print(f"database at {revision}")


LISTEN = typer.Option(None, "--listen", metavar="[HOST:]PORT|off", help=(
    "Also accept TCP connections on HOST:PORT (127.0.0.1 when only a port is given) with scram-sha-256 "
    "passwords, for BI tools; the superuser stays on the Unix socket. Kept for later starts; `off` turns it off."))


def _server():
    from etnc_db.db.server import EmbeddedServer

    return EmbeddedServer(_settings().state_dir)


def _embedded() -> bool:
    return not os.environ.get("DATABASE_URL")


@db_app.command("start")
def db_start(listen: str | None = LISTEN) -> None:
    """Start the embedded PostgreSQL (data under .etnc/, private to you) and print its URL."""
    with failures():
        from etnc_db.config import mask_url

        if not _embedded():
            if listen is not None:
                fail("--listen applies to the embedded server, and DATABASE_URL is set")
            out.print(mask_url(_url()), highlight=False, soft_wrap=True)
            return
        server = _server()
        out.print(mask_url(server.start(listen=listen)), highlight=False, soft_wrap=True)
        tcp = server.listen()
        if tcp is not None:
            err.print(f"readers (scram-sha-256, database etnc): {tcp}; the superuser only on the socket",
                      highlight=False, soft_wrap=True)


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL."""
    with failures():
        stopped = _server().stop()
        out.print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")


@db_app.command("url")
def db_url() -> None:
    """Print the database URL (DATABASE_URL, else the embedded server, started if needed); a password shows as ***."""
    with failures():
        from etnc_db.config import mask_url

        print(mask_url(_url()))


def _reader_password(password_file: Path | None) -> str:
    """The reader's password: from --password-file, else ETNC_READER_PASSWORD, else asked
    twice at the terminal without echo. Never from the command line (it shows in `ps`)."""
    if password_file is not None:
        lines = password_file.read_text(encoding="utf-8").splitlines()
        password = lines[0] if lines else ""
    elif os.environ.get("ETNC_READER_PASSWORD"):
        password = os.environ["ETNC_READER_PASSWORD"]
    elif sys.stdin.isatty():
        password = typer.prompt("Password for the reader", hide_input=True, confirmation_prompt=True)
    else:
        fail("no password: give --password-file PATH, set ETNC_READER_PASSWORD, or run in a terminal to be asked")
    if not password:
        fail("the password is empty")
    return password


@db_app.command("create-reader")
def db_create_reader(name: str = typer.Argument(..., help="Role name to create."),
                     password_file: Path | None = typer.Option(
                         None, "--password-file", help="Read the password from this file (first line). "
                         "Else ETNC_READER_PASSWORD, else you are asked.")) -> None:
    """Create a login role that can read the mart views and nothing else, and print its URL."""
    with failures():
        from etnc_db.config import mask_url
        from etnc_db.db.roles import create_reader, reader_url

        password = _reader_password(password_file)
        url = _url()
        _require_schema(url)
        tcp = _server().listen() if _embedded() else None
        create_reader(url, name, password, cluster_databases=("postgres", "template1") if _embedded() else ())
        shown = reader_url(url, name, (tcp.url_host, tcp.port) if tcp else None)
        out.print(f"role {name} can now read schema mart: {mask_url(shown)}", highlight=False, soft_wrap=True)


@entities_app.command("unknown")
def entities_unknown(document: str | None = typer.Option(None, "--document", help="Only this document key."),
                     corpus: Path | None = CORPUS,
                     as_yaml: bool = typer.Option(False, "--yaml", help=(
                         "Print the proposed registry entries as YAML, ready to paste into "
                         "etl/reference/organizations/*.yaml (each with its evidence as a comment)."))) -> None:
    """List organization names in the documents that the registry does not know, with a proposed registry entry each."""
    with failures():
        from etnc_db.link.unknown_orgs import corpus_proposals, to_registry_yaml

        if document is not None:
            _require_document(corpus or _settings().corpus_dir, document)
        proposals = corpus_proposals(_settings(), corpus, document)
        if as_yaml:
            print(to_registry_yaml(proposals), end="")
            return
        if not proposals:
            out.print("no unknown organization names")
            return
        print_table("Unregistered organization names (proposed entries: --yaml)",
                    ["key", "name", "kind", "country", "count", "documents", "seen as"],
                    [[p.key, p.name, p.kind, p.country or "", str(p.count), ", ".join(p.documents),
                      "; ".join(p.surfaces)] for p in proposals])


def _require_document(corpus: Path, document: str) -> None:
    """Fail in one line when `document` is not the key of a document in `corpus`."""
    from etnc_db.extract.corpus import scan_corpus

    keys = sorted(source.key for source in scan_corpus(corpus).files)
    if document not in keys:
        fail(f"unknown document {document!r} in {corpus} (known: {', '.join(keys) or 'none'})")


@app.command()
def bench(scales: str = typer.Option("1,10,100", "--scales", help="Corpus multiples to measure, comma-separated (1 = the real corpus)."),
          out_dir: Path = typer.Option(Path("bench/out"), "--out", help="Folder for results.json, results.md and plans/."),
          server: str | None = typer.Option(None, "--server", help="Server URL for the bench_* databases (default: DATABASE_URL, else the local server)."),
          seed: int = typer.Option(20260, "--seed", help="Seed of the synthetic corpus generator."),
          keep: bool = typer.Option(False, "--keep", help="Keep each scale's built bench_x<N>_build0 database afterwards."),
          repeat: int = typer.Option(5, "--repeat", min=1, help="Runs per measurement (min and median are reported).")) -> None:
    """Benchmark builds, their COPY floors, no-op runs, check and queries at 1×/10×/100×; print the results."""
    with failures():
        from etnc_db.bench.results_markdown import markdown
        from etnc_db.bench.runner import Options, run_bench

        wanted = tuple(int(x) for x in scales.split(",") if x.strip())
        report = run_bench(out_dir, Options(wanted, server, seed, keep, repeat), log=lambda m: err.print(m, highlight=False))
        out.print(markdown(report), highlight=False, soft_wrap=True)


app.command("export")(cli_publish.export_command)
app.command("dictionary")(cli_publish.dictionary_command)
app.command("report")(cli_publish.report_command)
app.command("history")(cli_history.history)
app.command("release")(cli_history.release)
app.command("diff")(cli_history.diff)


def main() -> None:
    """Console entry point. Once a command is done, freeze the garbage collector: the
    interpreter's final collections would otherwise walk every object the Great
    Expectations import created, about 1 s of exit time after any run that validated
    something. Objects are still freed by reference counting and atexit hooks still run."""
    try:
        app()
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    main()
