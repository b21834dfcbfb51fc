"""The extraction rules as data: ``etl/extraction/triggers.yaml`` and
``etl/extraction/slots.yaml`` (format in docs/extraction.md). ``load_rules`` validates
them and raises :class:`RulesError` listing every ``file:line: reason`` (unknown key,
bad regex, unknown vocabulary value, wrong type)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from etnc_db.propose.inflect import family_pattern
from etnc_db.yaml_lines import LineDict, YamlSyntaxError, load_yaml_with_lines

FACT_TYPES = ("investment", "agreement", "policy_measure")
# Per fact type: (the curated field holding its type, the vocabulary of that field).
TYPE_FIELD = {"investment": ("investment_type", "investment_type"),
              "agreement": ("agreement_type", "agreement_type"),
              "policy_measure": ("measure_type", "measure_type")}
STATUS_VOCABULARY = {"investment": "investment_status", "agreement": "agreement_status",
                     "policy_measure": "policy_status"}
RULE_FILES = ("triggers.yaml", "slots.yaml")
FAMILY_REF = re.compile(r"\{@(\w+)\}")  # a word family in a pattern: {@sell}
# slots.yaml `roles`: which role a cue gives and on which side of the organization it is read
ROLE_CUES = ("target_before", "target_after", "investor_before", "investor_after")
# The software's own reference folder: the vocabularies when the rules folder has no
# sibling reference folder (a copy of the rules in a temporary folder, say).
_PACKAGE_REFERENCE = Path(__file__).resolve().parents[3] / "etl" / "reference"


def load_vocabulary_values(reference_dir: Path | None, rules_dir: Path) -> dict[str, tuple[str, ...]]:
    """The values of every curated vocabulary (etl/reference/vocabularies.yaml, the data
    the loader checks curated files against), from ``reference_dir``, else the rules
    folder's sibling ``reference`` folder, else the software's own."""
    from etnc_db.reference.vocabularies import VOCABULARIES_FILE, load_vocabularies

    if reference_dir is None:
        sibling = Path(rules_dir).parent / "reference"
        reference_dir = sibling if (sibling / VOCABULARIES_FILE).is_file() else _PACKAGE_REFERENCE
    return {name: tuple(terms) for name, terms in load_vocabularies(Path(reference_dir)).items()}


class RulesError(Exception):
    """Rule files are invalid; ``problems`` lists every ``file:line: reason``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


@dataclass(frozen=True)
class Trigger:
    fact_type: str
    regex: re.Pattern[str]
    weight: float
    type_value: str | None  # investment_type / agreement_type / measure_type
    stance: str | None
    status: str | None
    where: str  # file:line, also the trigger's id in features

    @property
    def rule_id(self) -> str:
        return self.where


@dataclass(frozen=True)
class Cue:
    regex: re.Pattern[str]
    value: Any
    where: str


@dataclass
class Rules:
    triggers: dict[str, list[Trigger]]
    blockers: dict[str, list[Cue]]
    status_default: dict[str, str]
    status_cues: dict[str, list[Cue]]
    status_by_type: dict[str, dict[str, str]]
    status_after_cue: dict[str, dict[str, dict[str, str]]]
    stance_cues: list[Cue]
    scales: list[Cue]
    currencies: list[Cue]
    qualifiers: list[Cue]
    jurisdiction: list[Cue]
    unnamed_actor: list[Cue]
    bilateral: list[Cue] = field(default_factory=list)
    aid: list[Cue] = field(default_factory=list)  # amount.aid
    roles: list[Cue] = field(default_factory=list)
    agreement_type_by_party_kind: dict[str, str] = field(default_factory=dict)
    measure_type_on_company: dict[str, str] = field(default_factory=dict)
    investment_type_on_company: dict[str, str] = field(default_factory=dict)
    measure_type_in_jurisdiction: dict[str, dict[str, str]] = field(default_factory=dict)
    fingerprint: str = ""
    files: list[str] = field(default_factory=list)


