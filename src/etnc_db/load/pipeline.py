"""One ETL run: reference data, documents, curated facts, validation, invariants —
in one transaction, under the advisory lock, recorded in the run ledger.

Stages skip themselves when their inputs' fingerprint is unchanged, so a reload of
unchanged sources reads file hashes, compares them with the database and commits
nothing (zero rows touched). Great Expectations is imported only when a run changed
something."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from etnc_db.config import Settings
from etnc_db.extract.model import CorpusError
from etnc_db.load import bulk as bulk_mode
from etnc_db.load import document_stage as ds
from etnc_db.load.ledger import Ledger, acquire_lock, release_lock
from etnc_db.load.upsert import LoadError, TableResult, load_tables

# Parse + link + load the documents in batches of about this many source bytes.
DOCUMENT_BATCH_BYTES = int(os.environ.get("ETNC_DOCUMENT_BATCH_BYTES", "8000000"))


class RunFailed(Exception):
    """A run failed and rolled back; `str()` is the one-line reason."""

    def __init__(self, message: str, run_id: int | None = None):
        super().__init__(message)
        self.run_id = run_id


@dataclass
class RunOptions:
    command: str = "load"
    corpus_dir: Path | None = None
    skip_bad: bool = False
    wait_seconds: float = 0.0
    force: bool = False  # accept a load that drops many rows
    validate: bool = True
    # bulk-load mode for the document tables (load/bulk.py): auto, always or never
    bulk: str = "auto"
    # test hook: called with the stage name before each stage, inside the transaction
    on_stage: Callable[[str], None] | None = None


@dataclass
class RunResult:
    run_id: int
    status: str
    documents: list[dict] = field(default_factory=list)
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    dq_failures: list[str] = field(default_factory=list)
    bulk: bool = False  # the document tables were loaded in bulk mode

    @property
    def rows_changed(self) -> int:
        return sum(sum(c.values()) for c in self.tables.values())


def files_fingerprint(paths: list[Path], salt: str = "") -> str:
    h = hashlib.sha256(salt.encode())
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def reference_files(settings: Settings) -> list[Path]:
    return sorted(settings.reference_dir.rglob("*.yaml"))


def curated_files(settings: Settings) -> list[Path]:
    return sorted(settings.curated_dir.rglob("*.yaml")) if settings.curated_dir.exists() else []


def _stage_state(conn: psycopg.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT stage, fingerprint FROM etl.stage_state").fetchall())


def _set_stage_state(conn: psycopg.Connection, stage: str, fp: str, run_id: int) -> None:
    conn.execute(
        "INSERT INTO etl.stage_state (stage, fingerprint, run_id) VALUES (%s, %s, %s) "
        "ON CONFLICT (stage) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, run_id = EXCLUDED.run_id",
        (stage, fp, run_id),
    )


class Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    def __call__(self, name: str):
        timer = self

        class _T:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                timer.timings[name] = round(timer.timings.get(name, 0) + time.perf_counter() - self.t, 4)

        return _T()


def run(url: str, settings: Settings, options: RunOptions, progress=None) -> RunResult:
    """Run the pipeline once. Raises RunFailed (after recording the failed run)."""
    corpus_dir = options.corpus_dir or settings.corpus_dir
    ledger = Ledger(url)
    conn = psycopg.connect(url, autocommit=False)
    run_id = None
    timer = Timer()
    result = None
    try:
        conn.execute("SET application_name = 'etnc-db'")
        conn.commit()
        acquire_lock(conn, options.wait_seconds)
        conn.commit()
        ledger.mark_abandoned()
        run_id = ledger.start(options.command, str(corpus_dir))
        result = RunResult(run_id=run_id, status="running")
        _run_stages(conn, url, settings, corpus_dir, options, result, timer, ledger, progress)
        result.timings = timer.timings
        result.status = "succeeded"
        conn.commit()
        ledger.finish(run_id, status="succeeded", table_counts=result.tables,
                      documents=result.documents, timings=result.timings)
        return result
    except BaseException as exc:  # noqa: BLE001 - record every failure, then re-raise
        conn.rollback()
        message = _one_line(exc)
        if run_id is not None:
            ledger.finish(run_id, status="failed", error=message,
                          documents=result.documents if result else None, timings=timer.timings)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise RunFailed(message, run_id) from exc
    finally:
        try:
            release_lock(conn)
            conn.commit()
        except Exception:  # noqa: BLE001 - the connection may be gone
            pass
        conn.close()
        ledger.close()


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def _fault(stage: str) -> None:
    """Test-only fault injection: ETNC_FAULT_AT=<stage>:kill|raise|sleep[=seconds] kills
    the process (SIGKILL), raises, or sleeps (holding the lock) before <stage> starts.
    Stages: reference, documents, documents_load, documents_bulk_restore (bulk mode only),
    facts, invariants, validate, commit."""
    spec = os.environ.get("ETNC_FAULT_AT", "")
    at, _, action = spec.partition(":")
    if at != stage:
        return
    import sys

    print(f"fault: {action} at {stage}", file=sys.stderr, flush=True)
    if action == "kill":
        os.kill(os.getpid(), 9)
    elif action == "raise":
        raise RuntimeError(f"injected fault at {stage}")
    elif action.startswith("sleep"):
        time.sleep(float(action.partition("=")[2] or 30))


def _run_stages(conn, url, settings, corpus_dir, options, result: RunResult, timer: Timer, ledger, progress) -> None:
    def load_registry(path):  # pydantic and the registry are imported only when needed
        from etnc_db.reference.registry import load_registry as load

        return load(path)

    def hook(name: str) -> None:
        _fault(name)
        if options.on_stage:
            options.on_stage(name)

    state = _stage_state(conn)
    frames_changed = False
    dq_results: list = []

    def write(loads: list, timing: str) -> None:
        """Validate a stage's rows (pre_load), then write them; nothing invalid is written.
        Validation is timed as `validate`, the write as `timing`."""
        if options.validate:
            with timer("validate"):
                from etnc_db.quality import suites

                results = suites.validate_loads(conn, loads)
                dq_results.extend(results)
                if any(not r.success for r in results):
                    failures = suites.finish_validation(conn, result.run_id, dq_results)
                    result.dq_failures = failures
                    raise LoadError("data-quality check failed: " + "; ".join(failures[:3]))
        with timer(timing):
            _merge(result, load_tables(conn, loads, result.run_id))

    # 1. reference data
    hook("reference")
    with timer("reference"):
        ref_fp = files_fingerprint(reference_files(settings), salt="reference-v1")
        registry = load_registry(settings.reference_dir) if state.get("reference") != ref_fp else None
    reference_ran = registry is not None
    if reference_ran:
        from etnc_db.load.reference_stage import reference_loads

        write(reference_loads(registry), "load_reference")
        _set_stage_state(conn, "reference", ref_fp, result.run_id)
        frames_changed = True

    # 2. documents
    hook("documents")
    with timer("scan"):
        files = ds.scan_corpus(corpus_dir)
        plan = ds.plan_documents(conn, files, ref_fp)
    rejects: list[tuple[str, int | None, str]] = []
    to_parse = plan.to_parse
    touched: list[str] = []
    if to_parse or plan.removed:
        linker = None
        if to_parse:
            if registry is None:
                registry = load_registry(settings.reference_dir)
            from etnc_db.link.linker import Linker

            with timer("link_compile"):
                linker = Linker(registry)
        task = progress.add_task("parse + link", total=len(to_parse)) if progress else None
        hook("documents_load")
        # Parse, link and load in batches of documents so peak memory does not grow with
        # the corpus: each batch's loads are scoped to that batch's document keys.
        batch_rows, batch_keys, batch_bytes = ds.DocumentRows(), list(plan.removed), 0
        new_bytes = sum(source.size for source in to_parse)
        replaces = any(plan.actions[s.key] != "new" for s in to_parse)
        touched_keys = {s.key for s in to_parse} | set(plan.removed)
        kept = sum(size for key, size in plan.loaded_bytes.items() if key not in touched_keys)
        result.bulk = bulk_mode.choose(options.bulk, new_bytes, kept, replaces)
        deferred = None
        if result.bulk:
            with timer("load_documents"):
                deferred = bulk_mode.drop(conn, ds.DOCUMENT_TABLES)

        def flush() -> None:
            nonlocal batch_rows, batch_keys, batch_bytes
            if not batch_keys:
                return
            write(ds.document_loads(batch_rows, batch_keys), "load_documents")
            result.warnings.extend(batch_rows.warnings)
            touched.extend(batch_keys)
            batch_rows, batch_keys, batch_bytes = ds.DocumentRows(), [], 0

        for source in to_parse:
            try:
                with timer("parse"):
                    text, parsed = ds.parse_source(source)
            except CorpusError as exc:
                if not options.skip_bad:
                    raise
                rejects.append((exc.file, exc.line, exc.reason))
                plan.actions[source.key] = "rejected"
                continue
            with timer("link"):
                batch_rows.add(source, text, parsed, linker, ref_fp)
            batch_keys.append(source.key)
            batch_bytes += source.size
            if batch_bytes >= DOCUMENT_BATCH_BYTES:
                flush()
            if task is not None:
                progress.advance(task)
        flush()
        if deferred is not None:
            hook("documents_bulk_restore")  # rows written, indexes and foreign keys still dropped
            with timer("load_documents"):
                bulk_mode.restore(conn, deferred)
                slow = bulk_mode.unusable_indexes(conn, deferred)
            if slow:
                result.warnings.append(
                    f"bulk mode: rows updated in place leave {len(slow)} re-created index(es) unusable for the rest "
                    f"of this run ({', '.join(slow[:3])}); its checks run slower, the data is not affected")
        frames_changed = True
    result.documents = [
        {"document_key": k, "file": plan.sources[k].file_name if k in plan.sources else None,
         "sha256": plan.sources[k].sha256 if k in plan.sources else None, "action": a}
        for k, a in plan.actions.items()
    ]
    if rejects:
        ledger.record_rejects(result.run_id, rejects)

    # 3. curated facts
    hook("facts")
    facts_ran = False
    facts_loads = None
    with timer("facts"):
        # The facts depend on the curated files, the reference data and the documents the
        # evidence quotes; a touched document that no evidence uses (e.g. a new news item)
        # leaves every resolved fact as it is, so the stage is skipped.
        facts_fp = files_fingerprint(curated_files(settings), salt=f"facts-v2|{ref_fp}")
        if state.get("facts") != facts_fp or (touched and _evidence_documents(conn) & set(touched)):
            from etnc_db.facts import stage as facts_stage

            if registry is None:
                registry = load_registry(settings.reference_dir)
            facts_loads = facts_stage.fact_loads(conn, settings.curated_dir, registry)
    if facts_loads is not None:
        write(facts_loads, "load_facts")
        _set_stage_state(conn, "facts", facts_fp, result.run_id)
        facts_ran = frames_changed = True

    # 4. materialized mart views, then invariants and data quality, when something changed
    if (facts_ran or reference_ran) and result.rows_changed:
        with timer("refresh_marts"):
            from etnc_db.db.views import refresh_materialized

            refresh_materialized(conn)
    if frames_changed and result.rows_changed:
        hook("invariants")
        with timer("invariants"):
            from etnc_db.quality.invariants import check_invariants

            # re-derived documents are among the touched ones, so their spans are checked
            check_invariants(conn, documents=touched, evidence=facts_ran)
        if options.validate:
            hook("validate")
            with timer("validate"):
                from etnc_db.quality import suites

                dq_results.extend(suites.validate_published(conn, result.run_id, force=options.force))
                failures = suites.finish_validation(conn, result.run_id, dq_results)
                result.dq_failures = failures
                if failures:
                    raise LoadError("data-quality check failed: " + "; ".join(failures[:3]))
    hook("commit")


def _evidence_documents(conn) -> set[str]:
    from etnc_db.facts.stage import evidence_documents

    return evidence_documents(conn)


def _merge(result: RunResult, tables: dict[str, TableResult]) -> None:
    for name, r in tables.items():
        counts = result.tables.setdefault(name, {"inserted": 0, "updated": 0, "deleted": 0})
        for k, v in r.as_dict().items():
            counts[k] += v
    # keep only tables that changed
    for name in [n for n, c in result.tables.items() if not any(c.values())]:
        del result.tables[name]

