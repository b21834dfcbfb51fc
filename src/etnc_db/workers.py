"""The documents stage's per-document work — read the file, parse it, link it, propose its
candidates, make its rows — as one pure function (:func:`derive`), run on every core.

A run that derives two or more documents (or one long one) hands them to a pool of
worker processes (a ``ProcessPoolExecutor`` with `fork`: the workers start in milliseconds and share what the parent
has loaded — the registry, the date parser's and the segmenter's first-use work); each
worker loads the errata and the extraction rules once. The single writer (the run's own
connection) receives the results *in corpus order*, with a bounded window of documents
in flight (IN_FLIGHT_PER_WORKER, IN_FLIGHT_BYTES), so ids, rows and candidates are the
same whatever the worker count (``ETNC_WORKERS``, ``--workers``; 1 derives in the run's
own process) and memory does not grow with the corpus. While it waits, the writer does
other work it will need (the run reads the curated files). A document that holds most of
a run's text is proposed in one part per worker (:func:`tasks_of`, :func:`merge`).

A first build (no document loaded yet) starts the pool *before* the schema is migrated
(:func:`prefetch`), so parsing overlaps the migration; the run then takes the prefetched
results whose document and fingerprint it still plans to load, and derives the others.

Workers ignore Ctrl-C (the run stops them) and die with the run's process (Linux
``PR_SET_PDEATHSIG``), so a killed run leaves no worker behind; a worker that dies (killed,
out of memory) fails the run at once with a one-line error (:class:`WorkerDied`) instead
of leaving it waiting."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from etnc_db.config import Settings
from etnc_db.extract.corpus import SourceFile

# Documents in flight: enough to keep every worker busy while the writer loads a batch
# (see pipeline.DOCUMENT_BATCH_BYTES), few enough that a large corpus never waits in
# memory: at most this many per worker and this much source text (but always one per worker).
IN_FLIGHT_PER_WORKER = 16
IN_FLIGHT_BYTES = 16_000_000

Job = tuple[SourceFile, str]  # a document and the fingerprint its rows will carry
Task = tuple[SourceFile, str, tuple[int, int]]  # a job and the part (k of n) of it to propose

# A document of at least this size that holds more than one worker's share of the run's
# text is proposed in one part per worker (each part parses and links the whole document
# again, a fraction of proposing it): a first build of one long report uses every core.
SPLIT_MIN_BYTES = 100_000

# The run's timings (etl.runs.timings) of work done in worker processes start with this:
# seconds summed over the workers, spent alongside the run's own stages.
TIMING_PREFIX = "worker "


def worker_count(requested: int | None = None) -> int:
    """`requested`, else ``ETNC_WORKERS``, else the number of cores this process may use."""
    if requested is None and os.environ.get("ETNC_WORKERS", "").strip():
        try:
            requested = int(os.environ["ETNC_WORKERS"])
        except ValueError:
            raise ValueError(f"ETNC_WORKERS={os.environ['ETNC_WORKERS']!r} is not a whole number") from None
    if requested is None:
        requested = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if requested < 1:
        raise ValueError(f"the worker count must be 1 or more, not {requested}")
    return requested


@dataclass
class Derived:
    """One document's rows: the document tables' (by table), its review candidates, the
    keys it proposed, the parser's warnings, and the seconds each step took."""

    key: str
    rows: dict[str, list[dict[str, Any]]]
    warnings: list[str]
    candidates: list[dict[str, Any]]
    proposed: set[str]
    timings: dict[str, float] = field(default_factory=dict)


class Context:
    """What every derivation reads besides its document, built once per process."""

    def __init__(self, settings: Settings, registry=None):
        from etnc_db.extract.errata import load_errata
        from etnc_db.link.linker import Linker
        from etnc_db.propose import load_rules, load_weights
        from etnc_db.reference.registry import load_registry

        self.errata = load_errata(settings.reference_dir)
        self.linker = Linker(registry if registry is not None else load_registry(settings.reference_dir))
        self.rules = load_rules(settings.extraction_dir, settings.reference_dir)
        self.weights = load_weights(settings.extraction_dir / "confidence.json")


