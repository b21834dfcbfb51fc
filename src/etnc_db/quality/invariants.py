"""SQL invariants checked inside the run's transaction before it commits. Each query
returns offending rows; any row fails the run. They state what constraints cannot:
cross-table facts about the published data."""

from __future__ import annotations

import psycopg


class InvariantError(Exception):
    """An invariant does not hold; the run rolls back."""


INVARIANTS: dict[str, str] = {
    "every agreement has evidence": """
        SELECT a.agreement_key FROM core.agreements a
        WHERE NOT EXISTS (SELECT 1 FROM core.evidence e WHERE e.agreement_id = a.agreement_id)""",
    "every investment has evidence": """
        SELECT i.investment_key FROM core.investments i
        WHERE NOT EXISTS (SELECT 1 FROM core.evidence e WHERE e.investment_id = i.investment_id)""",
    "every policy measure has evidence": """
        SELECT p.policy_measure_key FROM core.policy_measures p
        WHERE NOT EXISTS (SELECT 1 FROM core.evidence e WHERE e.policy_measure_id = p.policy_measure_id)""",
    "EUR amounts equal amount divided by the rate": """
        SELECT investment_key FROM core.investments
        WHERE amount_eur IS NOT NULL AND abs(amount_eur - round(amount / fx_rate, 2)) > 0.01""",
    "every company row extends an organization of kind company": """
        SELECT c.company_key FROM core.companies c JOIN core.organizations o USING (organization_id)
        WHERE o.kind <> 'company'""",
}


# Spans whose stored text must equal a column: (table, key column, text column).
# Checked in Python on rows read back from the database: slicing a str is O(1), while
# substring() on a long multibyte text is O(n) per row in PostgreSQL.
SPAN_CHECKS = (
    ("core.evidence", "evidence_key", "quote"),
    ("core.mentions", "mention_key", "surface"),
    ("core.citations", "citation_key", "raw_text"),
)


# Spans that must lie inside their document's text.
INSIDE_CHECKS = (("core.document_sections", "section_key"), ("core.passages", "passage_key"))


def span_failures(conn: psycopg.Connection, documents: list[str] | None = None,
                  evidence: bool = True) -> list[str]:
    """Spans of `documents` (all when None) that do not reproduce their text. Evidence is
    checked in every document when `evidence` (the facts were re-resolved), else only in
    `documents`."""
    failures = []
    rows = conn.execute("SELECT document_id, document_key FROM core.documents").fetchall()
    for doc_id, doc_key in rows:
        in_scope = documents is None or doc_key in documents
        checks = [c for c in SPAN_CHECKS if in_scope or (evidence and c[0] == "core.evidence")]
        if not checks and not in_scope:
            continue
        content = conn.execute("SELECT content FROM core.documents WHERE document_id = %s", (doc_id,)).fetchone()[0]
        for table, key, column in checks:
            bad = [
                k for k, start, end, value in conn.execute(
                    f"SELECT {key}, char_start, char_end, {column} FROM {table} WHERE document_id = %s",
                    (doc_id,),
                )
                if content[start:end] != value
            ]
            if bad:
                failures.append(f"every {table} span reproduces its {column}: {', '.join(bad[:5])}")
        if in_scope:
            for table, key in INSIDE_CHECKS:
                outside = conn.execute(
                    f"SELECT {key} FROM {table} WHERE document_id = %s AND char_end > %s LIMIT 5",
                    (doc_id, len(content)),
                ).fetchall()
                if outside:
                    failures.append(f"every {table} span lies inside its document: "
                                    + ", ".join(k for (k,) in outside))
    return failures


def check_invariants(conn: psycopg.Connection, documents: list[str] | None = None,
                     evidence: bool = True) -> None:
    """Raise InvariantError when any invariant fails; span checks as in span_failures."""
    failures = span_failures(conn, documents, evidence)
    for name, query in INVARIANTS.items():
        rows = conn.execute(f"SELECT * FROM ({query}) q LIMIT 5").fetchall()
        if rows:
            failures.append(f"{name}: {', '.join(str(r[0]) for r in rows)}")
    if failures:
        raise InvariantError("invariant failed: " + "; ".join(failures))
