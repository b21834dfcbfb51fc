"""`etnc-db check`: run the expectation suites (etl/expectations/*.yaml) on the
published database, after commit and outside any load's transaction.

One check is one etl.runs row (command `check`): succeeded when every expectation
passed, else failed with a one-line error naming the first failures. Every expectation
gives one etl.dq_results row (phase `check`). The row-count guards compare with the
counts recorded by the last successful check. A Markdown report and GX Data Docs are
written beside each other (reports/ by default).

This module does not import GX; `gx_checks` does, when the check runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from etnc_db.quality import suite_files
from etnc_db.quality.suite_files import ROW_COUNT_GUARD, Suite

PHASE = "check"
FIRST_FAILURES = 3  # named in etl.runs.error


@dataclass
class CheckSummary:
    run_id: int
    passed: int
    failed: int
    suites: int
    failures: list[str]
    timings: dict[str, float]
    report: Path
    data_docs: Path | None
    results: list = field(default_factory=list, repr=False)  # gx_checks.Result


def previous_row_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Per suite: the row count its guard observed at the last successful check."""
    rows = conn.execute(
        "SELECT DISTINCT ON (d.suite) d.suite, d.observed_value->>'observed_value' "
        "FROM etl.dq_results d JOIN etl.runs r USING (run_id) "
        "WHERE r.command = 'check' AND r.status = 'succeeded' AND d.phase = %s AND d.expectation = %s "
        "ORDER BY d.suite, d.run_id DESC",
        (PHASE, ROW_COUNT_GUARD),
    ).fetchall()
    return {suite: int(n) for suite, n in rows if n is not None}


def _guard(suite: Suite):
    return next((e for e in suite.expectations if "row_count_floor" in e.parameters()), None)


def suite_parameters(suites: list[Suite], previous: dict[str, int], today: date,
                     accept_row_drop: bool = False) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """($PARAMETER values per suite, what each row-count floor was computed from)."""
    params: dict[str, dict[str, Any]] = {}
    basis: dict[str, dict[str, Any]] = {}
    for s in suites:
        wanted = s.parameters()
        p: dict[str, Any] = {}
        if "today" in wanted:
            p["today"] = today.isoformat()
        guard = _guard(s)
        if guard is not None:
            prev = previous.get(s.name)
            floor = 0 if accept_row_drop else suite_files.row_count_floor(prev, guard.meta)
            p["row_count_floor"] = floor
            basis[s.name] = {"previous": prev, "min_value": floor,
                             "max_drop": guard.meta.get("max_drop", suite_files.MAX_DROP),
                             "min_drop_rows": guard.meta.get("min_drop_rows", suite_files.MIN_DROP_ROWS)}
            if accept_row_drop:
                basis[s.name]["accepted_drop"] = True
        if p:
            params[s.name] = p
    return params, basis


_COPY = ("COPY etl.dq_results (run_id, phase, suite, expectation, table_name, column_name, success, "
         "observed_value, unexpected_sample) FROM STDIN")


def record(conn: psycopg.Connection, run_id: int, results: list) -> None:
    with conn.cursor() as cur, cur.copy(_COPY) as copy:
        copy.set_types(["int8", "text", "text", "text", "text", "text", "bool", "jsonb", "jsonb"])
        for r in results:
            copy.write_row((run_id, PHASE, r.suite, r.expectation, r.table_name, r.column_name, r.success,
                            Jsonb(r.observed_value), Jsonb(r.unexpected_sample)))


def _error_line(failed: list, total: int) -> str:
    first = "; ".join(r.message() for r in failed[:FIRST_FAILURES])
    more = f"; and {len(failed) - FIRST_FAILURES} more" if len(failed) > FIRST_FAILURES else ""
    return f"data-quality check: {len(failed)} of {total} expectations failed: {first}{more}".replace("\n", " ")


@dataclass
class CheckOptions:
    suites_dir: Path | None = None  # default: the project's etl/expectations
    today: date | None = None  # the date the row-count guard compares against (default: today)
    accept_row_drop: bool = False  # accept a large drop in row counts once
    wait_seconds: float = 60.0  # how long to wait for a running load


def run_check(url: str, report: Path | str = Path("reports/data-quality.md"),
              data_docs: Path | str | None = Path("reports/data-docs"),
              options: CheckOptions | None = None) -> CheckSummary:
    """Validate every suite on the published database at `url`; record, report, return
    the summary. Raises only when the check itself cannot run (no suites, lock held,
    database unreachable); failing expectations are results, not exceptions."""
    options = options or CheckOptions()
    suites_dir, accept_row_drop, wait_seconds = options.suites_dir, options.accept_row_drop, options.wait_seconds
    from etnc_db.db import ledger
    from etnc_db.quality import check_report, gx_checks

    started = time.perf_counter()
    report = Path(report)
    docs_dir = Path(data_docs) if data_docs is not None else None
    suites = suite_files.load_suites(suites_dir)  # a malformed suite fails before anything is recorded
    today = options.today or date.today()
    lock = psycopg.connect(url)  # holds the run lock in its transaction: no load changes the tables meanwhile
    run_id = None
    timings: dict[str, float] = {}
    try:
        ledger.acquire_lock(lock, wait_seconds)
        ledger.mark_abandoned(lock)
        run_id = ledger.start(url, "check", "")
        with psycopg.connect(url, autocommit=True) as conn:
            params, basis = suite_parameters(suites, previous_row_counts(conn), today, accept_row_drop)
        validation = gx_checks.validate(url, suites, params, docs_dir)
        timings.update(validation.timings)
        results = validation.results
        for r in results:
            if r.expectation == ROW_COUNT_GUARD and r.suite in basis:
                r.observed_value.update(basis[r.suite])
        t = time.perf_counter()
        failed = [r for r in results if not r.success]
        with psycopg.connect(url, autocommit=True) as conn:
            record(conn, run_id, results)
            timings["record"] = round(time.perf_counter() - t, 3)
            timings["total"] = round(time.perf_counter() - started, 3)
            summary = CheckSummary(run_id, len(results) - len(failed), len(failed), len(suites),
                                   [r.message() for r in failed], timings, report, validation.data_docs_index, results)
            check_report.write(report, summary, suites, today)
            ledger.finish(conn, run_id, status="failed" if failed else "succeeded",
                          error=_error_line(failed, len(results)) if failed else None, details={"timings": timings})
        lock.commit()
        return summary
    except BaseException as exc:
        if run_id is not None:
            text = str(exc).strip().splitlines()
            ledger.record_failure(url, run_id, text[0] if text else exc.__class__.__name__, {"timings": timings})
        raise
    finally:
        lock.close()
