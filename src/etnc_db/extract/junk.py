"""Junk rules (site chrome, spam, layout debris) loaded from etl/reference/junk_rules.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .parsed import Removal

DEFAULT_RULES_PATH = Path(__file__).resolve().parents[3] / "etl" / "reference" / "junk_rules.yaml"
_ACTIONS = {"drop_line", "drop_menu_block", "remove_span", "drop_repeated", "drop_rest", "drop_before_title", "drop_title_repeat",
            "drop_unrelated_headline", "drop_caption_above"}
_NO_PATTERN = {"drop_menu_block", "drop_repeated", "drop_before_title", "drop_title_repeat", "drop_unrelated_headline", "drop_caption_above"}
_KINDS = {"report", "news_article", "newsletter", "article", "all"}


@dataclass(frozen=True)
class JunkRule:
    id: str
    kinds: frozenset[str]
    action: str
    reason: str
    regex: re.Pattern[str] | None = None
    literal: str | None = None
    max_length: int | None = None  # drop_repeated: only lines up to this length (None: any)
    min_prefix: int | None = None  # drop_repeated: a line this long or longer that starts
    #                                an earlier line is a (truncated) copy of it
    min_words: int | None = None  # drop_unrelated_headline: only lines of this many words or more
    max_shared: float | None = None  # drop_unrelated_headline: most share of its words the article may hold
    after_rules: frozenset[str] = frozenset()  # drop_caption_above: the credit rules whose lines it reads
    min_lines: int | None = None  # drop_menu_block: the fewest lines a block has
    max_words: int | None = None  # drop_menu_block: the most words a line of the block has

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
        if action not in _NO_PATTERN:
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
                regex=regex, literal=literal,
                max_length=_opt_int(r.get("max_length")), min_prefix=_opt_int(r.get("min_prefix")),
                min_words=_opt_int(r.get("min_words")),
                max_shared=None if r.get("max_shared") is None else float(r["max_shared"]),
                after_rules=frozenset(str(x) for x in r.get("after_rules") or []),
                min_lines=_opt_int(r.get("min_lines")), max_words=_opt_int(r.get("max_words")),
            )
        )
    pubs = []
    for p in data.get("published_patterns") or []:
        pat = re.compile(p["pattern"])
        if "date" not in pat.groupindex:
            raise JunkRulesError(f"{source}: published pattern {p['pattern']!r} lacks (?P<date>...)")
        pubs.append(pat)
    return JunkRules(tuple(rules), tuple(pubs))


def _opt_int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


@lru_cache(maxsize=8)
def load_rules(path: Path | str | None = None) -> JunkRules:
    p = Path(path) if path else DEFAULT_RULES_PATH
    with open(p, encoding="utf-8") as fh:
        return parse_rules(yaml.safe_load(fh), str(p))


@dataclass
class Classification:
    """What the junk rules made of a document's lines.

    ``dropped``: line index -> the removal of that whole line; ``cuts``: line index ->
    absolute spans cut out of a kept line; ``removals``: every removal in text order
    (dropped lines and cut spans).
    """

    dropped: dict[int, Removal]
    cuts: dict[int, list[tuple[int, int]]]
    _cut_removals: list[Removal] = field(default_factory=list)

    @property
    def removals(self) -> list[Removal]:
        out = list(self.dropped.values())
        out.extend(self._cut_removals)
        return sorted(out, key=lambda r: (r.char_start, r.char_end))

    def drop(self, idx: int, start: int, end: int, rule: JunkRule | str, reason: str | None = None) -> None:
        """Drop line ``idx`` (span ``start:end``) unless it is dropped already."""
        if idx in self.dropped:
            return
        rid = rule if isinstance(rule, str) else rule.id
        self.dropped[idx] = Removal(start, end, rid, reason or getattr(rule, "reason", ""))
        self.cuts.pop(idx, None)
        self._cut_removals = [r for r in self._cut_removals if not start <= r.char_start < end]

    def cut(self, idx: int, a: int, b: int, rule_id: str, reason: str) -> None:
        """Cut the absolute span ``a:b`` out of line ``idx``."""
        self.cuts[idx] = _merge(self.cuts.get(idx, []) + [(a, b)])
        self._cut_removals.append(Removal(a, b, rule_id, reason))

    def residual(self, idx: int, s: int, e: int, text: str) -> str:
        """The line's text with its cut spans removed (stripped)."""
        return " ".join(text[a:b] for a, b in _complement(s, e, self.cuts.get(idx, []))).strip()


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans = sorted(spans)
    merged = [spans[0]]
    for a, b in spans[1:]:
        if a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def classify_lines(
    lines: list[tuple[int, int]], text: str, rules: tuple[JunkRule, ...]
) -> tuple[set[int], dict[int, list[tuple[int, int]]]]:
    """For (start, end) line spans: indexes of dropped lines, and per-line spans to cut.

    Cut spans are absolute offsets into ``text``. See :func:`classify` for the details.
    """
    c = classify(lines, text, rules)
    return set(c.dropped), c.cuts


