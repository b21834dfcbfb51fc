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
    "every evidence span reproduces its quote": """
        SELECT e.evidence_key FROM core.evidence e JOIN core.documents d USING (document_id)
        WHERE substring(d.content FROM e.char_start + 1 FOR e.char_end - e.char_start) <> e.quote""",
    "every mention span reproduces its surface": """
        SELECT m.mention_key FROM core.mentions m JOIN core.documents d USING (document_id)
        WHERE substring(d.content FROM m.char_start + 1 FOR m.char_end - m.char_start) <> m.surface""",
    "every span lies inside its document": """
        SELECT s.section_key FROM core.document_sections s JOIN core.documents d USING (document_id)
        WHERE s.char_end > length(d.content)
        UNION ALL
        SELECT p.passage_key FROM core.passages p JOIN core.documents d USING (document_id)
        WHERE p.char_end > length(d.content)""",
    "EUR amounts equal amount divided by the rate": """
        SELECT investment_key FROM core.investments
        WHERE amount_eur IS NOT NULL AND abs(amount_eur - round(amount / fx_rate, 2)) > 0.01""",
    "every company row extends an organization of kind company": """
        SELECT c.company_key FROM core.companies c JOIN core.organizations o USING (organization_id)
        WHERE o.kind <> 'company'""",
}


def check_invariants(conn: psycopg.Connection) -> None:
    failures = []
    for name, query in INVARIANTS.items():
        rows = conn.execute(f"SELECT * FROM ({query}) q LIMIT 5").fetchall()
        if rows:
            failures.append(f"{name}: {', '.join(str(r[0]) for r in rows)}")
    if failures:
        raise InvariantError("invariant failed: " + "; ".join(failures))
