"""Facts stage: read every curated file, validate it (schema built from the models),
resolve its keys against the registry and the vocabularies, locate every evidence quote
in the stored text of its part (one pass per document for all quotes), attach the
endnotes of each quote's sentences, derive EUR amounts, directions and reported dates,
and return named rows for the fact tables. Any invalid record rejects the whole stage:
every problem is listed as `file:line: reason`, the first one leads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from etnc_db.facts import schema
from etnc_db.facts.derive import Derivation
from etnc_db.facts.documents import DocumentText
from etnc_db.quotes import Match, find_all, in_span
from etnc_db.reference.registry import Registry
from etnc_db.tables import ORIGIN, TableLoad
from etnc_db.yaml_lines import LineDict, Lines, YamlSyntaxError, lines_only, load_yaml_with_lines


class FactsError(Exception):
    """Curated files are invalid. `problems` lists every `file:line: reason`."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


@dataclass
class Record:
    """One validated curated record and where it was written: `raw` is the line
    skeleton of its YAML mapping (yaml_lines.lines_only), not its values."""

    fact_type: str
    fact: BaseModel
    raw: Lines
    path: Path
    document: str
    part: str
    evidence: list[tuple[Match, str, Path, int]] = field(default_factory=list)  # match, document, file, line


@dataclass
class FactsResult:
    loads: list[TableLoad]
    withdrawn: dict[str, str]  # id -> reason
    replaces: dict[str, str]  # old id -> the id that replaces it
    facts_per_document: dict[str, int]


@dataclass
class _Quote:
    record: Record
    evidence: schema.Evidence
    raw: Any
    path: Path
    document: str
    part: str | None


class _Context:
    def __init__(self, registry: Registry, docs: dict[str, DocumentText], root: Path):
        self.registry = registry
        self.docs = docs
        self.root = root
        self.problems: list[str] = []
        self.records: dict[str, Record] = {}
        self.quotes: list[_Quote] = []
        self.withdrawn: dict[str, tuple[str, Path, int]] = {}
        self._relative: dict[Path, Path] = {}
        self._source: dict[Path, str] = {}

    def where(self, path: Path, line: int) -> str:
        """`file:line` for messages: relative to the working directory when possible
        (worked out once per file: resolving a path reads the file system)."""
        rel = self._relative.get(path)
        if rel is None:
            try:
                rel = path.resolve().relative_to(Path.cwd())
            except ValueError:
                rel = path
            self._relative[path] = rel
        return f"{rel}:{line}"

    def source_ref(self, path: Path, line: int) -> str:
        """`file:line` stored with a record: relative to the curated folder (worked out
        once per file)."""
        rel = self._source.get(path)
        if rel is None:
            rel = self._source[path] = path.relative_to(self.root).as_posix()
        return f"{rel}:{line}"

    def problem(self, path: Path, line: int, reason: str) -> None:
        self.problems.append(f"{self.where(path, line)}: {reason}")


def _line_of(node: Any, loc: tuple) -> int:
    """The line of the deepest mapping/key that a pydantic error location reaches."""
    line = getattr(node, "line", 1) or 1
    for part in loc:
        if isinstance(node, LineDict) and isinstance(part, str):
            line = node.line_of(part)
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            line = getattr(node, "line", line) or line
        else:
            break
    return line


def _validate(ctx: _Context, path: Path, raw: Any, model: type[BaseModel]) -> BaseModel | None:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors()[:3]:
            loc = ".".join(str(p) for p in err["loc"]) or "record"
            msg = err["msg"].removeprefix("Value error, ")
            ctx.problem(path, _line_of(raw, err["loc"]), f"{loc}: {msg}")
        return None