def derive(ctx: Context, source: SourceFile, fingerprint: str, part: tuple[int, int] = (0, 1)) -> Derived:
    """Read, parse, link and propose one document and make its rows. Raises CorpusError
    (``file:line: reason``) for a file that cannot be loaded. ``part=(k, n)``: propose
    only the k-th of n parts of the document; part 0 alone makes the document's rows
    (:func:`merge` joins the parts)."""
    from etnc_db.extract import corpus as corpus_folder
    from etnc_db.extract.parse import parse_document
    from etnc_db.extract.rows import DocumentMeta, DocumentRows
    from etnc_db.review.stage import propose_rows

    timings: dict[str, float] = {}
    t = time.perf_counter()
    text = corpus_folder.read_document(source)
    parsed = parse_document(text, kind=source.kind, file_name=source.file_name, title=source.title,
                            errata=ctx.errata)
    t = _lap(timings, "parse", t)
    mentions = link_document(text, parsed, ctx.linker)
    t = _lap(timings, "link", t)
    candidates, proposed = propose_rows(source, text, parsed, mentions, ctx, part)
    t = _lap(timings, "propose", t)
    rows = DocumentRows()
    if part[0] == 0:
        rows.add(DocumentMeta(source.key, source.file_name, source.sha256, source.size, source.kind, fingerprint,
                              source.title, source.publisher, source.published), text, parsed, mentions)
    _lap(timings, "rows", t)
    return Derived(source.key, rows.rows, rows.warnings, candidates, proposed, timings)


def merge(parts: list[Derived]) -> Derived:
    """One document's parts as the document: part 0's rows, every part's candidates in
    order with duplicate keys numbered across the parts."""
    from etnc_db.propose.candidate import extraction_hash
    from etnc_db.propose.extract import numbered

    if len(parts) == 1:
        return parts[0]
    candidates = [row for p in parts for row in p.candidates]
    for row, key in zip(candidates, numbered([row["candidate_key"] for row in candidates]), strict=True):
        if key != row["candidate_key"]:
            row["candidate_key"] = key
            row["extraction_hash"] = extraction_hash(key, row["fact_type"], row["proposed"])
    timings: dict[str, float] = {}
    for p in parts:
        for name, seconds in p.timings.items():
            timings[name] = timings.get(name, 0.0) + seconds
    first = parts[0]
    return Derived(first.key, first.rows, first.warnings, candidates, {r["candidate_key"] for r in candidates}, timings)


def tasks_of(jobs: list[Job], workers: int) -> list[Task]:
    """The jobs as tasks: a long document that holds more than one worker's share of the
    run's text in one part per worker (see SPLIT_MIN_BYTES), any other in one."""
    total = sum(source.size for source, _ in jobs)
    out = []
    for source, fp in jobs:
        n = workers if workers > 1 and source.size >= SPLIT_MIN_BYTES and source.size * workers > total else 1
        out += [(source, fp, (k, n)) for k in range(n)]
    return out


def _lap(timings: dict[str, float], name: str, since: float) -> float:
    now = time.perf_counter()
    timings[name] = now - since
    return now


def link_document(text: str, parsed, linker) -> list:
    """Mentions in the passages, headings and table rows of a parsed document, as
    (section key, passage key or None, mention)."""
    out = []
    for p in parsed.passages:
        for start, end in p.segments:
            out += [(p.section_key, p.key, m) for m in linker.link(text[start:end], offset=start)]
    for s in parsed.sections:
        if s.kind == "heading" and s.title and text.startswith(s.title, s.char_start):
            out += [(s.key, None, m) for m in linker.link(s.title, offset=s.char_start)]
    for r in parsed.table_rows:
        out += [(r.section_key, None, m) for m in linker.link(text[r.char_start:r.char_end], offset=r.char_start)]
    seen, unique = set(), []
    for item in out:
        key = (item[2].char_start, item[2].char_end)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


# ----------------------------------------------------------------------------- the pool

