"""The decisions file, `etl/review/decisions.yaml`: every review decision that is not a
curated record, reviewed like code (format in docs/review.md).

A YAML list; each entry decides one candidate or one document:

    - candidate: 3f2a9c0d1e4b5a6f7c8d9e0f      # the candidate key
      document: gt-voice-volkswagen-catl        # informational
      extraction: 9a8b7c6d5e4f3a2b              # the extraction decided on
      decision: rejected                        # accepted | rejected | merged
      reviewer: ana
      decided_at: '2026-12-01T10:22:00Z'
      reason: a forecast, not an investment
    - document: etnc-2026-report
      decision: curated_complete
      sha256: 651d…                             # the version that was read
      reviewer: ...
      decided_at: '2026-12-01'
      reason: ...
      extractions: [9a8b7c6d5e4f3a2b, ...]      # the uncovered candidates it decided

`accepted` entries only record who accepted what and with which edits (the record itself
is in the curated file); `merged` names the fact (`merged_into`) that got the
candidate's evidence. Problems are `file:line: reason`: unknown keys, a key written
twice, two entries for one candidate or document, a missing field. A candidate key that
no loaded document has is fine (its document may not be loaded): `etnc-db status` counts
such entries."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from etnc_db.yaml_lines import LineDict, LineList, YamlSyntaxError, parse_yaml_with_lines

from .files import DECISIONS_FILE, decisions_path

__all__ = ["DECISIONS_FILE", "decisions_path"]  # re-exported: where the file is belongs to files.py
HEADER = (
    "# Review decisions that are not curated records (docs/review.md): rejections, merges, who\n"
    "# accepted which candidate with which edits, and document-level decisions. Written by\n"
    "# `etnc-db review ...`; reviewed like code. Accepted records live in etl/curated/.\n"
)
HEX16 = r"^[0-9a-f]{16}$"
CANDIDATE_KEY = r"^[0-9a-f]{24}(-[0-9]+)?$"
FACT_ID = r"^[a-z0-9][a-z0-9-]*$"


class DecisionsError(Exception):
    """The decisions file is invalid; `problems` lists every `file:line: reason`."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


def _when(value: Any) -> Any:
    """A date, a datetime or an ISO string -> an aware datetime (UTC when none given)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{value!r} is not an ISO date or time") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    raise ValueError("a date or time is required")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reviewer: Annotated[str, Field(min_length=1)]
    decided_at: dt.datetime
    reason: str | None = None

    @field_validator("decided_at", mode="before")
    @classmethod
    def _decided_at(cls, value: Any) -> Any:
        return _when(value)


class CandidateDecision(_Entry):
    """A decision on one candidate."""

    candidate: Annotated[str, Field(pattern=CANDIDATE_KEY)]
    document: str | None = None
    extraction: Annotated[str, Field(pattern=HEX16)]
    decision: Literal["accepted", "rejected", "merged"]
    fact: Annotated[str, Field(pattern=FACT_ID)] | None = None
    merged_into: Annotated[str, Field(pattern=FACT_ID)] | None = None
    edited: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _fields_of_the_decision(self) -> CandidateDecision:
        needs = {"accepted": "fact", "merged": "merged_into", "rejected": "reason"}[self.decision]
        if not getattr(self, needs):
            raise ValueError(f"a {self.decision} decision needs {needs}")
        if self.decision != "accepted" and (self.fact or self.edited):
            raise ValueError("fact and edited belong to an accepted decision")
        if self.decision != "merged" and self.merged_into:
            raise ValueError("merged_into belongs to a merged decision")
        return self

    @property
    def key(self) -> str:
        """The entry's subject: candidate:<key>."""
        return f"candidate:{self.candidate}"

    @property
    def fact_key(self) -> str | None:
        """The record accepted, or the fact merged into."""
        return self.fact or self.merged_into


class DocumentDecision(_Entry):
    """A decision on every candidate of a document that no curated fact covers."""

    document: Annotated[str, Field(min_length=1)]
    decision: Literal["curated_complete"]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None
    extractions: list[Annotated[str, Field(pattern=HEX16)]]
    reason: Annotated[str, Field(min_length=5)]

    @property
    def key(self) -> str:
        """The entry's subject: document:<key>."""
        return f"document:{self.document}"


Decision = CandidateDecision | DocumentDecision


@dataclass
class Decisions:
    """The decisions file as read: entries by candidate key and by document key, and the
    line of each entry (relative to the review folder)."""

    candidates: dict[str, CandidateDecision] = field(default_factory=dict)
    documents: dict[str, DocumentDecision] = field(default_factory=dict)
    lines: dict[str, str] = field(default_factory=dict)  # decision key -> decisions.yaml:LINE

    def entries(self) -> list[Decision]:
        """Every entry, document decisions first."""
        return [*self.documents.values(), *self.candidates.values()]


