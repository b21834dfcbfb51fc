"""Junk rules (site chrome, spam, layout debris) loaded from etl/reference/junk_rules.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DEFAULT_RULES_PATH = Path(__file__).resolve().parents[3] / "etl" / "reference" / "junk_rules.yaml"
_ACTIONS = {"drop_line", "remove_span", "drop_repeated"}
_KINDS = {"report", "news_article", "newsletter", "article", "all"}


@dataclass(frozen=True)
class JunkRule:
    id: str
    kinds: frozenset[str]
    action: str
    reason: str
    regex: re.Pattern[str] | None = None
    literal: str | None = None
    max_length: int = 200

    def applies(self, kind: str) -> bool:
        return "all" in self.kinds or kind in self.kinds

    def line_matches(self, line: str) -> bool:
        if self.regex is not None:
            return self.regex.search(line) is not None
        return line.strip() == self.literal

    def spans(self, line: str) -> list[tuple[int, int]]:
        if self.regex is not None:
            return [m.span() for m in self.regex.finditer(line) if m.end() > m.start()]
        out, i = [], line.find(self.literal)  # type: ignore[arg-type]
        while i >= 0:
            out.append((i, i + len(self.literal)))  # type: ignore[arg-type]
            i = line.find(self.literal, i + 1)  # type: ignore[arg-type]
        return out


@dataclass(frozen=True)
class JunkRules:
    rules: tuple[JunkRule, ...]
    published_patterns: tuple[re.Pattern[str], ...]

    def for_kind(self, kind: str) -> tuple[JunkRule, ...]:
        return tuple(r for r in self.rules if r.applies(kind))


class JunkRulesError(ValueError):
    pass


def parse_rules(data: dict, source: str = "<rules>") -> JunkRules:
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise JunkRulesError(f"{source}: expected a mapping with a 'rules' list")
    rules: list[JunkRule] = []
    seen: set[str] = set()
    for i, r in enumerate(data["rules"]):
        where = f"{source}: rule {i + 1}"
        if not isinstance(r, dict):
            raise JunkRulesError(f"{where}: not a mapping")
        rid = r.get("id")
        if not rid or rid in seen:
            raise JunkRulesError(f"{where}: missing or duplicate id {rid!r}")
        seen.add(rid)
        if not r.get("reason"):
            raise JunkRulesError(f"{where} ({rid}): every rule needs a reason")
        action = r.get("action")
        if action not in _ACTIONS:
            raise JunkRulesError(f"{where} ({rid}): unknown action {action!r}")
        kinds = frozenset(r.get("kinds") or ["all"])
        if not kinds <= _KINDS:
            raise JunkRulesError(f"{where} ({rid}): unknown kinds {sorted(kinds - _KINDS)}")
        regex = literal = None
        if action != "drop_repeated":
            match, pattern = r.get("match"), r.get("pattern")
            if not pattern or match not in ("regex", "literal"):
                raise JunkRulesError(f"{where} ({rid}): needs match: regex|literal and a pattern")
            if match == "regex":
                try:
                    regex = re.compile(pattern)
                except re.error as exc:
                    raise JunkRulesError(f"{where} ({rid}): bad regex: {exc}") from exc
            else:
                literal = str(pattern)
        rules.append(
            JunkRule(
                id=rid, kinds=kinds, action=action, reason=str(r["reason"]),
                regex=regex, literal=literal, max_length=int(r.get("max_length", 200)),
            )
        )
    pubs = []
    for p in data.get("published_patterns") or []:
        pat = re.compile(p["pattern"])
        if "date" not in pat.groupindex:
            raise JunkRulesError(f"{source}: published pattern {p['pattern']!r} lacks (?P<date>...)")
        pubs.append(pat)
    return JunkRules(tuple(rules), tuple(pubs))


@lru_cache(maxsize=8)
def load_rules(path: Path | str | None = None) -> JunkRules:
    p = Path(path) if path else DEFAULT_RULES_PATH
    with open(p, encoding="utf-8") as fh:
        return parse_rules(yaml.safe_load(fh), str(p))


def classify_lines(
    lines: list[tuple[int, int]], text: str, rules: tuple[JunkRule, ...]
) -> tuple[set[int], dict[int, list[tuple[int, int]]]]:
    """For (start, end) line spans: indexes of dropped lines, and per-line spans to cut.

    Cut spans are absolute offsets into ``text``.
    """
    dropped: set[int] = set()
    cuts: dict[int, list[tuple[int, int]]] = {}
    counts: dict[str, int] = {}
    for s, e in lines:
        key = text[s:e].strip()
        if key:
            counts[key] = counts.get(key, 0) + 1
    for idx, (s, e) in enumerate(lines):
        line = text[s:e]
        if not line.strip():
            continue
        for rule in rules:
            if rule.action == "drop_line" and rule.line_matches(line):
                dropped.add(idx)
                break
            if rule.action == "drop_repeated":
                k = line.strip()
                if counts.get(k, 0) > 1 and len(k) <= rule.max_length:
                    dropped.add(idx)
                    break
        if idx in dropped:
            continue
        spans: list[tuple[int, int]] = []
        for rule in rules:
            if rule.action == "remove_span":
                spans.extend((s + a, s + b) for a, b in rule.spans(line))
        if spans:
            spans.sort()
            merged = [spans[0]]
            for a, b in spans[1:]:
                if a <= merged[-1][1]:
                    merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
                else:
                    merged.append((a, b))
            cuts[idx] = merged
            kept = "".join(
                text[x:y] for x, y in _complement(s, e, merged)
            )
            if not kept.strip():
                dropped.add(idx)
    return dropped, cuts


def _complement(s: int, e: int, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, pos = [], s
    for a, b in cuts:
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < e:
        out.append((pos, e))
    return out


def kept_segments(s: int, e: int, cuts: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Stored spans of a line after cutting, each trimmed of surrounding whitespace."""
    out = []
    for a, b in _complement(s, e, cuts):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
    return out