_CONTEXT: Context | None = None  # a worker process's context (set by _start_worker)


def _start_worker(settings: Settings, registry) -> None:
    global _CONTEXT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the run, which stops its workers
    _die_with_parent()
    _CONTEXT = Context(settings, registry)


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when the run's process dies (even by SIGKILL)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: workers still end when their queue closes
        pass
    if os.getppid() == 1:  # the parent died before the request took effect
        os._exit(1)


def _warm_up() -> None:
    """Costs every worker would pay on its first document, paid once before they fork:
    the date parser's English data and time-zone patterns, the sentence segmenter's."""
    import dateparser

    from etnc_db.propose.extract import split_sentences

    dateparser.parse("5 May 2021", languages=["en"])
    split_sentences("The plant opened in May. It employs 300 people.")


def _derive_in_worker(task: Task) -> Derived:
    from etnc_db.faults import fault_point

    assert _CONTEXT is not None
    fault_point("derive")
    return derive(_CONTEXT, *task)


class Deriver:
    """Derives documents for one run: in a pool of `workers` processes, or in this
    process when `workers` is 1. Results come back in the order asked for, with a window
    of documents in flight (IN_FLIGHT_PER_WORKER, IN_FLIGHT_BYTES); the first window
    starts longest first, so that one long report does not start last."""

    def __init__(self, settings: Settings, workers: int, salt: str = "", registry=None):
        self.settings, self.workers, self.salt, self.registry = settings, workers, salt, registry
        self.pool = None
        self.pending: dict[tuple, Any] = {}  # (document key, fingerprint, part) -> Future
        self.window = workers * IN_FLIGHT_PER_WORKER
        self._context: Context | None = None
        self.wait_seconds = 0.0

    @classmethod
    def for_jobs(cls, settings: Settings, jobs: list[Job], requested: int | None, salt: str, registry=None) -> Deriver:
        """A started Deriver for `jobs`: a pool when there is work for two processes or more."""
        workers = worker_count(requested)
        if len(tasks_of(jobs, workers)) < 2:
            workers = 1
        return cls(settings, workers, salt, registry).start()

    def start(self) -> Deriver:
        """Fork the workers (they share this process's registry, when it has one, and the
        first-use work `_warm_up` does once for all of them)."""
        if self.workers > 1 and self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            _warm_up()
            # (an executor, not multiprocessing.Pool: a worker that dies fails its document's
            # future with BrokenProcessPool, where a Pool would wait for it forever)
            self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                            initializer=_start_worker, initargs=(self.settings, self.registry))
        return self

    def prefetch(self, jobs: list[Job]) -> None:
        """Start deriving the first jobs the run will ask for (pool only)."""
        if self.pool is not None:
            tasks = tasks_of(jobs, self.workers)
            for task in _longest_first(tasks[: self._window_end(tasks, 0)]):
                self._submit(task)

    def _submit(self, task: Task) -> None:
        ident = (task[0].key, *task[1:])
        if ident not in self.pending:
            self.pending[ident] = self.pool.submit(_derive_in_worker, task)

    def results(self, jobs: list[Job], idle=None) -> Iterator[tuple[SourceFile, Any]]:
        """(source, Derived or the CorpusError it raised) for every job, in order. While a
        result is not ready, `idle()` is called (one unit of other work each time; it
        returns False when it has none left)."""
        from etnc_db.extract.parsed import CorpusError

        if self.pool is None:
            if self._context is None:
                self._context = Context(self.settings, self.registry)
            for source, fp in jobs:
                try:
                    yield source, derive(self._context, source, fp)
                except CorpusError as exc:
                    yield source, exc
            return
        tasks = tasks_of(jobs, self.workers)
        wanted = {(source.key, *rest) for source, *rest in tasks}
        for ident in [i for i in self.pending if i not in wanted]:  # prefetched, no longer asked for
            self.pending.pop(ident).cancel()
        submitted = 0  # tasks[:submitted] have been submitted
        parts: list = []
        for i, (source, fp, (k, n)) in enumerate(tasks):
            end = self._window_end(tasks, i)
            for task in (_longest_first(tasks[submitted:end]) if i == 0 else tasks[submitted:end]):
                self._submit(task)
            submitted = max(submitted, end)
            try:
                parts.append(self._take((source.key, fp, (k, n)), idle))
            except CorpusError as exc:
                parts.append(exc)
            if k == n - 1:
                refused = next((p for p in parts if isinstance(p, CorpusError)), None)
                yield source, refused or merge(parts)
                parts = []

    def _window_end(self, tasks: list[Task], i: int) -> int:
        """The end of the window of tasks that may be in flight while task i is awaited."""
        end, size = i, 0
        while end < len(tasks) and (end - i < self.workers or (
                end - i < self.window and size + tasks[end][0].size <= IN_FLIGHT_BYTES)):
            size += tasks[end][0].size
            end += 1
        return end

    def _take(self, ident: tuple, idle=None) -> Derived:
        from concurrent.futures.process import BrokenProcessPool

        future = self.pending.pop(ident)
        while idle is not None and not future.done():
            if not idle():
                idle = None
        t = time.perf_counter()
        try:
            return future.result()
        except BrokenProcessPool:
            raise WorkerDied(f"a worker process died (killed, or out of memory?) while deriving the documents; "
                             f"the first one missing is {ident[0]}") from None
        finally:
            self.wait_seconds += time.perf_counter() - t

    def close(self, *, failed: bool = False) -> None:
        """Stop the workers: at once (killed) when the run failed or work is in flight."""
        if self.pool is not None:
            if failed or self.pending:
                for future in self.pending.values():
                    future.cancel()
                if hasattr(self.pool, "kill_workers"):  # Python 3.14
                    self.pool.kill_workers()
                for process in list((getattr(self.pool, "_processes", None) or {}).values()):
                    process.kill()  # a running document is not waited for
                self.pool.shutdown(wait=True, cancel_futures=True)
            else:
                self.pool.shutdown(wait=True)
            self.pool = None
        self.pending.clear()


