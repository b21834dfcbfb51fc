"""The review steps of a run (wired by etnc_db.pipeline):

* **propose**: every document the run parses (new, changed or re-derived) proposes its
  candidates (`etnc_db.propose`, rules from `Settings.extraction_dir`), written with the
  document's batch, in the run's transaction; a removed document's candidates are
  deleted with it;
* **reconcile**: after the facts stage, every candidate's status is computed from the
  published facts and the decisions file (`etnc_db.review.decide`), a candidate its
  document no longer proposes is superseded, and the decisions file is loaded into
  review.decisions. Skipped when no document was touched, the facts are unchanged and
  the decisions file is the one last loaded.

Extraction never writes a fact: only curated records are published."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
from psycopg.types.json import Jsonb

from etnc_db.tables import TableLoad, TableResult

from .files import decisions_path

if TYPE_CHECKING:  # imported where used: a run with nothing to reconcile never reads the decisions file
    from .decide import Published, Row
    from .decisions import Decisions

CANDIDATES = "review.candidates"
DECISIONS = "review.decisions"
_ROW_COLUMNS = ("status", "decision_source", "reviewer", "decided_at", "reason", "fact_key", "edited",
                "previous_decision")


class ReviewPending(Exception):
    """`load --strict` found candidates waiting for review."""


def extraction_fingerprint(extraction_dir: Path) -> str:
    """Hash of what candidates are derived with besides the documents and the reference
    data: the extraction's rule files and weights, and its code. A change re-derives
    every document, so its candidates are proposed again."""
    h = hashlib.sha256(b"extraction-v1")
    paths = [*sorted(Path(extraction_dir).glob("*.yaml")), *sorted(Path(extraction_dir).glob("*.json")),
             *sorted(Path(__file__).resolve().parents[1].joinpath("propose").glob("*.py"))]
    for path in paths:
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


class ReviewStage:
    """The review steps of one run, on the run's connection."""

    def __init__(self, conn: psycopg.Connection, settings, run_id: int):
        self.conn, self.settings, self.run_id = conn, settings, run_id
        self.rows: list[dict] = []
        self.batch_documents: set[str] = set()
        self.proposed: dict[str, set[str]] = {}  # document -> candidate keys proposed in this run
        self.updated = 0

    # -- propose ------------------------------------------------------------------

    def add(self, document_key: str, rows: list[dict], proposed: set[str]) -> None:
        """Buffer one derived document's candidate rows (:func:`propose_rows`) for its batch."""
        self.rows += rows
        self.batch_documents.add(document_key)
        self.proposed[document_key] = proposed

    def loads(self, batch_keys: list[str]) -> list[TableLoad]:
        """The batch's candidate rows (upserted by key: a decision already made stays on
        the row); the candidates of the batch's removed documents are deleted."""
        removed = [k for k in batch_keys if k not in self.batch_documents]
        scope = ("t.document_id IN (SELECT document_id FROM core.documents WHERE document_key = ANY(%(removed)s))"
                 if removed else "")
        load = TableLoad(CANDIDATES, self.rows, scope=scope, scope_params={"removed": removed})
        self.rows, self.batch_documents = [], set()
        return [load]

    # -- reconcile ----------------------------------------------------------------

    def reconcile(self, *, touched: list[str], facts_changed: bool) -> tuple[dict[str, TableResult], list[TableLoad]]:
        """Statuses from the files (see the module docstring): the candidates' updates,
        per table, and the rows of review.decisions for the loader (nothing when skipped).
        A bad decisions file fails the run (`file:line: reason`)."""
        fingerprint = _file_fingerprint(decisions_path(self.settings.review_dir))
        state = self.conn.execute("SELECT fingerprint FROM etl.stage_state WHERE stage = 'review'").fetchone()
        unchanged_files = not facts_changed and state is not None and state[0] == fingerprint
        if unchanged_files and not touched:
            return {}, []
        from .decisions import load_decisions

        decisions = load_decisions(self.settings.review_dir)
        scope = list(touched) if unchanged_files else None  # only the touched documents can change
        published = self._published(scope)
        changed = []
        for row in self._rows(scope):
            new = self._status(row, published, decisions)
            if new.decision() != row.decision():
                changed.append(new)
        results = {CANDIDATES: TableResult(CANDIDATES, updated=self._write(changed))}
        loads = [self._decisions_load(decisions)]
        self.conn.execute(
            "INSERT INTO etl.stage_state (stage, fingerprint, run_id) VALUES ('review', %s, %s) "
            "ON CONFLICT (stage) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, run_id = EXCLUDED.run_id",
            (fingerprint, self.run_id))
        return results, loads

    def _status(self, row: Row, published: Published, decisions: Decisions) -> Row:
        from .decide import decide, superseded

        proposed = self.proposed.get(row.document)
        if proposed is not None and row.key not in proposed:
            return row if row.status == "superseded" else superseded(row)
        if proposed is None and row.status == "superseded":
            return row
        return decide(row, published, decisions)

    def _rows(self, documents: list[str] | None) -> list[Row]:
        """The store's candidates (of `documents`, or all)."""
        from .decide import Row

        return [Row(key, doc, ftype, evidence, ext, status, source, reviewer, decided_at, reason, fact_key,
                    edited, previous)
                for key, doc, ftype, evidence, ext, status, source, reviewer, decided_at, reason, fact_key, edited,
                previous in self.conn.execute(
                    "SELECT c.candidate_key, d.document_key, c.fact_type, c.evidence, c.extraction_hash, c.status, "
                    "c.decision_source, c.reviewer, c.decided_at, c.reason, c.fact_key, c.edited, "
                    "c.previous_decision FROM review.candidates c JOIN core.documents d USING (document_id) "
                    "WHERE %(all)s OR d.document_key = ANY(%(docs)s) ORDER BY c.candidate_key",
                    {"all": documents is None, "docs": documents or []})]

    def _published(self, documents: list[str] | None) -> Published:
        """Published records naming candidates, and the evidence spans (in `documents`,
        or all)."""
        from .decide import Published

        published = Published()
        for fact_key, candidate in self.conn.execute(
                "SELECT fact_key, candidate_key FROM core.facts WHERE candidate_key IS NOT NULL"):
            published.by_candidate[candidate] = fact_key
        for document, fact_type, start, end, fact_key in self.conn.execute(
                "SELECT d.document_key, f.fact_type, e.char_start, e.char_end, f.fact_key FROM core.evidence e "
                "JOIN core.facts f USING (fact_id) JOIN core.documents d USING (document_id) "
                "WHERE %(all)s OR d.document_key = ANY(%(docs)s)", {"all": documents is None, "docs": documents or []}):
            published.add_span(document, fact_type, start, end, fact_key)
        published.freeze()
        return published

    def _write(self, changed: list[Row]) -> int:
        """Update the changed rows' decision columns; log each update, except of rows
        this run inserted (their insert is logged)."""
        if not changed:
            return 0
        self.conn.execute("CREATE TEMP TABLE review_status (candidate_key text PRIMARY KEY, status text, "
                          "decision_source text, reviewer text, decided_at timestamptz, reason text, fact_key text, "
                          "edited jsonb, previous_decision jsonb) ON COMMIT DROP")
        with self.conn.cursor() as cur, cur.copy(
                "COPY review_status (candidate_key, " + ", ".join(_ROW_COLUMNS) + ") FROM STDIN") as copy:
            for r in changed:
                d = r.decision()
                copy.write_row((r.key, *[Jsonb(d[c]) if c in ("edited", "previous_decision") and d[c] is not None
                                         else d[c] for c in _ROW_COLUMNS]))
        sets = ", ".join(f"{c} = s.{c}" for c in _ROW_COLUMNS)
        self.conn.execute(
            f"WITH up AS (UPDATE review.candidates c SET {sets} FROM review_status s "
            "WHERE c.candidate_key = s.candidate_key RETURNING c.candidate_key, c.proposed_at) "
            "INSERT INTO etl.changes (run_id, table_name, business_key, change) "
            "SELECT %s, 'review.candidates', candidate_key, 'update' FROM up WHERE proposed_at <> now()",
            (self.run_id,))
        self.conn.execute("DROP TABLE review_status")
        return len(changed)

    def _decisions_load(self, decisions: Decisions) -> TableLoad:
        """review.decisions from the decisions file, with whether each names a loaded
        candidate or document."""
        named = [e.candidate for e in decisions.candidates.values()]
        known = {k for (k,) in self.conn.execute(
            "SELECT candidate_key FROM review.candidates WHERE candidate_key = ANY(%s)", (named,))}
        documents = {k for (k,) in self.conn.execute("SELECT document_key FROM core.documents")}
        rows = [decision_row(e, decisions.lines[e.key], known, documents) for e in decisions.entries()]
        return TableLoad(DECISIONS, rows)

    # -- what the run reports ----------------------------------------------------

    def pending(self) -> dict[str, int]:
        """Pending candidates per loaded document."""
        return dict(self.conn.execute(  # counted per document id, then named
            "SELECT d.document_key, n.pending FROM (SELECT document_id, count(*) AS pending FROM review.candidates "
            "WHERE status = 'pending' GROUP BY 1) n JOIN core.documents d USING (document_id) ORDER BY 1").fetchall())

    def report(self, documents: list[dict]) -> None:
        """Per document of the run: its published facts and pending candidates."""
        facts = dict(self.conn.execute(  # distinct (document, fact) pairs first: no sort of every evidence row
            "SELECT d.document_key, coalesce(n.facts, 0) FROM core.documents d LEFT JOIN ("
            "SELECT document_id, count(*) AS facts FROM (SELECT DISTINCT document_id, fact_id FROM core.evidence) x "
            "GROUP BY 1) n USING (document_id)").fetchall())
        pending = self.pending()
        for d in documents:
            if d["document_key"] in facts:
                d.setdefault("facts", facts[d["document_key"]])
                d["candidates_pending"] = pending.get(d["document_key"], 0)

    def check_strict(self) -> None:
        """Refuse (the run rolls back) while any candidate of a loaded document is pending."""
        pending = self.pending()
        if pending:
            total = sum(pending.values())
            per = ", ".join(f"{k} {n}" for k, n in pending.items())
            raise ReviewPending(f"--strict: {total} candidate(s) pending review ({per}). "
                                "Review them with `etnc-db review`")