class _Checker:
    def __init__(self, path: Path, vocabularies: dict[str, tuple[str, ...]]):
        self.path = path
        self.vocabularies = vocabularies
        self.problems: list[str] = []
        self.families: dict[str, str] = {}  # name -> alternation (triggers.yaml `families`)

    def values(self, vocabulary: str) -> tuple[str, ...]:
        """The values of a curated vocabulary."""
        return self.vocabularies[vocabulary]

    def where(self, line: int) -> str:
        return f"{self.path}:{line}"

    def problem(self, line: int, reason: str) -> None:
        self.problems.append(f"{self.where(line)}: {reason}")

    def mapping(self, node: Any, line: int, what: str) -> LineDict | None:
        if not isinstance(node, LineDict):
            self.problem(getattr(node, "line", line), f"{what} must be a mapping")
            return None
        return node

    def keys(self, node: LineDict, allowed: set[str], what: str, required: tuple[str, ...] = ()) -> bool:
        ok = True
        for key in node:
            if key not in allowed:
                self.problem(node.line_of(key), f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})")
                ok = False
        for key in required:
            if key not in node:
                self.problem(node.line, f"{what} needs {key!r}")
                ok = False
        return ok

    def regex(self, node: LineDict, key: str = "pattern") -> re.Pattern[str] | None:
        pattern = node.get(key)
        if not isinstance(pattern, str) or not pattern:
            self.problem(node.line_of(key), f"{key} must be a non-empty string")
            return None
        flags = 0 if node.get("case_sensitive") is True else re.IGNORECASE
        for name in FAMILY_REF.findall(pattern):
            if name not in self.families:
                self.problem(node.line_of(key), f"unknown word family {{@{name}}} (families: "
                             f"{', '.join(sorted(self.families)) or 'none'})")
                return None
        pattern = FAMILY_REF.sub(lambda m: self.families[m.group(1)], pattern)
        if "case_sensitive" in node and not isinstance(node["case_sensitive"], bool):
            self.problem(node.line_of("case_sensitive"), "case_sensitive must be true or false")
        try:
            return re.compile(pattern, flags)
        except re.error as exc:
            self.problem(node.line_of(key), f"bad regex {pattern!r}: {exc}")
            return None

    def vocab(self, node: LineDict, key: str, values: tuple[str, ...] | set[str], what: str) -> str | None:
        value = node.get(key)
        if value is None:
            return None
        if value not in values:
            self.problem(node.line_of(key), f"unknown {what} {value!r} (allowed: {', '.join(sorted(values))})")
            return None
        return value

    def entries(self, node: Any, line: int, what: str) -> list[LineDict]:
        if node is None:
            return []
        if not isinstance(node, list):
            self.problem(line, f"{what} must be a list")
            return []
        out = []
        for item in node:
            m = self.mapping(item, line, f"an entry of {what}")
            if m is not None:
                out.append(m)
        return out

    def cues(self, node: Any, line: int, what: str, check_value) -> list[Cue]:
        out = []
        for entry in self.entries(node, line, what):
            self.keys(entry, {"pattern", "value", "case_sensitive", "note"}, f"an entry of {what}", ("pattern", "value"))
            rx = self.regex(entry)
            if "value" not in entry:
                continue
            value = check_value(entry)
            if rx is not None and value is not None:
                out.append(Cue(rx, value, self.where(entry.line)))
        return out


def _load(path: Path, checker: _Checker) -> LineDict | None:
    try:
        data = load_yaml_with_lines(path)
    except YamlSyntaxError as exc:
        checker.problem(exc.line, exc.reason)
        return None
    except OSError as exc:
        checker.problem(1, f"cannot read: {exc}")
        return None
    return checker.mapping(data, 1, "a rule file")


def _families(data: LineDict, c: _Checker) -> None:
    """``families: {name: {language: [words]}}``, usable in any pattern as ``{@name}``."""
    node = data.get("families")
    if node is None or c.mapping(node, data.line_of("families"), "families") is None:
        return
    for name, words in node.items():
        line = node.line_of(name)
        if not re.fullmatch(r"\w+", str(name)) or not isinstance(words, dict) or not words or not all(
                isinstance(lang, str) and isinstance(ws, list) and ws and all(isinstance(w, str) and w.strip("= ")
                                                                              for w in ws)
                for lang, ws in words.items()):
            c.problem(line, f"family {name!r} must map languages to non-empty lists of words")
            continue
        c.families[str(name)] = family_pattern({lang: list(ws) for lang, ws in words.items()})