def classify(lines: list[tuple[int, int]], text: str, rules: tuple[JunkRule, ...]) -> Classification:
    """Apply the junk rules to every line; each removal keeps its rule and reason.

    Order: ``remove_span`` cuts first, then ``drop_line`` (tested against what is left
    of the line after the cuts), ``drop_rest`` (this line and all after it), and last
    ``drop_repeated`` over the lines still kept. ``drop_before_title`` and
    ``drop_title_repeat`` need the headline and are applied by the news parser.
    """
    c = Classification({}, {})
    rest_from: int | None = None
    rest_from_rule: JunkRule | None = None
    rest_from_line = ""
    for idx, (s, e) in enumerate(lines):
        line = text[s:e]
        if not line.strip():
            continue
        if rest_from is not None and rest_from_rule is not None:
            c.drop(idx, s, e, rest_from_rule, f"after '{rest_from_line}': {rest_from_rule.reason}")
            continue
        for rule in rules:
            if rule.action == "remove_span":
                for a, b in rule.spans(line):
                    c.cut(idx, s + a, s + b, rule.id, rule.reason)
        residual = c.residual(idx, s, e, text)
        if not residual:
            c.drop(idx, s, e, c._cut_removals[-1].rule_id, c._cut_removals[-1].reason)
            continue
        for rule in rules:
            if rule.action in ("drop_line", "drop_rest") and rule.line_matches(residual):
                c.drop(idx, s, e, rule)
                if rule.action == "drop_rest":
                    rest_from, rest_from_rule, rest_from_line = idx, rule, residual[:40]
                break
    for rule in rules:
        if rule.action == "drop_caption_above":
            _drop_caption_above(lines, text, rule, c)
        elif rule.action == "drop_menu_block":
            _drop_menu_block(lines, text, rule, c)
    for rule in rules:
        if rule.action == "drop_repeated":
            _drop_repeated(lines, text, rule, c)
    return c


def _drop_caption_above(lines: list[tuple[int, int]], text: str, rule: JunkRule, c: Classification) -> None:
    """A caption without a credit of its own: a short kept line, not a sentence, right
    above (no blank line between) a line that one of ``rule.after_rules`` dropped as a
    photo credit ("Shanghai skyline" / "Image: agency/photographer"), with a blank or
    dropped line above it (so never the middle of a paragraph or the page's first line)."""
    for idx in range(2, len(lines)):
        r = c.dropped.get(idx)
        if r is None or r.rule_id not in rule.after_rules:
            continue
        k = idx - 1
        ks, ke = lines[k]
        line = text[ks:ke].strip()
        if not line or k in c.dropped or k in c.cuts or line[-1] in ".!?:;,":
            continue
        if rule.max_length is not None and len(line) > rule.max_length:
            continue
        above = text[lines[k - 1][0]:lines[k - 1][1]]
        if k - 1 in c.dropped or not above.strip():
            c.drop(k, ks, ke, rule)


def _drop_menu_block(lines: list[tuple[int, int]], text: str, rule: JunkRule, c: Classification) -> None:
    """Site menus, share bars and tag lists told by their shape: ``min_lines`` or more
    lines in a row (no blank line between them), each of at most ``max_words`` words
    and none ending like a sentence or a clause (. ! ? : ; ,). An article's text never
    comes as such a block; a list in the article has longer items or sentences."""
    block: list[int] = []
    for idx in [*range(len(lines)), len(lines)]:
        line = text[lines[idx][0]:lines[idx][1]].strip() if idx < len(lines) else ""
        if line and len(line.split()) <= (rule.max_words or 4) and line[-1] not in ".!?:;,":
            block.append(idx)
            continue
        if len(block) >= (rule.min_lines or 4):
            for k in block:
                c.drop(k, lines[k][0], lines[k][1], rule)
        block = []


_DASHES = str.maketrans({"‐": "-", "‑": "-", "–": "-", "—": "-", "−": "-", "“": '"', "”": '"', "‘": "'", "’": "'", "\u00a0": " "})


def repeat_key(line: str) -> str:
    """A line compared for repeats: whitespace collapsed, dashes and quotes unified."""
    return re.sub(r"\s+", " ", line.translate(_DASHES)).strip().casefold()


def _is_sentence(line: str) -> bool:
    end = line.rstrip()[-1:]
    return bool(end) and end in '.!?"\'”’)…»' and len(line.split()) >= 8


def _drop_repeated(lines: list[tuple[int, int]], text: str, rule: JunkRule, c: Classification) -> None:
    """Repeated lines: a repeated caption, tag or masthead line (not a sentence, or its
    copies only blank lines apart) loses every copy; a repeated paragraph (the page
    repeats its text) keeps its first copy. A line of ``min_prefix`` or more characters
    that an earlier kept line starts with is a truncated copy and is dropped too."""
    kept = [(i, s, e, repeat_key(c.residual(i, s, e, text))) for i, (s, e) in enumerate(lines)
            if i not in c.dropped and text[s:e].strip()]
    groups: dict[str, list[int]] = {}
    for pos, (_i, _s, _e, key) in enumerate(kept):
        if rule.max_length is None or len(key) <= rule.max_length:
            groups.setdefault(key, []).append(pos)
    for key, positions in groups.items():
        if len(positions) < 2:
            continue
        adjacent = any(b - a == 1 for a, b in zip(positions, positions[1:], strict=False))
        paragraph = _is_sentence(key) and not adjacent
        for n, pos in enumerate(positions):
            i, s, e, _k = kept[pos]
            if paragraph and n == 0:
                continue
            why = "repeated paragraph: the first copy is kept" if paragraph else rule.reason
            c.drop(i, s, e, rule, why)
    if rule.min_prefix:
        for n, (i, s, e, key) in enumerate(kept):
            if len(key) >= rule.min_prefix and i not in c.dropped and any(
                    len(k) > len(key) and k.startswith(key) for _i, _s, _e, k in kept[:n]):
                c.drop(i, s, e, rule, "truncated copy of an earlier paragraph")


def _complement(s: int, e: int, cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out, pos = [], s
    for a, b in cuts:
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    if pos < e:
        out.append((pos, e))
    return out