class CuratedReading:
    """The curated files under `curated_dir` read and validated one at a time: all that
    resolving needs besides the documents' text, given the keys of the documents that
    will be loaded. A run reads them while it waits for its documents."""

    def __init__(self, curated_dir: Path, registry: Registry, document_keys):
        self.document_keys = frozenset(document_keys)
        self.ctx = _Context(registry, dict.fromkeys(self.document_keys), curated_dir)
        self.files = sorted(curated_dir.rglob("*.yaml")) if curated_dir.exists() else []
        self.pending_for: list[tuple[Path, Lines, schema.EvidenceFor, str, str]] = []
        self._next = 0

    def read_next(self) -> bool:
        """Read the next file; False once every file has been read."""
        if self._next >= len(self.files):
            return False
        _read_file(self.ctx, self.files[self._next], self.pending_for)
        self._next += 1
        return True


def resolve_facts(curated_dir: Path, registry: Registry, docs: dict[str, DocumentText],
                  reading: CuratedReading | None = None) -> FactsResult:
    """The fact tables' rows from every curated file under `curated_dir` (`reading`: the
    files already read, or partly, for exactly the documents in `docs`; else read here)."""
    if reading is None or reading.document_keys != set(docs) or reading.ctx.registry is not registry:
        reading = CuratedReading(curated_dir, registry, docs)
    while reading.read_next():
        pass
    ctx, pending_for = reading.ctx, reading.pending_for
    ctx.docs = docs
    for path, raw, item, document, part in pending_for:
        record = ctx.records.get(item.fact_id)
        if record is None:
            ctx.problem(path, raw.line_of("fact_id"), f"evidence_for names unknown fact id {item.fact_id!r}")
            continue
        ctx.quotes.append(_Quote(record, item, raw, path, document, part))
    _check_links(ctx)
    _locate_quotes(ctx)
    ctx.quotes = []
    per_document: dict[str, int] = defaultdict(int)
    for rec in ctx.records.values():
        for doc in {ev[1] for ev in rec.evidence}:
            per_document[doc] += 1
    replaces = {old: rec.fact.id for rec in ctx.records.values() for old in rec.fact.replaces}
    loads = _loads(ctx, Derivation(registry)) if not ctx.problems else []
    if ctx.problems:
        raise FactsError(ctx.problems)
    return FactsResult(loads, {k: v[0] for k, v in ctx.withdrawn.items()}, replaces, dict(per_document))


def _read_file(ctx: _Context, path: Path, pending_for: list) -> None:
    try:
        data = load_yaml_with_lines(path)
    except YamlSyntaxError as exc:
        ctx.problem(path, exc.line, exc.reason)
        return
    if not isinstance(data, LineDict):
        ctx.problem(path, 1, "a curated file is a mapping with document, part and fact lists")
        return
    header = _validate(ctx, path, data, schema.file_model())
    if header is None:
        return
    if header.document not in ctx.docs:
        ctx.problem(path, data.line_of("document"), f"unknown document key {header.document!r}")
        return
    for i, w in enumerate(header.withdrawn):
        ctx.withdrawn[w.id] = (w.reason, path, getattr(data["withdrawn"][i], "line", 1))
    for list_key, fact_type in schema.list_keys().items():
        for raw in data.get(list_key) or []:
            fact = _validate(ctx, path, raw, schema.record_model(fact_type))
            if fact is None:
                continue
            if fact.id in ctx.records:
                first = ctx.records[fact.id]
                ctx.problem(path, raw.line_of("id"), f"duplicate id {fact.id!r} (first at {ctx.where(first.path, first.raw.line)})")
                continue
            raw = lines_only(raw)  # the values live on in `fact`; keep only where they were written
            rec = Record(fact_type, fact, raw, path, header.document, header.part)
            ctx.records[fact.id] = rec
            for i, ev in enumerate(fact.evidence):
                ev_raw = raw["evidence"][i]
                document = ev.document or header.document
                ctx.quotes.append(_Quote(rec, ev, ev_raw, path, document, header.part if document == header.document else None))
    for raw in data.get("evidence_for") or []:
        item = _validate(ctx, path, raw, schema.EvidenceFor)
        if item is not None:
            document = item.document or header.document
            pending_for.append((path, lines_only(raw), item, document, header.part if document == header.document else None))


