"""Read-side queries of the review commands: the queue per document, one candidate
with its context (the paragraph, the entities linked in its evidence, possible
duplicates among the published facts), and a key given by a unique prefix."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg

STATUSES = ("pending", "accepted", "rejected", "superseded")


class ReviewError(Exception):
    """A review command cannot do what it was asked; `str()` says why in one line."""


@dataclass
class Candidate:
    """A review.candidates row, with its document."""

    key: str
    document: str
    document_kind: str
    fact_type: str
    char_start: int
    char_end: int
    evidence: list[list[int]]
    quote: str
    title: str
    proposed: dict
    extraction: str
    extractor_version: str
    confidence: float
    status: str
    source: str
    edited: dict | None
    reviewer: str | None
    decided_at: Any
    reason: str | None
    fact_key: str | None
    previous: dict | None

    def as_dict(self) -> dict[str, Any]:
        """The candidate as JSON-ready data."""
        out = asdict(self)
        out["confidence"] = float(self.confidence)
        out["decided_at"] = self.decided_at.isoformat() if self.decided_at else None
        return out


_COLUMNS = ("c.candidate_key, d.document_key, d.document_kind, c.fact_type, c.char_start, c.char_end, c.evidence, "
            "c.quote, c.title, c.proposed, c.extraction_hash, c.extractor_version, c.confidence, c.status, "
            "c.decision_source, c.edited, c.reviewer, c.decided_at, c.reason, c.fact_key, c.previous_decision")
_FROM = " FROM review.candidates c JOIN core.documents d USING (document_id)"


def resolve_key(conn: psycopg.Connection, given: str) -> str:
    """The candidate key `given` names: the key itself or a unique prefix of it."""
    rows = [r[0] for r in conn.execute(
        "SELECT candidate_key FROM review.candidates WHERE candidate_key LIKE %s ORDER BY 1 LIMIT 6",
        (given.replace("%", "").replace("_", "") + "%",)).fetchall()] if given else []
    if given in rows:
        return given
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise ReviewError(f"no candidate {given!r} (see `etnc-db review --all`)")
    raise ReviewError(f"{given!r} names several candidates ({', '.join(rows[:5])}, ...); give more of the key")


def candidate(conn: psycopg.Connection, given: str) -> Candidate:
    """One candidate, by key or unique key prefix."""
    key = resolve_key(conn, given)
    row = conn.execute(f"SELECT {_COLUMNS}{_FROM} WHERE c.candidate_key = %s", (key,)).fetchone()
    return Candidate(*row)


def queue(conn: psycopg.Connection, document: str | None = None, everything: bool = False) -> list[dict]:
    """Per document (all loaded documents, or `document`): counts per status and its
    candidates (pending ones, or all with `everything`), in text order."""
    docs = [r[0] for r in conn.execute(
        "SELECT document_key FROM core.documents WHERE %(d)s::text IS NULL OR document_key = %(d)s ORDER BY 1",
        {"d": document}).fetchall()]
    if document is not None and not docs:
        raise ReviewError(f"no loaded document {document!r}")
    counts: dict[str, dict[str, int]] = {d: dict.fromkeys(STATUSES, 0) for d in docs}
    for doc, status, n in conn.execute(
            "SELECT d.document_key, c.status, count(*)" + _FROM + " WHERE d.document_key = ANY(%s) GROUP BY 1, 2",
            (docs,)):
        counts[doc][status] = n
    rows = conn.execute(
        f"SELECT {_COLUMNS}{_FROM} WHERE d.document_key = ANY(%s) AND (%s OR c.status = 'pending') "
        "ORDER BY d.document_key, c.char_start, c.fact_type", (docs, everything)).fetchall()
    by_doc: dict[str, list[Candidate]] = {d: [] for d in docs}
    for r in rows:
        by_doc[r[1]].append(Candidate(*r))
    return [{"document_key": d, "counts": counts[d], "candidates": by_doc[d]} for d in docs]


@dataclass
class Context:
    """What `review show` prints beside the candidate."""

    paragraph: list[tuple[int, int]] = field(default_factory=list)  # stored spans around the evidence
    text: str = ""  # the document content
    entities: list[dict] = field(default_factory=list)
    nearest: list[dict] = field(default_factory=list)


def context(conn: psycopg.Connection, c: Candidate, limit: int = 5) -> Context:
    """The paragraph holding the evidence, the entities linked in the evidence, and the
    published facts most like the candidate."""
    doc_id, text = conn.execute("SELECT document_id, content FROM core.documents WHERE document_key = %s",
                                (c.document,)).fetchone()
    out = Context(text=text)
    row = conn.execute("SELECT segments FROM core.passages WHERE document_id = %s AND char_start <= %s "
                       "AND char_end >= %s ORDER BY char_start DESC LIMIT 1", (doc_id, c.char_start, c.char_end)).fetchone()
    if row:
        out.paragraph = [tuple(s) for s in row[0]]
    else:  # a body line the parser kept out of its passages
        start = text.rfind("\n", 0, c.char_start) + 1
        end = text.find("\n", c.char_end)
        out.paragraph = [(start, len(text) if end < 0 else end)]
    out.entities = _entities(conn, doc_id, c.evidence)
    out.nearest = _nearest(conn, c, out.entities, limit)
    return out


def _entities(conn: psycopg.Connection, doc_id: int, spans: list[list[int]]) -> list[dict]:
    out = []
    for start, end in spans:
        out += [{"surface": s, "entity_type": t, "entity_key": k, "rule": r, "char_start": a, "char_end": b}
                for s, t, k, r, a, b in conn.execute(
                    "SELECT m.surface, m.entity_type, coalesce(o.organization_key, co.country_code, se.sector_key), "
                    "m.rule, m.char_start, m.char_end FROM core.mentions m "
                    "LEFT JOIN core.organizations o ON o.organization_id = m.organization_id "
                    "LEFT JOIN core.countries co ON co.country_id = m.country_id "
                    "LEFT JOIN core.sectors se ON se.sector_id = m.sector_id "
                    "WHERE m.document_id = %s AND m.char_start >= %s AND m.char_end <= %s ORDER BY m.char_start",
                    (doc_id, start, end))]
    return out


def proposed_entities(proposed: dict) -> set[tuple[str, str]]:
    """(entity type, key) of the countries and organizations a proposal names."""
    out: set[tuple[str, str]] = set()
    for name in ("investor", "target", "issuer"):
        if isinstance(proposed.get(name), str):
            out.add(("organization", proposed[name]))
    for name in ("host_country", "investor_country", "jurisdiction"):
        if isinstance(proposed.get(name), str):
            out.add(("country", proposed[name]))
    for item in [*(proposed.get("parties") or []), *(proposed.get("targets") or [])]:
        if item.get("organization"):
            out.add(("organization", item["organization"]))
        elif item.get("country") and not item.get("description"):
            out.add(("country", item["country"]))
    return out


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 3}


def _nearest(conn: psycopg.Connection, c: Candidate, entities: list[dict], limit: int) -> list[dict]:
    """Published facts sharing entities with the candidate — possible duplicates —
    ranked by shared entities, then by words their title shares with the evidence (a
    place, a product), then the same fact type, then a date in the same year."""
    wanted = proposed_entities(c.proposed) | {(e["entity_type"], e["entity_key"]) for e in entities
                                              if e["entity_type"] in ("country", "organization") and e["entity_key"]}
    wanted.discard(("country", "CN"))  # China is in most facts: it tells nothing
    if not wanted:
        return []
    year = str(c.proposed.get("date") or "")[:4] or None
    quote = _words(c.quote)
    rows = conn.execute(
        "SELECT b.fact_key, f.fact_type, f.title, core.date_key(f.fact_date, f.date_precision), f.source_file, "
        "array_agg(DISTINCT b.entity_key ORDER BY b.entity_key) FROM mart.bridge_fact_entity b "
        "JOIN core.facts f ON f.fact_key = b.fact_key "
        "WHERE (b.entity_type, b.entity_key) IN (SELECT * FROM unnest(%s::text[], %s::text[])) "
        "GROUP BY 1, 2, 3, 4, 5", ([t for t, _ in wanted], [k for _, k in wanted])).fetchall()
    scored = []
    for key, ftype, title, date, source, shared in rows:
        same_year = bool(year and date and date[:4] == year)
        words = len(_words(title) & quote)
        scored.append(((-len(shared), -words, ftype != c.fact_type, not same_year, key), {
            "fact_key": key, "fact_type": ftype, "title": title, "date": date, "source_file": source,
            "shared": list(shared), "same_year": same_year}))
    scored.sort(key=lambda x: x[0])
    return [d for _, d in scored[:limit]]