def _triggers(data: LineDict, c: _Checker) -> tuple[dict[str, list[Trigger]], dict[str, list[Cue]]]:
    c.keys(data, {*FACT_TYPES, "blockers", "families"}, "triggers.yaml", FACT_TYPES)
    _families(data, c)
    triggers: dict[str, list[Trigger]] = {t: [] for t in FACT_TYPES}
    for fact_type in FACT_TYPES:
        type_key, type_values = TYPE_FIELD[fact_type][0], c.values(TYPE_FIELD[fact_type][1])
        allowed = {"pattern", "weight", type_key, "status", "case_sensitive", "note"}
        if fact_type == "policy_measure":
            allowed.add("stance")
        for entry in c.entries(data.get(fact_type), data.line_of(fact_type), fact_type):
            c.keys(entry, allowed, f"a {fact_type} trigger", ("pattern",))
            rx = c.regex(entry)
            weight = entry.get("weight", 0.5)
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
                c.problem(entry.line_of("weight"), f"weight must be a number in [0, 1], got {weight!r}")
                continue
            type_value = c.vocab(entry, type_key, type_values, type_key)
            stance = c.vocab(entry, "stance", c.values("stance"), "stance")
            status = c.vocab(entry, "status", c.values(STATUS_VOCABULARY[fact_type]), f"{fact_type} status")
            if rx is not None:
                triggers[fact_type].append(Trigger(fact_type, rx, float(weight), type_value, stance, status,
                                                   c.where(entry.line)))
    blockers: dict[str, list[Cue]] = {t: [] for t in FACT_TYPES}
    node = data.get("blockers")
    if node is not None and c.mapping(node, data.line_of("blockers"), "blockers") is not None:
        c.keys(node, set(FACT_TYPES), "blockers")
        for fact_type in FACT_TYPES:
            for entry in c.entries(node.get(fact_type), node.line_of(fact_type), f"blockers.{fact_type}"):
                c.keys(entry, {"pattern", "case_sensitive", "note"}, "a blocker", ("pattern",))
                rx = c.regex(entry)
                if rx is not None:
                    blockers[fact_type].append(Cue(rx, True, c.where(entry.line)))
    return triggers, blockers


def _status_by_type(node: LineDict, fact_type: str, c: _Checker, key: str = "by_type") -> dict[str, str]:
    """``status.<type>.by_type``: {type value: status} when no cue matches (also each
    entry of ``after_cue``: {type value: status} for a cue's status)."""
    if node.get(key) is None:
        return {}
    mapping = c.mapping(node.get(key), node.line_of(key), f"status.{fact_type}.{key}")
    if mapping is None:
        return {}
    types, statuses = c.values(TYPE_FIELD[fact_type][1]), c.values(STATUS_VOCABULARY[fact_type])
    out = {}
    for key in mapping:
        if key not in types:
            c.problem(mapping.line_of(key), f"unknown {TYPE_FIELD[fact_type][0]} {key!r}")
        elif c.vocab(mapping, key, statuses, f"{fact_type} status") is not None:
            out[key] = mapping[key]
    return out


def _type_map(data: LineDict, c: _Checker, name: str, keys: str, values: str) -> dict[str, str]:
    """A flat mapping of slots.yaml from one vocabulary (``keys``) to another (``values``):
    ``agreement_type_by_party_kind`` (organization kind -> agreement type, for an agreement
    no typed trigger named), ``measure_type_on_company`` / ``investment_type_on_company``
    (type -> the type it becomes when a named company is the target)."""
    if data.get(name) is None:
        return {}
    mapping = c.mapping(data[name], data.line_of(name), name)
    if mapping is None:
        return {}
    out = {}
    for key in mapping:
        if key not in c.values(keys):
            c.problem(mapping.line_of(key), f"unknown {keys.replace('_', ' ')} {key!r}")
        elif c.vocab(mapping, key, c.values(values), values) is not None:
            out[key] = mapping[key]
    return out