def propose_rows(source, text: str, parsed, mentions: list, extraction, part: tuple[int, int] = (0, 1)
                 ) -> tuple[list[dict], set[str]]:
    """The review.candidates rows of one parsed document and the keys it proposes
    (`source`: its corpus file, for the key and the manifest's publication date; its
    linked `mentions` reused; `extraction`: what proposes — its `linker`, `rules` and
    `weights`; `part` (k, n): only the k-th of n parts, see propose.inputs.part_of)."""
    from etnc_db.propose import propose
    from etnc_db.propose.inputs import input_from_parsed, part_of

    doc = input_from_parsed(source.key, text, parsed, published=source.published, linker=extraction.linker,
                            mentions=mentions)
    candidates = propose(part_of(doc, *part), extraction.rules, extraction.weights)
    return [candidate_row(c, text) for c in candidates], {c.key for c in candidates}


def candidate_row(c, text: str) -> dict:
    """The review.candidates row of a proposed candidate (decision columns left out, so
    an upsert keeps a decision already made)."""
    start, end = c.evidence[0]
    return {"candidate_key": c.key, "document_key": c.document_key, "fact_type": c.fact_type,
            "char_start": start, "char_end": end, "evidence": [list(s) for s in c.evidence],
            "quote": text[start:end], "title": c.title, "proposed": c.proposed, "extraction_hash": c.extraction,
            "extractor_version": c.extractor_version, "confidence": c.confidence}


def decision_row(entry, line: str, candidates: set[str], documents: set[str]) -> dict:
    """The review.decisions row of a decisions-file entry."""
    is_candidate = hasattr(entry, "candidate")
    return {
        "decision_key": entry.key, "candidate_key": entry.candidate if is_candidate else None,
        "document_key": None if is_candidate else entry.document, "decision": entry.decision,
        "extraction_hash": entry.extraction if is_candidate else None,
        "fact_key": entry.fact_key if is_candidate else None, "reviewer": entry.reviewer,
        "decided_at": entry.decided_at, "reason": entry.reason,
        "edited": entry.edited if is_candidate else None, "covers": None if is_candidate else entry.extractions,
        "document_sha256": None if is_candidate else entry.sha256, "source_line": line,
        "matched": entry.candidate in candidates if is_candidate else entry.document in documents,
    }


def _file_fingerprint(path: Path) -> str:
    try:
        return hashlib.sha256(b"decisions-v1\0" + path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return hashlib.sha256(b"decisions-v1\0").hexdigest()


