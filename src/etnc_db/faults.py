"""Test-only fault injection at named points of a run (etnc_db.pipeline) and of its worker
processes (etnc_db.workers), set with ETNC_FAULT_AT."""

from __future__ import annotations

import os
import time

import psycopg


def fault_point(stage: str, conn: psycopg.Connection | None = None) -> None:
    """Test-only fault injection: ETNC_FAULT_AT=<stage>:kill|raise|sleep[=seconds]|query[=seconds]
    (several separated by commas) kills the process (SIGKILL), raises, sleeps (holding the
    lock), or runs a query that sleeps in the server (`pg_sleep` on the run's connection)
    before <stage> starts. Stages: reference, documents, documents_load,
    documents_bulk_restore (bulk mode only), facts, review (holding the review files'
    shared lock), history, gate, commit; and derive, in a worker process before each
    document it derives (etnc_db.workers)."""
    faults = dict(f.partition(":")[::2] for f in os.environ.get("ETNC_FAULT_AT", "").split(",") if f)
    if stage not in faults:
        return
    action = faults[stage]
    import sys

    print(f"fault: {action} at {stage}", file=sys.stderr, flush=True)
    if action == "kill":
        os.kill(os.getpid(), 9)
    elif action == "raise":
        raise RuntimeError(f"injected fault at {stage}")
    elif action.startswith("sleep"):
        time.sleep(float(action.partition("=")[2] or 30))
    elif action.startswith("query") and conn is not None:
        conn.execute("SELECT pg_sleep(%s)", (float(action.partition("=")[2] or 30),))