def load_decisions(review_dir: Path) -> Decisions:
    """The decisions file of `review_dir` (none when absent), validated. Raises
    DecisionsError listing every problem as `file:line: reason`."""
    path = decisions_path(review_dir)
    if not path.exists():
        return Decisions()
    return parse_decisions(path.read_text(encoding="utf-8"), path)


def parse_decisions(text: str, path: Path) -> Decisions:
    """Validate the text of a decisions file (named `path` in messages)."""
    try:
        data = parse_yaml_with_lines(text, str(path))
    except YamlSyntaxError as exc:
        raise DecisionsError([str(exc)]) from None
    if data is None:
        return Decisions()
    if not isinstance(data, LineList):
        raise DecisionsError([f"{path}:{getattr(data, 'line', 1)}: the decisions file is a list of decisions"])
    out, problems = Decisions(), []
    for i, raw in enumerate(data):
        line = data.line_of(i)
        entry = _entry(raw, path, line, problems)
        if entry is None:
            continue
        if entry.key in out.lines:
            problems.append(f"{path}:{line}: a second decision for {entry.key.replace(':', ' ', 1)} "
                            f"(first at {out.lines[entry.key]})")
            continue
        out.lines[entry.key] = f"{path.name}:{line}"
        target = out.candidates if isinstance(entry, CandidateDecision) else out.documents
        target[entry.key.split(":", 1)[1]] = entry
    if problems:
        raise DecisionsError(problems)
    return out


def _entry(raw: Any, path: Path, line: int, problems: list[str]) -> Decision | None:
    if not isinstance(raw, LineDict):
        problems.append(f"{path}:{line}: a decision is a mapping (candidate or document, decision, reviewer, ...)")
        return None
    model = CandidateDecision if "candidate" in raw else DocumentDecision
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors()[:3]:
            loc = err["loc"][0] if err["loc"] else None
            where = raw.line_of(loc) if isinstance(loc, str) else line
            msg = err["msg"].removeprefix("Value error, ")
            name = ".".join(str(p) for p in err["loc"]) or "decision"
            reason = f"unknown key {loc!r}" if err["type"] == "extra_forbidden" else f"{name}: {msg}"
            problems.append(f"{path}:{where}: {reason}")
        return None


# ------------------------------------------------------------------ writing


def _scalar(value: Any) -> str:
    """One YAML scalar or flow collection on one line."""
    if value is None:
        return "null"
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1_000_000).strip()
    return dumped.removesuffix("...").strip()


def render(entry: Decision) -> str:
    """The entry as a block list item, fields in a fixed order, empty ones left out."""
    data = entry.model_dump(exclude_none=True)
    data["decided_at"] = entry.decided_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    first = "candidate" if isinstance(entry, CandidateDecision) else "document"
    order = [first, *(k for k in ("document", "extraction", "decision", "fact", "merged_into", "sha256", "reviewer",
                                  "decided_at", "reason", "edited") if k != first)]
    lines = []
    for i, key in enumerate(k for k in order if k in data):
        lines.append(("- " if i == 0 else "  ") + f"{key}: {_scalar(data[key])}")
    if isinstance(entry, DocumentDecision):  # five hashes a line: the list can be long
        rows = [", ".join(entry.extractions[i:i + 5]) for i in range(0, len(entry.extractions), 5)]
        lines.append("  extractions: [" + ",\n    ".join(rows) + "]")
    return "\n".join(lines) + "\n"


def with_entry(text: str | None, entry: Decision) -> str:
    """The decisions file text with `entry` added, replacing an earlier entry for the
    same candidate or document; other entries and comments stay as written."""
    text = text if text else HEADER
    spans = _entry_spans(text)
    lines = text.splitlines(keepends=True)
    for key, (start, end) in spans.items():
        if key == entry.key:
            del lines[start:end]
            break
    body = "".join(lines)
    if body and not body.endswith("\n"):
        body += "\n"
    return body + render(entry)


def without_entry(text: str, key: str) -> str:
    """The decisions file text without the entry of `key` (candidate:K or document:D)."""
    span = _entry_spans(text).get(key)
    if span is None:
        return text
    lines = text.splitlines(keepends=True)
    del lines[span[0]:span[1]]
    return "".join(lines)


_TOP_ITEM = re.compile(r"^- ")


def _entry_spans(text: str) -> dict[str, tuple[int, int]]:
    """Decision key -> (first line index, end line index) of each top-level entry."""
    data = parse_yaml_with_lines(text, DECISIONS_FILE) if text.strip() else None
    if not isinstance(data, LineList):
        return {}
    lines = text.splitlines()
    starts = [data.line_of(i) - 1 for i in range(len(data))]
    out: dict[str, tuple[int, int]] = {}
    for i, raw in enumerate(data):
        if not isinstance(raw, LineDict):
            continue
        end = starts[i + 1] if i + 1 < len(starts) else len(lines)
        while end > starts[i] + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")) \
                and not _TOP_ITEM.match(lines[end - 1]):
            end -= 1
        subject = f"candidate:{raw['candidate']}" if "candidate" in raw else f"document:{raw.get('document')}"
        out[subject] = (starts[i], end)
    return out
