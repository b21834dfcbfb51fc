"""Curated records made from candidates, and the edits of curated files that add them.

An accepted candidate becomes a record of the curated file of the part that holds its
evidence (`etl/curated/<document>/<part>.yaml`; `main` for a news page), written in the
files' own style (docs/curation.md §4): the proposed fields with the reviewer's edits,
`candidate: KEY`, and one verbatim evidence quote per evidence span (with `occurrence`
when the quote occurs more than once in the part). A merged candidate becomes
`evidence_for` entries for an existing fact. Files are edited as text: other records,
comments and formatting stay as written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from etnc_db.facts import schema
from etnc_db.facts.documents import DocumentText
from etnc_db.quotes import find_all, in_span
from etnc_db.yaml_lines import LineDict, YamlSyntaxError, parse_yaml_with_lines

LIST_KEYS = {"agreement": "agreements", "investment": "investments", "policy_measure": "policy_measures"}
MIN_QUOTE = 12  # the curated format's shortest quote
ORGANIZATION_FIELDS = ("investor", "target", "issuer")


class RecordError(Exception):
    """A record cannot be made or placed; `str()` says why in one line."""


@dataclass(frozen=True)
class Placement:
    """Where a candidate's record goes: the curated file, its document and part."""

    path: Path
    document: str
    part: str


def placement(curated_dir: Path, doc: DocumentText, start: int) -> Placement:
    """The curated file of the part (chapter) holding offset `start`: the report's
    chapter key (`hu`, `eu`, `summary`), `main` for a news page."""
    chapter = doc.chapter_at(start)
    part = chapter[2].rsplit("/", 1)[-1] if chapter else "main"
    return Placement(Path(curated_dir) / doc.key / f"{part}.yaml", doc.key, part)


def evidence_quotes(doc: DocumentText, spans: list[list[int]] | list[tuple[int, int]], part: str) -> list[dict]:
    """One `{quote, occurrence?}` per evidence span (spans shorter than a quote may be
    are left out): the stored text, verbatim, located in the part as the loader will."""
    out = []
    for start, end in spans:
        quote = doc.text[start:end]
        if len(quote.strip()) < MIN_QUOTE:
            continue
        matches = in_span(find_all(doc.text, [quote], doc.normalized)[quote], doc.part_span(part))
        item: dict[str, Any] = {"quote": quote}
        if len(matches) > 1:
            index = next((i for i, m in enumerate(matches) if m.start <= start < m.end), None)
            if index is None:
                raise RecordError(f"the evidence at {start}-{end} is not found in {doc.key}/{part}")
            item["occurrence"] = index + 1
        out.append(item)
    if not out:
        raise RecordError("the candidate's evidence is too short to quote")
    return out


# Keys of list items (parties, targets, evidence) in the order the curated files write them.
_ITEM_ORDER = ("organization", "country", "sector", "description", "role", "fact", "relation", "quote", "occurrence")


def _plain(value: Any) -> Any:
    """JSON values as they read best in YAML: 7300000000.0 -> 7300000000; the keys of a
    party or target in the files' order (the database's JSON keeps no order)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        rank = {k: i for i, k in enumerate(_ITEM_ORDER)}
        return {k: _plain(v) for k, v in sorted(value.items(), key=lambda kv: rank.get(kv[0], len(rank)))}
    return value


def field_names(fact_type: str) -> list[str]:
    """The curated fields of a record of `fact_type`, in the format's order."""
    return list(schema.record_model(fact_type).model_fields)


def build_record(candidate, fact_id: str, edits: dict[str, Any], quotes: list[dict]) -> dict:
    """The record of `candidate` (anything with fact_type, key, title and proposed): id,
    title, candidate, the proposed fields with `edits` applied (an edit to None clears a
    field), evidence last; empty values are left out."""
    fact_type, proposed = candidate.fact_type, candidate.proposed
    known = field_names(fact_type)
    unknown = sorted(k for k in edits if k not in known or k in ("id", "candidate", "evidence"))
    if unknown:
        allowed = ", ".join(k for k in known if k not in ("id", "candidate", "evidence"))
        raise RecordError(f"unknown field(s) {', '.join(unknown)} for a {fact_type.replace('_', ' ')} "
                          f"(fields: {allowed})")
    values = {**proposed, "title": candidate.title, **edits}
    record: dict[str, Any] = {"id": fact_id}
    for name in known:
        value = values.get(name)
        if name == "id" or value is None or value == [] or value == "":
            continue
        record[name] = _plain(value)
    record["candidate"] = candidate.key
    record["evidence"] = quotes
    order: dict[str, int] = {}
    for name in ["id", "title", "candidate", *known]:
        order.setdefault(name, len(order))
    return dict(sorted(record.items(), key=lambda kv: order.get(kv[0], len(order))))