def _check_links(ctx: _Context) -> None:
    """related, replaces and withdrawn name ids consistently."""
    for rec in ctx.records.values():
        for r in rec.fact.related:
            if r.fact not in ctx.records:
                ctx.problem(rec.path, rec.raw.line_of("related"), f"related names unknown fact id {r.fact!r}")
            elif r.fact == rec.fact.id:
                ctx.problem(rec.path, rec.raw.line_of("related"), "a record cannot relate to itself")
        for old in rec.fact.replaces:
            if old in ctx.records:
                ctx.problem(rec.path, rec.raw.line_of("replaces"), f"replaces {old!r}, which is still defined")
    for wid, (_, path, line) in ctx.withdrawn.items():
        if wid in ctx.records:
            ctx.problem(path, line, f"withdrawn id {wid!r} is still defined at {ctx.where(ctx.records[wid].path, ctx.records[wid].raw.line)}")


def _locate_quotes(ctx: _Context) -> None:
    """One pass per document for all its quotes; a quote must occur in its part, once or
    at the `occurrence` it names."""
    by_doc: dict[str, list[_Quote]] = defaultdict(list)
    for q in ctx.quotes:
        by_doc[q.document].append(q)
    for document, quotes in by_doc.items():
        doc = ctx.docs.get(document)
        if doc is None:
            for q in quotes:
                ctx.problem(q.path, _quote_line(q), f"unknown document key {document!r}")
            continue
        # normalized here, not cached on `doc`: one document's normalized copy at a time
        found = find_all(doc.text, [q.evidence.quote for q in quotes])
        for q in quotes:
            scope = doc.part_span(q.part) if q.part else None
            matches = in_span(found[q.evidence.quote], scope)
            where = f"{document}/{q.part}" if scope else document
            if not matches:
                ctx.problem(q.path, _quote_line(q), f"quote not found in {where}: {q.evidence.quote[:60]!r}")
            elif q.evidence.occurrence is not None and q.evidence.occurrence > len(matches):
                ctx.problem(q.path, _quote_line(q), f"occurrence {q.evidence.occurrence}, but the quote occurs "
                                                    f"{len(matches)} time(s) in {where}")
            elif q.evidence.occurrence is None and len(matches) > 1:
                ctx.problem(q.path, _quote_line(q), f"quote occurs {len(matches)} times in {where}: say which with "
                                                    f"occurrence: N, or quote a longer stretch")
            else:
                q.record.evidence.append((matches[(q.evidence.occurrence or 1) - 1], document, q.path, _quote_line(q)))


def _quote_line(q: _Quote) -> int:
    return q.raw.line_of("quote") if isinstance(q.raw, Lines) else getattr(q.raw, "line", 1)


# ----------------------------------------------------------------------------------
# rows
# ----------------------------------------------------------------------------------


def _partial(value: str | None) -> tuple[date | None, str]:
    if not value:
        return None, "unknown"
    parts = [int(p) for p in value.split("-")]
    precision = {1: "year", 2: "month", 3: "day"}[len(parts)]
    return date(*(parts + [1] * (3 - len(parts)))), precision


def _field_rows(ctx: _Context, rec: Record, table: str, values: BaseModel, raw: Any) -> dict[str, Any]:
    """Named row of `table` from a record's fields: an integer foreign key `<x>_id` is
    given by business key as `<x>_key`; keys and vocabulary values are checked."""
    row: dict[str, Any] = {}
    for name, row_key, ref, vocabulary in _curated_columns(table):
        value = getattr(values, name)
        if (ref or vocabulary) and value is not None:
            line = raw.line_of(name) if isinstance(raw, Lines) else rec.raw.line
            if ref:
                _check_key(ctx, rec, line, name, ref, value)
            if vocabulary and value not in ctx.registry.vocabularies[vocabulary]:
                allowed = ", ".join(ctx.registry.vocabularies[vocabulary])
                ctx.problem(rec.path, line, f"{name}: {value!r} is not one of {allowed}")
        row[row_key] = value
    return row