def _type_maps(data: LineDict, c: _Checker) -> dict[str, Any]:
    """The slots.yaml mappings that recode a fact's type (see :func:`_type_map`)."""
    out: dict[str, Any] = {}
    out["agreement_type_by_party_kind"] = _type_map(data, c, "agreement_type_by_party_kind", "organization_kind",
                                                    "agreement_type")
    out["measure_type_on_company"] = _type_map(data, c, "measure_type_on_company", "measure_type", "measure_type")
    out["investment_type_on_company"] = _type_map(data, c, "investment_type_on_company", "investment_type",
                                                  "investment_type")
    out["measure_type_in_jurisdiction"] = {}
    node = data.get("measure_type_in_jurisdiction")
    juris = c.mapping(node, data.line_of("measure_type_in_jurisdiction"), "measure_type_in_jurisdiction") \
        if node is not None else None
    for code in juris or {}:
        if code not in ("EU", "multilateral") and not re.fullmatch(r"[A-Z]{2}", str(code)):
            c.problem(juris.line_of(code), f"unknown jurisdiction {code!r} (ISO alpha-2, EU or multilateral)")
            continue
        out["measure_type_in_jurisdiction"][code] = _type_map(juris, c, code, "measure_type", "measure_type")
    return out


def _slots(data: LineDict, c: _Checker) -> dict[str, Any]:
    c.keys(data, {"status", "stance", "amount", "jurisdiction", "unnamed_actor", "bilateral", "roles",
                  "agreement_type_by_party_kind", "measure_type_on_company",
                  "investment_type_on_company", "measure_type_in_jurisdiction"},
           "slots.yaml",
           ("status", "stance", "amount", "jurisdiction"))
    out: dict[str, Any] = {"status_default": {}, "status_cues": {}, "status_by_type": {}, "status_after_cue": {}}

    def vocab_value(values, what):
        return lambda e: c.vocab(e, "value", values, what)

    status = c.mapping(data.get("status"), data.line_of("status"), "status") if "status" in data else None
    if status is not None:
        c.keys(status, set(FACT_TYPES), "status", FACT_TYPES)
        for fact_type in FACT_TYPES:
            node = c.mapping(status.get(fact_type), status.line_of(fact_type), f"status.{fact_type}")
            if node is None:
                continue
            c.keys(node, {"default", "by_type", "after_cue", "cues"}, f"status.{fact_type}", ("default", "cues"))
            statuses = c.values(STATUS_VOCABULARY[fact_type])
            out["status_default"][fact_type] = c.vocab(node, "default", statuses, f"{fact_type} status")
            out["status_by_type"][fact_type] = _status_by_type(node, fact_type, c)
            out["status_after_cue"][fact_type] = {}
            after = c.mapping(node["after_cue"], node.line_of("after_cue"), f"status.{fact_type}.after_cue") \
                if node.get("after_cue") is not None else None
            for cue_status in after or {}:
                if cue_status not in statuses:
                    c.problem(after.line_of(cue_status), f"unknown {fact_type} status {cue_status!r}")
                    continue
                out["status_after_cue"][fact_type][cue_status] = _status_by_type(after, fact_type, c, cue_status)
            out["status_cues"][fact_type] = c.cues(node.get("cues"), node.line_of("cues"), f"status.{fact_type}.cues",
                                                   vocab_value(statuses, f"{fact_type} status"))
    out["stance"] = c.cues(data.get("stance"), data.line_of("stance"), "stance", vocab_value(c.values("stance"), "stance"))

    def positive_number(e):
        v = e.get("value")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
            c.problem(e.line_of("value"), f"a scale must be a positive number, got {v!r}")
            return None
        return float(v)

    def currency(e):
        v = e.get("value")
        if not (isinstance(v, str) and re.fullmatch(r"[A-Z]{3}", v)):
            c.problem(e.line_of("value"), f"unknown currency {v!r} (an ISO 4217 code)")
            return None
        return v

    amount = c.mapping(data.get("amount"), data.line_of("amount"), "amount") if "amount" in data else None
    out["scales"] = out["currencies"] = out["qualifiers"] = out["aid"] = []
    if amount is not None:
        c.keys(amount, {"scales", "currencies", "qualifiers", "aid"}, "amount", ("scales", "currencies", "qualifiers"))
        out["scales"] = c.cues(amount.get("scales"), amount.line_of("scales"), "amount.scales", positive_number)
        out["currencies"] = c.cues(amount.get("currencies"), amount.line_of("currencies"), "amount.currencies", currency)
        out["qualifiers"] = c.cues(amount.get("qualifiers"), amount.line_of("qualifiers"), "amount.qualifiers",
                                   vocab_value(c.values("amount_qualifier"), "amount_qualifier"))
        out["aid"] = c.cues(amount.get("aid"), amount.line_of("aid"), "amount.aid", vocab_value(("aid",), "amount.aid value"))

    def jurisdiction(e):
        v = e.get("value")
        if v in ("EU", "multilateral") or (isinstance(v, str) and re.fullmatch(r"[A-Z]{2}", v)):
            return v
        c.problem(e.line_of("value"), f"unknown jurisdiction {v!r} (ISO alpha-2, EU or multilateral)")
        return None

    out["jurisdiction"] = c.cues(data.get("jurisdiction"), data.line_of("jurisdiction"), "jurisdiction", jurisdiction)
    out["unnamed_actor"] = c.cues(data.get("unnamed_actor"), data.line_of("unnamed_actor"), "unnamed_actor",
                                  vocab_value(("description",), "unnamed_actor value"))
    out["bilateral"] = c.cues(data.get("bilateral"), data.line_of("bilateral"), "bilateral",
                              vocab_value(("chapter_and_china",), "bilateral value"))
    out["roles"] = c.cues(data.get("roles"), data.line_of("roles"), "roles",
                          vocab_value(ROLE_CUES, "roles value"))
    out.update(_type_maps(data, c))
    return out