def edited_fields(proposed: dict, title: str, record: dict) -> dict:
    """The fields whose accepted value differs from the proposed one (the reviewer's
    edits), title included; evidence, id and candidate are not edits."""
    out = {}
    for name, value in record.items():
        if name in ("id", "candidate", "evidence"):
            continue
        before = title if name == "title" else _plain(proposed.get(name))
        if _plain(value) != before:
            out[name] = value
    for name, value in proposed.items():
        if value not in (None, [], "") and name not in record:
            out[name] = None
    return out


def unknown_organizations(record: dict, known: set[str] | dict) -> list[tuple[str, str]]:
    """(field, value) of every organization value the registry does not know."""
    found = [(f, record[f]) for f in ORGANIZATION_FIELDS if isinstance(record.get(f), str)]
    for list_key in ("parties", "targets"):
        for item in record.get(list_key) or []:
            if isinstance(item, dict) and isinstance(item.get("organization"), str):
                found.append((f"{list_key}.organization", item["organization"]))
    return [(f, v) for f, v in found if v not in known]


# ------------------------------------------------------------------ rendering


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False,
                            width=1_000_000).strip()
    return dumped.removesuffix("...").strip()


def render_record(record: dict) -> str:
    """A record as a top-level YAML mapping (what `review edit` opens), in the curated
    files' style: lists of mappings one flow mapping a line, short lists inline."""
    lines = []
    for key, value in record.items():
        if isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            lines.append(f"{key}:")
            lines += [f"- {_scalar(item)}" for item in value]
        else:
            lines.append(f"{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def as_list_item(block: str) -> str:
    """A top-level mapping's lines as one item of a block list (first line `- `, the
    others indented two spaces): line i of `block` is line i of the item."""
    out = []
    for i, line in enumerate(block.splitlines()):
        out.append(("- " if i == 0 else "  ") + line if line.strip() else line)
    return "\n".join(out) + "\n"


def render_evidence_for(fact_id: str, quotes: list[dict]) -> str:
    """`evidence_for` items adding the quotes to fact `fact_id`."""
    return "".join(as_list_item(render_record({"fact_id": fact_id, **q})) for q in quotes)


# ------------------------------------------------------------------ file edits

_FLOW_EMPTY = re.compile(r"^(?P<key>[a-z_]+):\s*\[\s*\]\s*(#.*)?$")


def new_file(document: str, part: str) -> str:
    """The text of a new curated file for a document part."""
    return (f"# Curated records of {document} ({part}), created by `etnc-db review` (docs/review.md).\n"
            f"document: {document}\npart: {part}\n")


def insert_item(text: str, list_key: str, item: str) -> tuple[str, int]:
    """`text` with `item` (block list item lines) appended to the top-level list
    `list_key` (created when absent; an empty `[]` becomes a block list). Returns the
    new text and the 1-based line where the item starts."""
    try:
        data = parse_yaml_with_lines(text, "curated file")
    except YamlSyntaxError as exc:
        raise RecordError(f"the curated file is not valid YAML ({exc.reason} at line {exc.line}); fix it first") from None
    if not isinstance(data, LineDict):
        raise RecordError("the curated file is not a mapping with document, part and fact lists")
    lines = text.splitlines()
    if list_key not in data:
        while lines and not lines[-1].strip():
            lines.pop()
        lines.append(f"{list_key}:")
        at = len(lines)
    else:
        key_line = data.line_of(list_key) - 1
        if _FLOW_EMPTY.match(lines[key_line]):
            lines[key_line] = f"{list_key}:"
        elif data[list_key] not in (None, []) and not lines[key_line].rstrip().endswith(":"):
            raise RecordError(f"{list_key} is written inline; write it as a block list first")
        later = sorted(line - 1 for line in data.key_lines.values() if line - 1 > key_line)
        at = later[0] if later else len(lines)
        while at > key_line + 1 and (not lines[at - 1].strip() or lines[at - 1].startswith("#")):
            at -= 1
    new = lines[:at] + item.rstrip("\n").split("\n") + lines[at:]
    return "\n".join(new) + "\n", at + 1