@cache
def _curated_columns(table: str) -> tuple[tuple[str, str, str | None, str | None], ...]:
    """(field, row key, referenced kind, vocabulary) of each curated column of `table`
    in column order, read from the models once, not per record."""
    from etnc_db.db.models import metadata

    out = []
    for column in metadata.tables[table].columns:
        name = column.info.get("field")
        if not name or column.info.get("precision"):
            continue
        ref, vocabulary = column.info.get("ref"), column.info.get("vocabulary")
        out.append((name, column.name.removesuffix("_id") + "_key" if ref else column.name, ref, vocabulary))
    return tuple(out)


def _check_key(ctx: _Context, rec: Record, line: int, name: str, ref: str, key: str) -> None:
    known = {"organization": ctx.registry.organizations, "sector": ctx.registry.sectors,
             "country": ctx.registry.countries, "jurisdiction": ctx.registry.countries}[ref]
    if key not in known and not (ref == "jurisdiction" and key == "multilateral"):
        kind = "country" if ref == "jurisdiction" else ref
        ctx.problem(rec.path, line, f"{name}: unknown {kind} key {key!r}")


def _loads(ctx: _Context, derivation: Derivation) -> list[TableLoad]:
    from etnc_db.db.models import FACT_TYPES

    rows: dict[str, list[dict]] = defaultdict(list)
    # in file order, each record dropped once its rows are made: the validated records
    # and the rows made from them are not all held at once
    for fact_id in list(ctx.records):
        _record_rows(ctx, ctx.records.pop(fact_id), derivation, rows)
    order = ["core.fx_rates", "core.facts"]
    for spec in FACT_TYPES.values():
        order += [spec.table, *(child for _, child in spec.children)]
    order += ["core.fact_sectors", "core.fact_relations", "core.evidence", "core.evidence_citations"]
    rows["core.fx_rates"] = derivation.fx_rows()
    return [TableLoad(table, rows.get(table, [])) for table in order]


def _record_rows(ctx: _Context, rec: Record, derivation: Derivation, rows: dict[str, list[dict]]) -> None:
    from etnc_db.db.models import FACT_TYPES

    spec = FACT_TYPES[rec.fact_type]
    fact, line, fid = rec.fact, rec.raw.line, rec.fact.id
    origin = ctx.where(rec.path, line)
    evidence_rows, cited, dates = _evidence_rows(ctx, rec)
    rows["core.evidence"] += evidence_rows
    rows["core.evidence_citations"] += cited
    fact_date, precision = _partial(fact.date)
    status_date, status_precision = _partial(fact.status_date)
    reported, reported_precision = min(dates) if dates else (None, "unknown")
    rows["core.facts"].append({
        "fact_key": fid, "fact_type": rec.fact_type, "title": fact.title, "fact_date": fact_date,
        "date_precision": precision, "status_date": status_date, "status_date_precision": status_precision,
        "reported_date": reported, "reported_date_precision": reported_precision,
        "note": fact.note, "candidate_key": fact.candidate, "source_file": ctx.source_ref(rec.path, line),
        ORIGIN: origin,
    })
    # the ECB rate of the fact's year: its date, else the status date, else when it was reported
    year = next((d.year for d in (fact_date, status_date, reported) if d), None)
    row = {spec.key: fid, "fact_key": fid, **_field_rows(ctx, rec, spec.table, fact, rec.raw), ORIGIN: origin}
    derive = derivation.for_table(spec.table)
    if derive and (problem := derive(row, year)):
        ctx.problem(rec.path, rec.raw.line_of(problem[0]), problem[1])
    rows[spec.table].append(row)
    for list_key, child_table in spec.children:
        rows[child_table] += _child_rows(ctx, rec, spec.key, list_key, child_table, derivation)
    for s in dict.fromkeys(fact.sectors):
        _check_key(ctx, rec, rec.raw.line_of("sectors"), "sectors", "sector", s)
        rows["core.fact_sectors"].append({"fact_sector_key": f"{fid}|{s}", "fact_key": fid, "sector_key": s, ORIGIN: origin})
    for r in fact.related:
        if r.relation not in ctx.registry.vocabularies["relation"]:
            ctx.problem(rec.path, rec.raw.line_of("related"), f"relation {r.relation!r} is not one of "
                        + ", ".join(ctx.registry.vocabularies["relation"]))
        rows["core.fact_relations"].append({"fact_relation_key": f"{fid}|{r.relation}|{r.fact}", "fact_key": fid,
                                            "relation": r.relation, "related_fact_key": r.fact, ORIGIN: origin})