class WorkerDied(RuntimeError):
    """A worker process ended without returning its document (killed, out of memory)."""


def _longest_first(tasks: list[Task]) -> list[Task]:
    return sorted(tasks, key=lambda task: -task[0].size)


def document_salt(settings: Settings, reference_fp: str | None = None) -> str:
    """What a document's rows derive from besides its file: the reference data and the
    candidate extraction (rules, weights, code); a change re-derives every document."""
    import hashlib

    from etnc_db.fingerprints import reference_fingerprint
    from etnc_db.review.stage import extraction_fingerprint

    extraction = extraction_fingerprint(settings.extraction_dir)
    ref = reference_fp or reference_fingerprint(settings)
    return hashlib.sha256(f"{ref}|{extraction}".encode()).hexdigest()


def prefetch(url: str, settings: Settings, corpus_dir, workers: int | None) -> Deriver | None:
    """For a first build (no document loaded yet, or no schema), a started Deriver already
    deriving the corpus's first documents while the caller migrates; else None. The
    registry is loaded here, before the workers fork, so they and the run share one copy."""
    n = worker_count(workers)
    if n < 2 or not _first_build(url):
        return None
    from etnc_db.extract import corpus as corpus_folder
    from etnc_db.extract.plan import fingerprint
    from etnc_db.reference.registry import load_registry

    salt = document_salt(settings)
    jobs = [(f, fingerprint(f, salt)) for f in corpus_folder.scan_corpus(corpus_dir).files]
    if len(tasks_of(jobs, n)) < 2:
        return None
    deriver = Deriver(settings, n, salt, load_registry(settings.reference_dir)).start()
    deriver.prefetch(jobs)
    return deriver


def _first_build(url: str) -> bool:
    """True when the database holds no document (or has no schema yet)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            if conn.execute("SELECT to_regclass('core.documents')").fetchone()[0] is None:
                return True
            return conn.execute("SELECT NOT EXISTS (SELECT 1 FROM core.documents)").fetchone()[0]
    except psycopg.Error:
        return False