def load_rules(directory: Path, reference_dir: Path | None = None) -> Rules:
    """Read and validate the rule files under ``directory`` (``etl/extraction``); values
    are checked against the curated vocabularies of ``reference_dir`` (see
    :func:`load_vocabulary_values`)."""
    directory = Path(directory)
    vocabularies = load_vocabulary_values(reference_dir, directory)
    problems: list[str] = []
    digest = hashlib.sha256()
    parsed: dict[str, tuple[LineDict | None, _Checker]] = {}
    for name in RULE_FILES:
        path = directory / name
        checker = _Checker(path, vocabularies)
        try:
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            pass
        parsed[name] = (_load(path, checker), checker)
    triggers: dict[str, list[Trigger]] = {t: [] for t in FACT_TYPES}
    blockers: dict[str, list[Cue]] = {t: [] for t in FACT_TYPES}
    slots: dict[str, Any] = {}
    data, checker = parsed["triggers.yaml"]
    if data is not None:
        triggers, blockers = _triggers(data, checker)
    data2, checker2 = parsed["slots.yaml"]
    if data2 is not None:
        slots = _slots(data2, checker2)
    for _, c in parsed.values():
        problems.extend(c.problems)
    if problems:
        raise RulesError(problems)
    return Rules(
        triggers=triggers, blockers=blockers, status_default=slots["status_default"],
        status_cues=slots["status_cues"], status_by_type=slots["status_by_type"],
        status_after_cue=slots["status_after_cue"], stance_cues=slots["stance"], scales=slots["scales"],
        currencies=slots["currencies"], qualifiers=slots["qualifiers"], aid=slots["aid"], jurisdiction=slots["jurisdiction"],
        unnamed_actor=slots["unnamed_actor"], bilateral=slots["bilateral"],
        roles=slots["roles"], agreement_type_by_party_kind=slots["agreement_type_by_party_kind"],
        measure_type_on_company=slots["measure_type_on_company"],
        investment_type_on_company=slots["investment_type_on_company"],
        measure_type_in_jurisdiction=slots["measure_type_in_jurisdiction"], fingerprint=digest.hexdigest(),
        files=[str(directory / n) for n in RULE_FILES],
    )
