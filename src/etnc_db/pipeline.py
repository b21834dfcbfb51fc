"""One ETL run, the stages in order — reference data, documents (parse + link + propose
candidates), curated facts, review statuses, the in-transaction gate, the mart refresh —
in one transaction, under the run lock, recorded in the run ledger. This module wires the stages; each stage lives in its
own package and never imports a later one.

Stages skip themselves when their inputs' fingerprint is unchanged, so a reload of
unchanged sources reads file hashes, compares them with the database and commits
nothing (zero rows touched)."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from etnc_db.config import Settings
from etnc_db.db import ledger
from etnc_db.extract import corpus as corpus_folder
from etnc_db.extract.parsed import CorpusError
from etnc_db.extract.plan import Stored, fingerprint, plan_documents
from etnc_db.faults import fault_point
from etnc_db.fingerprints import files_fingerprint, reference_fingerprint
from etnc_db.review.files import review_lock
from etnc_db.review.stage import ReviewStage
from etnc_db.tables import TableLoad, TableResult

# A run with nothing to do (the common periodic `load`) imports only the modules above;
# the stages that do work (parse, link, propose, facts, the loader, the gate) are
# imported where they run, so that a no-op run pays for none of them.

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
    force: bool = False  # accept a load that drops many rows or removes published fact keys silently
    prune: bool = False  # remove documents whose files left the corpus folder
    bulk: str = "auto"  # bulk-load mode for the document tables: auto, always or never
    strict: bool = False  # fail (changing nothing) while candidates of the loaded documents await review
    workers: int | None = None  # processes deriving documents (None: ETNC_WORKERS, else every core)
    on_stage: Callable[[str], None] | None = None  # test hook, called before each stage


@dataclass
class RunResult:
    run_id: int
    status: str = "running"
    documents: list[dict] = field(default_factory=list)
    tables: dict[str, dict[str, int]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    gate: list = field(default_factory=list)
    bulk: bool = False  # the document tables were loaded in bulk mode

    @property
    def rows_changed(self) -> int:
        return sum(sum(c.values()) for c in self.tables.values())

    def merge(self, tables: dict[str, TableResult]) -> None:
        for name, r in tables.items():
            counts = self.tables.setdefault(name, {"inserted": 0, "updated": 0, "deleted": 0})
            for k, v in r.as_dict().items():
                counts[k] += v
        for name in [n for n, c in self.tables.items() if not any(c.values())]:
            del self.tables[name]

    def details(self) -> dict:
        return {"table_counts": self.tables, "documents": self.documents, "timings": self.timings,
                "warnings": self.warnings}


def run(url: str, settings: Settings, options: RunOptions, progress=None, prefetched=None) -> RunResult:
    """Run the pipeline once. Raises RunFailed (after recording the failed run).
    `prefetched`: a started workers.Deriver already deriving the corpus (first builds)."""
    corpus_dir = options.corpus_dir or settings.corpus_dir
    try:
        conn = psycopg.connect(url, autocommit=False)
    except BaseException:
        if prefetched is not None:
            prefetched.close(failed=True)
        raise
    result: RunResult | None = None
    stages: _Run | None = None
    try:
        conn.execute("SET application_name = 'etnc-db'")
        ledger.acquire_lock(conn, options.wait_seconds)
        ledger.mark_abandoned(conn)
        result = RunResult(run_id=ledger.start(url, options.command, str(corpus_dir)))
        stages = _Run(conn, settings, options, corpus_dir, result, progress)
        stages.prefetched, prefetched = prefetched, None
        stages.stages()
        result.status = "succeeded"
        ledger.finish(conn, result.run_id, status="succeeded", details=result.details())
        conn.commit()
        return result
    except BaseException as exc:  # noqa: BLE001 - record every failure, then re-raise
        _abandon(conn)
        message = _one_line(exc)
        if result is not None:
            gate = result.gate

            def keep_gate(c):
                if gate:
                    from etnc_db.quality.gate import record

                    record(c, result.run_id, gate)
            ledger.record_failure(url, result.run_id, message, result.details(), after=keep_gate)
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise RunFailed(message, result.run_id if result else None) from exc
    finally:
        for unused in (prefetched, stages.prefetched if stages else None):
            if unused is not None:  # the run failed, or parsed nothing, before taking it
                unused.close(failed=True)
        conn.close()


def _stop_bar(progress) -> None:
    """Stop a Rich progress bar and wait for its redraw thread to end (a fork copies a lock
    that thread holds, and a worker writing to the terminal would wait on it forever)."""
    import threading

    progress.stop()
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and type(thread).__name__ == "_RefreshThread":
            thread.join(timeout=5)


def _abandon(conn: psycopg.Connection) -> None:
    """Roll back whatever the connection can still roll back; a broken connection ends
    its transaction anyway."""
    try:
        conn.rollback()
    except (psycopg.Error, KeyboardInterrupt):
        pass


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


class _Run:
    """The state of one run while its stages execute."""

    def __init__(self, conn, settings: Settings, options: RunOptions, corpus_dir: Path, result: RunResult, progress):
        self.conn, self.settings, self.options, self.corpus_dir = conn, settings, options, corpus_dir
        self.result, self.progress = result, progress
        self.log = None  # the loader's per-run state (load.upsert.RunLog), made at the first write
        self.state = dict(conn.execute("SELECT stage, fingerprint FROM etl.stage_state").fetchall())
        self.registry = None
        self.errata = None
        self.touched: list[str] = []
        self.rejects: list[tuple[str, int | None, str]] = []
        self.changed = {"reference": False, "documents": False, "facts": False}
        self.review = ReviewStage(conn, settings, result.run_id)
        self.keys = None  # the facts stage's key bookkeeping (facts.keys.KeyChanges) when it ran
        self.prefetched = None  # a workers.Deriver started before the run (first builds)
        self.reading = None  # the curated files read while the documents were derived (facts.resolve)
        self.reading_fp = None  # their fingerprint before the first was read

    @contextmanager
    def timed(self, name: str):
        t = time.perf_counter()
        try:
            yield
        finally:
            timings = self.result.timings
            timings[name] = round(timings.get(name, 0) + time.perf_counter() - t, 4)

    def hook(self, name: str) -> None:
        fault_point(name, self.conn)
        if self.options.on_stage:
            self.options.on_stage(name)

    def write(self, loads: list[TableLoad], timing: str) -> None:
        from etnc_db.load.upsert import RunLog, load_tables

        if self.log is None:
            self.log = RunLog(self.result.run_id)
        with self.timed(timing):
            self.result.merge(load_tables(self.conn, loads, self.log))

    def load_registry(self):
        if self.registry is None and self.prefetched is not None:
            self.registry = self.prefetched.registry  # read from the same files before the run
        if self.registry is None:
            from etnc_db.reference.registry import load_registry

            with self.timed("registry"):
                self.registry = load_registry(self.settings.reference_dir)
        return self.registry

    def load_errata(self):
        """The known source errata (etl/reference/errata.yaml) the parsers tolerate."""
        if self.errata is None:
            from etnc_db.extract.errata import load_errata

            self.errata = load_errata(self.settings.reference_dir)
        return self.errata

    def set_state(self, stage: str, fingerprint: str) -> None:
        self.conn.execute(
            "INSERT INTO etl.stage_state (stage, fingerprint, run_id) VALUES (%s, %s, %s) "
            "ON CONFLICT (stage) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, run_id = EXCLUDED.run_id",
            (stage, fingerprint, self.result.run_id))

    def stages(self) -> None:
        self.reference()
        with corpus_folder.corpus_lock(self.corpus_dir, shared=True):
            self.documents()
        if self.rejects:
            ledger.record_rejects(self.conn, self.result.run_id, self.rejects)
        with review_lock(self.settings.review_dir, shared=True, wait=max(self.options.wait_seconds, 60.0)):
            self.facts()  # the curated files and the decisions file are read as one consistent set
            self.reconcile()
        self.history()
        self.publish()
        self.hook("commit")

    # -- 1. reference data -----------------------------------------------------------

    def reference(self) -> None:
        self.hook("reference")
        self.ref_fp = reference_fingerprint(self.settings)
        if self.prefetched is not None and self.prefetched.salt != self._document_salt():
            self.prefetched.close(failed=True)  # the rules or the reference data changed since it started
            self.prefetched = None
        if self.state.get("reference") == self.ref_fp:
            return
        from etnc_db.reference.registry_rows import reference_loads

        self.write(reference_loads(self.load_registry()), "load_reference")
        self.set_state("reference", self.ref_fp)
        self.changed["reference"] = True

    # -- 2. documents ------------------------------------------------------------------

    def documents(self) -> None:
        self.hook("documents")
        with self.timed("scan"):
            corpus = corpus_folder.scan_corpus(self.corpus_dir)
            self._corpus_problems(corpus)
            stored = {k: Stored(sha, fp, size) for k, sha, fp, size in self.conn.execute(
                "SELECT document_key, sha256, fingerprint, byte_size FROM core.documents")}
            plan = plan_documents(corpus, stored, self._document_salt())
        self._check_removals(plan)
        if plan.to_parse or plan.removed:
            self._load_documents(plan)
            self.changed["documents"] = True
        self.plan = plan
        self.result.documents = [
            {"document_key": k, "file": plan.sources[k].file_name if k in plan.sources else None,
             "sha256": plan.sources[k].sha256 if k in plan.sources else None, "action": a}
            for k, a in plan.actions.items()]

    def _document_salt(self) -> str:
        if not hasattr(self, "doc_salt"):
            from etnc_db.workers import document_salt

            self.doc_salt = document_salt(self.settings, self.ref_fp)
        return self.doc_salt

    def _corpus_problems(self, corpus) -> None:
        """A refused file or a manifest mistake stops the run, or with --skip-bad is
        recorded (the file's document, if loaded before, stays as it was)."""
        problems = corpus.problems
        if not problems:
            return
        if not self.options.skip_bad:
            first = problems[0]
            more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
            raise CorpusError(first.file, first.line, first.reason + more)
        self.rejects.extend((p.file, p.line, p.reason) for p in problems)

    def _check_removals(self, plan) -> None:
        if plan.removed and not self.options.prune:
            names = ", ".join(plan.removed[:5]) + (f" and {len(plan.removed) - 5} more" if len(plan.removed) > 5 else "")
            raise CorpusError(str(self.corpus_dir), None,
                              f"{len(plan.removed)} loaded document(s) are not in this folder and would be removed "
                              f"({names}); nothing was changed. Use --prune to remove them, or `etnc-db remove KEY`")

    def _load_documents(self, plan) -> None:
        from etnc_db.extract.rows import DOCUMENT_TABLES, DocumentRows
        from etnc_db.load import bulk as bulk_mode

        self.result.bulk = bulk_mode.choose(self.options.bulk, first_build=not plan.stored)
        deferred = None
        if self.result.bulk:
            from etnc_db.load.catalog import table_info

            with self.timed("load_documents"):
                for table in DOCUMENT_TABLES:  # read the foreign keys before bulk mode drops them
                    table_info(self.conn, table)
                deferred = bulk_mode.drop(self.conn, DOCUMENT_TABLES)
        self.hook("documents_load")
        task = self.progress.add_task("parse + link", total=len(plan.to_parse)) if self.progress else None
        batch, size = DocumentRows(keys=list(plan.removed)), 0
        jobs = [(source, fingerprint(source, self._document_salt())) for source in plan.to_parse]
        deriver = self._deriver(jobs)
        idle = self._read_ahead(plan) if deriver.pool is not None else None
        try:
            for source, derived in deriver.results(jobs, idle):
                if not self._add_document(batch, source, derived, plan, deriver.pool is not None):
                    continue
                size += source.size
                if size >= DOCUMENT_BATCH_BYTES:
                    self._flush(batch)
                    batch, size = DocumentRows(), 0
                if task is not None:
                    self.progress.advance(task)
        except BaseException:
            deriver.close(failed=True)
            raise
        if deriver.pool is not None:  # the writer's time waiting for the workers
            self.result.timings["derive_wait"] = round(deriver.wait_seconds, 4)
        deriver.close()
        self._flush(batch)
        if deferred is not None:
            self._restore(deferred)

    def _deriver(self, jobs: list):
        """The prefetched pool when it derives with this run's inputs, else a new one (a
        pool for two or more documents, this process for one)."""
        from etnc_db.workers import Deriver

        prefetched, self.prefetched = self.prefetched, None
        if prefetched is not None:  # (its salt was checked when the run began)
            return prefetched
        registry = self.load_registry()
        if self.progress is not None:  # no thread may run while the workers fork (the bar's redraws)
            _stop_bar(self.progress)
        try:
            return Deriver.for_jobs(self.settings, jobs, self.options.workers, self._document_salt(), registry)
        finally:
            if self.progress is not None:
                self.progress.start()

    def _add_document(self, batch, source, derived, plan, in_worker: bool) -> bool:
        """Add one derived document to the batch; False when it was rejected."""
        from etnc_db.workers import TIMING_PREFIX

        if isinstance(derived, CorpusError):
            if not self.options.skip_bad:
                raise derived
            self.rejects.append((derived.file, derived.line, derived.reason))
            plan.actions[source.key] = "rejected"
            return False
        for name, seconds in derived.timings.items():  # work in worker processes is named so
            name = TIMING_PREFIX + name if in_worker else name
            self.result.timings[name] = round(self.result.timings.get(name, 0) + seconds, 4)
        batch.keys.append(derived.key)
        for table, rows in derived.rows.items():
            batch.rows[table].extend(rows)
        batch.warnings.extend(derived.warnings)
        self.review.add(derived.key, derived.candidates, derived.proposed)
        return True

    def _flush(self, batch) -> None:
        if not batch.keys:
            return
        self.write(batch.loads() + self.review.loads(batch.keys), "load_documents")
        self.result.warnings.extend(batch.warnings)
        self.touched.extend(batch.keys)

    def _restore(self, deferred) -> None:
        from etnc_db.load import bulk as bulk_mode
        from etnc_db.load.catalog import forget

        self.hook("documents_bulk_restore")  # rows written, indexes and foreign keys still dropped
        with self.timed("load_documents"):
            bulk_mode.restore(self.conn, deferred)
        forget(self.conn)

    # -- 3. curated facts ----------------------------------------------------------------

    def _facts_fingerprint(self) -> str:
        curated = list(self.settings.curated_dir.rglob("*.yaml")) if self.settings.curated_dir.exists() else []
        return files_fingerprint(curated, salt=f"facts-v3|{self.ref_fp}")

    def _read_ahead(self, plan):
        """While the workers derive the documents, the curated files the facts stage will
        read (when it will run): a function reading one file per call, for Deriver.results.
        It reads outside the review files' lock: the facts stage uses it only if the files'
        fingerprint under the lock is the one taken before the first file was read."""
        touched = {s.key for s in plan.to_parse}
        fp = self._facts_fingerprint()
        if self.state.get("facts") == fp and not (self._quoted() & touched):
            return None
        from etnc_db.facts.resolve import CuratedReading

        keys = (set(plan.stored) - set(plan.removed)) | touched
        self.reading = CuratedReading(self.settings.curated_dir, self.load_registry(), keys)
        self.reading_fp = fp  # the files as they were before the first was read

        def read_one() -> bool:
            with self.timed("facts"):
                return self.reading.read_next()
        return read_one

    def facts(self) -> None:
        """The facts depend on the curated files, the reference data and the documents
        their evidence quotes; a touched document no evidence uses leaves them as they are."""
        self.hook("facts")
        fp = self._facts_fingerprint()
        if self.state.get("facts") == fp and not (self.touched and self._quoted() & set(self.touched)):
            return
        from etnc_db.facts.documents import read_documents
        from etnc_db.facts.resolve import resolve_facts
        from etnc_db.reference import fx

        fx.use_cache(self.settings.state_dir / "fx-rates.json")
        reading, self.reading = self.reading, None  # freed with the resolution, not kept for the run
        if reading is not None and self.reading_fp != fp:  # a curated file changed while it was read ahead
            reading = None
        with self.timed("facts"):
            resolved = resolve_facts(self.settings.curated_dir, self.load_registry(), read_documents(self.conn),
                                     reading)
        del reading
        self.keys = self._check_keys(resolved)
        self.write(resolved.loads, "load_facts")
        self.set_state("facts", fp)
        self.changed["facts"] = True

    def _quoted(self) -> set[str]:
        """The documents curated evidence quotes."""
        return {k for (k,) in self.conn.execute(
            "SELECT DISTINCT d.document_key FROM core.evidence e JOIN core.documents d USING (document_id)")}

    # -- 4. review statuses -------------------------------------------------------------

    def reconcile(self) -> None:
        """Every candidate's status from the published facts and the decisions file (the
        gate samples the candidates' spans with the others); with --strict, no candidate
        may be left pending."""
        self.hook("review")
        with self.timed("review"):
            updated, loads = self.review.reconcile(touched=self.touched, facts_changed=self.changed["facts"])
            self.result.merge(updated)
        if loads:
            self.write(loads, "load_review")
        self.review.report(self.result.documents)
        if self.options.strict:
            self.review.check_strict()

    def _check_keys(self, resolved):
        """Every published key stays defined, replaced or withdrawn (else refused unless --force)."""
        from etnc_db.facts.keys import check_keys

        defined = {row["fact_key"] for load in resolved.loads if load.table == "core.facts" for row in load.rows}
        return check_keys(self.conn, defined, resolved.replaces, resolved.withdrawn, self.settings.curated_dir,
                          self.options.force)

    # -- 5. history ------------------------------------------------------------------------

    def history(self) -> None:
        """Fact versions, key redirects and withdrawals, first seen / last changed stamps
        (publish/history.py): after the facts are written, only when they or the reference
        data changed; every fact is compared when the history is not known to be complete."""
        if not (self.changed["facts"] or self.changed["reference"]):
            return
        self.hook("history")
        from etnc_db.publish.history import FINGERPRINT, record_history

        fp = hashlib.sha256(FINGERPRINT.encode()).hexdigest()
        with self.timed("history"):
            done = record_history(self.conn, self.result.run_id, self.keys, reconcile=self.state.get("history") != fp,
                                  reference_changed=self.changed["reference"])
        self.result.merge(done.tables())
        self.set_state("history", fp)

    # -- 6. gate and marts -----------------------------------------------------------

    def publish(self) -> None:
        self._document_facts()
        if not self.result.rows_changed:
            return
        if self.changed["facts"] or self.changed["reference"]:
            from etnc_db.db.views import refresh_materialized

            with self.timed("refresh_marts"):
                refresh_materialized(self.conn)
        self.hook("gate")
        from etnc_db.quality.gate import run_gate

        with self.timed("gate"):
            run_gate(self.conn, self.result.run_id, documents=self.touched, evidence=self.changed["facts"],
                     force=self.options.force, sink=self.result.gate)

    def _document_facts(self) -> None:
        """Per new or changed document: its published facts; a warning when it has none."""
        parsed = [d for d in self.result.documents if d["action"] in ("new", "changed", "rederived")]
        if not parsed:
            return
        counts = dict(self.conn.execute(
            "SELECT d.document_key, count(DISTINCT e.fact_id) FROM core.documents d "
            "LEFT JOIN core.evidence e USING (document_id) WHERE d.document_key = ANY(%s) GROUP BY 1",
            ([d["document_key"] for d in parsed],)).fetchall())
        for d in parsed:
            d["facts"] = counts.get(d["document_key"], 0)
            if d["facts"] == 0:
                has_file = (self.settings.curated_dir / d["document_key"]).is_dir()
                why = "its curated file records none" if has_file else "no curated file"
                self.result.warnings.append(f"{d['document_key']}: 0 facts: {why}")

