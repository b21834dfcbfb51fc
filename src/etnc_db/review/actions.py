"""What the review commands do: accept (with edits), edit in $EDITOR, reject, merge into
an existing fact, and record that a document was read in full.

Each writes files first — a curated record or `evidence_for` entry checked exactly as a
load checks it (`validate`), and the decisions file — atomically, under the review
folder's exclusive lock, and only if the file is still the one the command read. Then
it marks the candidate in the database, after any running load (it waits for the run
lock), so the store shows the decision at once; the next load publishes accepted
records and recomputes every status from the files, with the same result."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import yaml
from psycopg.types.json import Jsonb

from etnc_db.facts.documents import DocumentText, read_documents

from . import queries
from .decisions import CandidateDecision, DecisionsError, DocumentDecision, decisions_path, parse_decisions, with_entry
from .files import FileChanged, replace_if_unchanged, review_lock, write_atomic
from .queries import Candidate, ReviewError
from .records import (
    LIST_KEYS,
    Placement,
    RecordError,
    as_list_item,
    build_record,
    edited_fields,
    evidence_quotes,
    insert_item,
    new_file,
    placement,
    render_evidence_for,
    render_record,
    unknown_organizations,
)
from .validate import check_curated_file, display

RUN_LOCK_WAIT_MS = 60_000


class ValidationFailed(ReviewError):
    """The edited curated file would not load: `problems` as `file:line: reason`; `line`
    is where the new item starts in the file."""

    def __init__(self, problems: list[str], path: Path, line: int):
        self.problems, self.path, self.line = problems, path, line
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


class UnknownOrganizations(ReviewError):
    """The record names organizations the registry lacks; `registry_yaml` holds entries
    ready to paste into etl/reference/organizations/*.yaml."""

    def __init__(self, message: str, registry_yaml: str):
        super().__init__(message)
        self.registry_yaml = registry_yaml


@dataclass
class Outcome:
    """What a review command did, for the CLI (and its --json)."""

    action: str
    candidate: str | None
    status: str
    fact_key: str | None = None
    file: str | None = None
    line: int | None = None
    decisions_file: str | None = None
    reviewer: str | None = None
    database: str = "updated"  # updated | after the running load (see message)
    edited: dict | None = None
    candidates: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The outcome as JSON-ready data."""
        return dict(self.__dict__)


def reviewer_name(given: str | None) -> str:
    """Who decides: --reviewer, else ETNC_REVIEWER, else the login name."""
    return given or os.environ.get("ETNC_REVIEWER") or getpass.getuser()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def parse_sets(items: list[str]) -> dict[str, Any]:
    """`field=value` pairs; values are YAML (`amount=5e9`, `parties=[{country: HU, role:
    signatory}]`, `target=null`); an empty value clears the field."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ReviewError(f"--set {item!r}: write field=value")
        try:
            parsed = yaml.safe_load(value) if value.strip() else None
        except yaml.YAMLError as exc:
            raise ReviewError(f"--set {item!r}: the value is not YAML ({exc.problem})") from None
        if isinstance(parsed, str) and _NUMBER.fullmatch(parsed):  # YAML 1.1 reads 5e9 as text
            parsed = float(parsed)
        out[name.strip()] = int(parsed) if isinstance(parsed, float) and parsed.is_integer() else parsed
    return out


_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)[eE][-+]?\d+")


# ------------------------------------------------------------------ shared steps


def _decidable(c: Candidate, action: str) -> None:
    """Refuse to decide again what the curated files already decide."""
    if c.status == "superseded":
        raise ReviewError(f"{c.key} is superseded: the current version of {c.document} no longer proposes it")
    if c.status == "accepted":
        how = {"curated_record": f"accepted as curated record {c.fact_key}",
               "merge": f"merged into {c.fact_key}",
               "curated_evidence": f"covered by the published evidence of {c.fact_key}"}.get(c.source, "accepted")
        raise ReviewError(f"{c.key} is already {how}; to {action} it, change the curated files first")


def _registry(settings):
    from etnc_db.reference.registry import load_registry

    return load_registry(settings.reference_dir)


def _taken_ids(conn: psycopg.Connection, curated_dir: Path) -> set[str]:
    """Ids in use or once used: published facts, records and withdrawn ids of the files."""
    taken = {k for (k,) in conn.execute("SELECT fact_key FROM core.facts")}
    pattern = re.compile(r"(?m)^\s*(?:-\s*)?\{?\s*id:\s*['\"]?([a-z0-9][a-z0-9-]*)")
    for path in Path(curated_dir).rglob("*.yaml") if Path(curated_dir).exists() else []:
        taken.update(pattern.findall(path.read_text(encoding="utf-8")))
    return taken


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-")


def suggest_id(c: Candidate, place: Placement, values: dict, taken: set[str]) -> str:
    """A readable unused id: part (or news source), main actors, type, year."""
    prefix = place.part if c.document_kind == "report" else c.document.split("-")[0]
    if c.fact_type == "investment":
        words = [values.get("investor") or values.get("investor_description"),
                 values.get("target") or values.get("location"), values.get("investment_type")]
    elif c.fact_type == "agreement":
        parties = [p.get("organization") or p.get("country") or "" for p in values.get("parties") or []]
        words = [*parties[:2], values.get("agreement_type")]
    else:
        words = [values.get("jurisdiction"), values.get("issuer"), values.get("measure_type")]
    year = str(values.get("date") or "")[:4]
    parts = list(dict.fromkeys(_slug(str(w)) for w in [prefix, *words, year] if w))  # no "hu-hu-..."
    base = "-".join(p for p in parts if p)[:70].strip("-") or f"{prefix}-candidate"
    fact_id, n = base, 2
    while fact_id in taken:
        fact_id, n = f"{base}-{n}", n + 1
    return fact_id


def _registry_entries(values: list[str], sentence: str, registry, document: str) -> str:
    """Registry entries ready to paste for unknown organization names: the detector's
    proposal where it finds the name in the sentence, else a plain company entry."""
    from etnc_db.link.unknown_orgs import Proposal, find_unknown_organizations, merge, propose, to_registry_yaml

    found = [f for f in find_unknown_organizations(sentence, registry) if f.surface in values or f.name in values]
    proposals = propose(found, document)
    named = {s for p in proposals for s in (*p.surfaces, p.name)}
    for value in values:
        if value not in named:
            proposals.append(Proposal(_slug(value), value, "company", None, (value,), (value,), ("review",), 1,
                                      (document,)))
    return to_registry_yaml(merge(proposals))


def _check_organizations(record: dict, registry, c: Candidate) -> None:
    unknown = unknown_organizations(record, registry.organizations)
    if not unknown:
        return
    listed = "; ".join(f"{f}: {v!r}" for f, v in unknown)
    entries = _registry_entries([v for _, v in unknown], c.quote, registry, c.document)
    raise UnknownOrganizations(
        f"unknown organization key(s) — {listed}: add the organization to etl/reference/organizations/ "
        "(entry below), then accept again with --set FIELD=KEY", entries)


def _write_curated(settings, url: str, d: Draft, list_key: str, item: str) -> int:
    """Add `item` to `list_key` of the draft's curated file, checked as a load would;
    returns the line where it starts. Retried when the file changes meanwhile."""
    place = d.place
    for _ in range(3):
        path = place.path
        before = path.read_text(encoding="utf-8") if path.exists() else None
        digest_before = _digest(before)
        text, line = insert_item(before if before is not None else new_file(place.document, place.part),
                                 list_key, item)
        problems = check_curated_file(url, settings.curated_dir, path, text, d.registry, d.docs)
        if problems:
            raise ValidationFailed(problems, path, line)
        try:
            with review_lock(settings.review_dir, shared=False):
                replace_if_unchanged(path, digest_before, text)
            return line
        except FileChanged:
            continue
    raise ReviewError(f"{display(place.path)} kept changing while this command ran; try again")


def _digest(text: str | None) -> str | None:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else None


def write_decision(settings, entry) -> str:
    """Add (or replace) an entry of the decisions file, under the exclusive lock; the
    file is validated before it is written. Returns its path for messages."""
    path = decisions_path(settings.review_dir)
    with review_lock(settings.review_dir, shared=False):
        old = path.read_text(encoding="utf-8") if path.exists() else None
        try:
            text = with_entry(old, entry)
            parse_decisions(text, path)
        except DecisionsError as exc:
            raise ReviewError(f"fix the decisions file first: {exc}") from None
        except ValueError as exc:
            raise ReviewError(f"fix the decisions file first: {exc}") from None
        write_atomic(path, text)
    return display(path)


def mark(url: str, updates: list[tuple[str, dict]]) -> bool:
    """Set the decision columns of candidates, after any running load (the run lock);
    False when the load did not finish in time (the next load sets them)."""
    columns = ("status", "decision_source", "reviewer", "decided_at", "reason", "fact_key", "edited")
    with psycopg.connect(url) as conn:
        conn.execute(f"SET LOCAL lock_timeout = {RUN_LOCK_WAIT_MS}")
        try:
            conn.execute("LOCK TABLE etl.run_lock IN EXCLUSIVE MODE")
        except psycopg.errors.LockNotAvailable:
            conn.rollback()
            return False
        with conn.cursor() as cur:
            cur.executemany(
                "UPDATE review.candidates SET " + ", ".join(f"{c} = %({c})s" for c in columns)
                + ", previous_decision = NULL WHERE candidate_key = %(key)s",
                [{**{c: None for c in columns}, **values, "key": key,
                  "edited": Jsonb(values["edited"]) if values.get("edited") is not None else None}
                 for key, values in updates])
    return True


def _database(marked: bool) -> str:
    return "updated" if marked else "after the running load (the next load shows the decision)"


# ------------------------------------------------------------------ accept and edit


@dataclass
class Draft:
    """A candidate's record before it is written: where it goes and its fields."""

    candidate: Candidate
    place: Placement
    record: dict
    docs: dict[str, DocumentText]
    registry: Any


def draft(settings, url: str, given: str, sets: dict[str, Any], fact_id: str | None) -> Draft:
    """The record a candidate becomes: its proposed fields, the `sets` edits, its
    evidence quotes located in its part, an id (`fact_id` or a suggested one)."""
    registry = _registry(settings)
    with psycopg.connect(url) as conn:
        c = queries.candidate(conn, given)
        _decidable(c, "accept")
        docs = read_documents(conn)
        taken = _taken_ids(conn, settings.curated_dir)
    doc = docs[c.document]
    place = placement(settings.curated_dir, doc, c.char_start)
    try:
        quotes = evidence_quotes(doc, c.evidence, place.part)
        values = {**c.proposed, **sets}
        chosen = fact_id or suggest_id(c, place, values, taken)
        record = build_record(c, chosen, sets, quotes)
    except RecordError as exc:
        raise ReviewError(str(exc)) from None
    return Draft(c, place, record, docs, registry)


def accept(settings, url: str, given: str, *, sets: dict[str, Any], fact_id: str | None,
           reviewer: str) -> Outcome:
    """`review accept`: write the record (proposed values + edits) to the curated file,
    record who accepted it, mark the candidate accepted."""
    d = draft(settings, url, given, sets, fact_id)
    _check_organizations(d.record, d.registry, d.candidate)
    line = _write_curated(settings, url, d, LIST_KEYS[d.candidate.fact_type], as_list_item(render_record(d.record)))
    return _accepted(settings, url, d, line, reviewer)


def _accepted(settings, url: str, d: Draft, line: int, reviewer: str) -> Outcome:
    c, fact = d.candidate, d.record["id"]
    edited = edited_fields(c.proposed, c.title, d.record) or None
    now = _now()
    decisions = write_decision(settings, CandidateDecision(
        candidate=c.key, document=c.document, extraction=c.extraction, decision="accepted", fact=fact,
        reviewer=reviewer, decided_at=now, edited=edited))
    marked = mark(url, [(c.key, {"status": "accepted", "decision_source": "curated_record", "reviewer": reviewer,
                                 "decided_at": now, "reason": f"accepted as curated record {fact}",
                                 "fact_key": fact, "edited": edited})])
    return Outcome("accept", c.key, "accepted", fact, display(d.place.path), line, decisions, reviewer,
                   _database(marked), edited)


EDIT_HEADER = ("# Candidate {key} ({fact_type}) of {document}, part {part}.\n"
               "# Save to accept it into {file}; empty the file (or quit without saving after an error) to abandon.\n")


def edit(settings, url: str, given: str, *, editor: str, reviewer: str, on_problems=None) -> Outcome | None:
    """`review edit`: open the record as YAML in `editor`; on save, check it as a load
    would (problems are given to `on_problems` and written into the file, at the edited
    file's lines) and open it again until it is valid or abandoned (an empty file, an
    editor that fails, or an invalid file saved unchanged). None when abandoned."""
    import tempfile

    d = draft(settings, url, given, {}, None)
    c = d.candidate
    header = EDIT_HEADER.format(key=c.key, fact_type=c.fact_type, document=c.document, part=d.place.part,
                                file=display(d.place.path))
    body, problems = render_record(d.record), []
    with tempfile.TemporaryDirectory(prefix="etnc-review-edit-") as tmp:
        path = Path(tmp) / f"candidate-{c.key}.yaml"
        while True:
            shown = header + "".join(f"# error: {p}\n" for p in problems)
            path.write_text(shown + body, encoding="utf-8")
            if not _run_editor(editor, path):
                return None
            saved = path.read_text(encoding="utf-8")
            new_body = saved[len(shown):] if saved.startswith(shown) else saved
            if not new_body.strip() or (problems and new_body == body):
                return None
            body = new_body
            problems, record, line = _check_edited(settings, url, d, body, shown.count("\n"), path)
            if record is not None:
                return _accepted(settings, url, Draft(c, d.place, record, d.docs, d.registry), line, reviewer)
            if on_problems is not None:
                on_problems(problems)


def _run_editor(editor: str, path: Path) -> bool:
    import shlex
    import subprocess

    return subprocess.run([*shlex.split(editor), str(path)]).returncode == 0


def _check_edited(settings, url: str, d: Draft, body: str, offset: int,
                  path: Path) -> tuple[list[str], dict | None, int | None]:
    """(problems, None, None) for an invalid edited record, at the edited file's lines
    (`offset` header lines precede `body`); ([], record, line) once it is written."""
    from etnc_db.yaml_lines import YamlSyntaxError, parse_yaml_with_lines

    where = str(path)
    try:
        data = parse_yaml_with_lines(body, where)
    except YamlSyntaxError as exc:
        return [f"{where}:{exc.line + offset}: {exc.reason}"], None, None
    if not isinstance(data, dict) or not data.get("id"):
        return [f"{where}:{offset + 1}: the record is a mapping with an id, a title, its fields and evidence"], None, None
    record = dict(data)
    try:
        _check_organizations(record, d.registry, d.candidate)
        line = _write_curated(settings, url, d, LIST_KEYS[d.candidate.fact_type], as_list_item(body))
    except ValidationFailed as exc:
        return [_at_edited_line(p, exc, where, offset, body.count("\n")) for p in exc.problems], None, None
    except UnknownOrganizations as exc:
        lines = [f"# {x}" for x in exc.registry_yaml.splitlines()]
        return [f"{where}:{offset + 1}: {exc}", *lines], None, None
    return [], record, line


def _at_edited_line(problem: str, exc: ValidationFailed, where: str, offset: int, length: int) -> str:
    """A problem at a line of the new item, said at the same line of the edited file."""
    shown = display(exc.path)
    m = re.match(re.escape(shown) + r":(\d+): (.*)", problem)
    if m and exc.line <= int(m.group(1)) < exc.line + length:
        return f"{where}:{int(m.group(1)) - exc.line + offset + 1}: {m.group(2)}"
    return problem


# ------------------------------------------------------------------ reject, merge, complete


def reject(settings, url: str, given: str, *, reason: str, reviewer: str) -> Outcome:
    """`review reject`: record the rejection (with its reason) in the decisions file."""
    if not reason or len(reason.strip()) < 3:
        raise ReviewError("say why: --reason TEXT")
    with psycopg.connect(url) as conn:
        c = queries.candidate(conn, given)
    _decidable(c, "reject")
    now = _now()
    decisions = write_decision(settings, CandidateDecision(
        candidate=c.key, document=c.document, extraction=c.extraction, decision="rejected", reviewer=reviewer,
        decided_at=now, reason=reason.strip()))
    marked = mark(url, [(c.key, {"status": "rejected", "decision_source": "decision", "reviewer": reviewer,
                                 "decided_at": now, "reason": reason.strip()})])
    return Outcome("reject", c.key, "rejected", None, None, None, decisions, reviewer, _database(marked))


def merge(settings, url: str, given: str, *, into: str, reviewer: str, reason: str | None = None) -> Outcome:
    """`review merge`: add the candidate's evidence to an existing fact (`evidence_for`
    entries in the candidate document's curated file) and record the merge."""
    registry = _registry(settings)
    with psycopg.connect(url) as conn:
        c = queries.candidate(conn, given)
        _decidable(c, "merge")
        docs = read_documents(conn)
    place = placement(settings.curated_dir, docs[c.document], c.char_start)
    try:
        quotes = evidence_quotes(docs[c.document], c.evidence, place.part)
    except RecordError as exc:
        raise ReviewError(str(exc)) from None
    d = Draft(c, place, {}, docs, registry)
    line = _write_curated(settings, url, d, "evidence_for", render_evidence_for(into, quotes))
    now = _now()
    why = reason or f"the same event as {into}"
    decisions = write_decision(settings, CandidateDecision(
        candidate=c.key, document=c.document, extraction=c.extraction, decision="merged", merged_into=into,
        reviewer=reviewer, decided_at=now, reason=why))
    marked = mark(url, [(c.key, {"status": "accepted", "decision_source": "merge", "reviewer": reviewer,
                                 "decided_at": now, "reason": why, "fact_key": into})])
    return Outcome("merge", c.key, "accepted", into, display(place.path), line, decisions, reviewer,
                   _database(marked))


def complete(settings, url: str, document: str, *, reason: str, reviewer: str,
             decided_at: dt.datetime | None = None) -> Outcome:
    """`review complete`: the document was read in full; every current candidate no
    curated fact covers is not a fact. Recorded as one document-level decision that
    lists the extractions it decided (a later, different extraction is pending again)."""
    if not reason or len(reason.strip()) < 5:
        raise ReviewError("say why: --reason TEXT (who read it, how)")
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT sha256 FROM core.documents WHERE document_key = %s", (document,)).fetchone()
        if row is None:
            raise ReviewError(f"no loaded document {document!r}")
        open_rows = conn.execute(
            "SELECT c.candidate_key, c.extraction_hash FROM review.candidates c JOIN core.documents d "
            "USING (document_id) WHERE d.document_key = %s AND c.status IN ('pending', 'rejected') "
            "AND c.decision_source IN ('extraction', 'document_decision') ORDER BY c.char_start, c.candidate_key",
            (document,)).fetchall()
    when = decided_at or _now()
    entry = DocumentDecision(document=document, decision="curated_complete", sha256=row[0], reviewer=reviewer,
                             decided_at=when, reason=reason.strip(),
                             extractions=sorted({h for _, h in open_rows}))
    decisions = write_decision(settings, entry)
    marked = mark(url, [(k, {"status": "rejected", "decision_source": "document_decision", "reviewer": reviewer,
                             "decided_at": when, "reason": reason.strip()}) for k, _ in open_rows])
    return Outcome("complete", None, "rejected", None, None, None, decisions, reviewer, _database(marked),
                   candidates=[k for k, _ in open_rows])