def _child_rows(ctx: _Context, rec: Record, parent_key: str, list_key: str, table: str,
                derivation: Derivation) -> list[dict]:
    """Rows of a child list (agreement parties, policy-measure targets), keyed by the
    parent id and the item's non-empty fields."""
    from etnc_db.db.models import metadata

    key_column = next(c.name for c in metadata.tables[table].columns if c.unique and c.name.endswith("_key"))
    derive = derivation.for_table(table)
    seen: set[str] = set()
    out: list[dict] = []
    for i, item in enumerate(getattr(rec.fact, list_key)):
        raw = rec.raw[list_key][i]
        line = getattr(raw, "line", rec.raw.line)
        values = {k: v for k, v in item.model_dump().items() if v is not None}
        key = rec.fact.id + "|" + "|".join(f"{k}:{v}" for k, v in values.items())
        if key in seen:
            ctx.problem(rec.path, line, f"{list_key}: repeated entry {values}")
            continue
        seen.add(key)
        row = {key_column: key, parent_key: rec.fact.id, **_field_rows(ctx, rec, table, item, raw),
               ORIGIN: ctx.where(rec.path, line)}
        if derive and (problem := derive(row, None)):
            ctx.problem(rec.path, raw.line_of(problem[0]) if isinstance(raw, Lines) else line, problem[1])
        out.append(row)
    return out


def _evidence_rows(ctx: _Context, rec: Record) -> tuple[list[dict], list[dict], list[tuple[date, str]]]:
    """Evidence rows, their endnote rows, and the (date, precision) of every dated endnote."""
    evidence, cited, dates = [], [], []
    seen: set[str] = set()
    for match, document, path, line in rec.evidence:
        key = f"{rec.fact.id}@{document}:{match.start}-{match.end}"
        if key in seen:
            continue
        seen.add(key)
        doc = ctx.docs[document]
        chapter = doc.chapter_at(match.start)
        origin = ctx.where(path, line)
        evidence.append({
            "evidence_key": key, "fact_key": rec.fact.id, "document_key": document,
            "section_key": chapter[2] if chapter else None, "char_start": match.start, "char_end": match.end,
            "quote": doc.text[match.start:match.end], "match_method": match.method,
            "source_file": ctx.source_ref(path, line), ORIGIN: origin,
        })
        for marker in doc.cited(match.start, match.end):
            cited.append({"evidence_citation_key": f"{key}#{marker.citation_key}", "evidence_key": key,
                          "citation_key": marker.citation_key, ORIGIN: origin})
            # a date outside the database's period is a year named in a title ("since 1917"),
            # not when the source was published
            if marker.cited_date is not None and schema.YEARS[0] <= marker.cited_date.year <= schema.YEARS[1]:
                dates.append((marker.cited_date, marker.cited_precision))
    return evidence, cited, dates
