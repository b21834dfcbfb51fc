"""The in-transaction gate: set-based SQL checks on the run's own connection, after its
writes and before its commit. They state what a single constraint cannot (rules across
rows and tables); constraints themselves (NOT NULL, UNIQUE, FK, CHECK, the deferred
evidence trigger) are enforced by the schema and never re-checked here. A failing check
fails the run, which rolls back: nothing invalid is ever committed. Every check's
outcome is recorded in etl.dq_results (phase `gate`) in the run's transaction, and kept
on a separate connection when the run fails.

Great Expectations (quality/gx_checks) validates the published data after commit."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import psycopg
from psycopg.types.json import Jsonb

# A load that would leave a core table with fewer than (1 - MAX_ROW_DROP) of the rows it
# had before the run fails unless forced (`--force`) ...
MAX_ROW_DROP = 0.20
# ... and losing more than this many rows: a share means nothing for a tiny table.
MIN_ROW_DROP = 10


class GateError(Exception):
    """A gate check failed; the run rolls back."""


@dataclass
class Check:
    name: str
    table: str
    success: bool
    observed: dict = field(default_factory=dict)
    sample: list = field(default_factory=list)


# Cross-row rules: each query returns offending keys (LIMIT applied by the runner).
RULES: dict[str, tuple[str, str]] = {
    "every fact has one row in its type's table": ("core.facts", """
        SELECT f.fact_key FROM core.facts f
        WHERE (f.fact_type = 'agreement') <> EXISTS (SELECT 1 FROM core.agreements a WHERE a.fact_id = f.fact_id)
           OR (f.fact_type = 'investment') <> EXISTS (SELECT 1 FROM core.investments i WHERE i.fact_id = f.fact_id)
           OR (f.fact_type = 'policy_measure') <> EXISTS (SELECT 1 FROM core.policy_measures p WHERE p.fact_id = f.fact_id)"""),
    "EUR amounts equal amount divided by the rate": ("core.investments", """
        SELECT investment_key FROM core.investments
        WHERE amount_eur IS NOT NULL AND abs(amount_eur - round(amount / fx_rate, 2)) > 0.01"""),
    "every company row extends an organization of kind company": ("core.companies", """
        SELECT c.company_key FROM core.companies c JOIN core.organizations o USING (organization_id)
        WHERE o.kind <> 'company'"""),
}

# Spans whose stored text must equal a column: (table, key column, text column). Every
# span is checked where it is made (extract/rows.check_spans, the quote matcher stores the
# text it matched); after the write the gate compares a random sample of each table's
# spans in the touched documents with the stored content, in SQL.
SPAN_CHECKS = (
    ("core.evidence", "evidence_key", "quote", "true"),
    ("core.mentions", "mention_key", "surface", "true"),
    ("core.citations", "citation_key", "raw_text", "true"),
    # a superseded candidate keeps the quote of the document version that proposed it
    ("review.candidates", "candidate_key", "quote", "t.status <> 'superseded'"),
)
SPAN_SAMPLE = 200

def run_gate(conn: psycopg.Connection, run_id: int, *, documents: list[str], evidence: bool,
             force: bool, sink: list | None = None) -> list[Check]:
    """All gate checks for a run that touched `documents` (and re-resolved the facts when
    `evidence`); records the outcomes (also into `sink`, which survives a failure) and
    raises GateError when any failed."""
    checks = [*_rule_checks(conn), *_span_checks(conn, documents, evidence), *_row_drop_checks(conn, run_id, force)]
    if sink is not None:
        sink.extend(checks)
    record(conn, run_id, checks)
    failed = [c for c in checks if not c.success]
    if failed:
        raise GateError("check failed: " + "; ".join(
            f"{c.name}: {', '.join(map(str, c.sample[:3]))}" if c.sample else f"{c.name}: {c.observed}" for c in failed[:3]))
    return checks


def _rule_checks(conn: psycopg.Connection) -> list[Check]:
    out = []
    for name, (table, query) in RULES.items():
        bad = [r[0] for r in conn.execute(f"SELECT * FROM ({query}) q LIMIT 5").fetchall()]
        out.append(Check(name, table, not bad, {"offending": len(bad)}, bad))
    return out


def _span_checks(conn: psycopg.Connection, documents: list[str], evidence: bool) -> list[Check]:
    """A random sample of the stored spans of the touched documents (evidence in every
    document when the facts were re-resolved) reproduces the stored content. The sampled
    rows come from SQL; each document's content is read once and sliced in Python (a str
    slice is O(1), PostgreSQL's substring on a long multibyte text is not)."""
    out, contents = [], {}
    for table, key, column, where in SPAN_CHECKS:
        everywhere = evidence and table == "core.evidence"
        if not documents and not everywhere:
            continue
        rows = conn.execute(
            f"SELECT t.{key}, t.char_start, t.char_end, t.{column}, t.document_id FROM {table} t "
            f"WHERE {where} AND (%(all)s OR t.document_id IN "
            "(SELECT document_id FROM core.documents WHERE document_key = ANY(%(docs)s))) "
            f"ORDER BY random() LIMIT %(n)s", {"all": everywhere, "docs": documents, "n": SPAN_SAMPLE}).fetchall()
        for doc_id in {r[4] for r in rows} - contents.keys():
            contents[doc_id] = conn.execute("SELECT content FROM core.documents WHERE document_id = %s",
                                            (doc_id,)).fetchone()[0]
        bad = [k for k, s, e, value, doc_id in rows if contents[doc_id][s:e] != value or e > len(contents[doc_id])]
        out.append(Check(f"a sample of {table} spans reproduces its text", table, not bad,
                         {"sampled": len(rows), "offending": len(bad)}, bad[:5]))
    return out


def _row_drop_checks(conn: psycopg.Connection, run_id: int, force: bool) -> list[Check]:
    """Per core table the run changed: rows now vs before (from the run's change log)."""
    out = []
    for table, inserted, deleted in conn.execute(
        "SELECT table_name, coalesce(sum(row_count) FILTER (WHERE change = 'insert'), 0), "
        "coalesce(sum(row_count) FILTER (WHERE change = 'delete'), 0) FROM etl.changes "
        "WHERE run_id = %s AND table_name LIKE 'core.%%' GROUP BY 1 ORDER BY 1", (run_id,)
    ).fetchall():
        schema, name = table.split(".")
        now = conn.execute(f'SELECT count(*) FROM "{schema}"."{name}"').fetchone()[0]
        before = now - inserted + deleted
        allowed = before if force else max(math.floor(before * MAX_ROW_DROP), MIN_ROW_DROP)
        ok = before - now <= allowed
        out.append(Check("row count does not drop by more than 20 % (--force overrides)", table, ok,
                         {"before": before, "now": now, "max_drop": allowed, "forced": force},
                         [] if ok else [f"{table}: {before} -> {now} rows"]))
    return out


def record(conn: psycopg.Connection, run_id: int, checks: list[Check], phase: str = "gate") -> None:
    """Write the outcomes to etl.dq_results on `conn` (one COPY)."""
    with conn.cursor() as cur, cur.copy(
        "COPY etl.dq_results (run_id, phase, suite, expectation, table_name, success, observed_value, "
        "unexpected_sample) FROM STDIN"
    ) as copy:
        for c in checks:
            copy.write_row((run_id, phase, "gate", c.name, c.table, c.success, Jsonb(c.observed), Jsonb(c.sample)))
