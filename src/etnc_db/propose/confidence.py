"""Confidence of a candidate: a logistic score over its features,
``sigmoid(bias + sum(weight[f] * feature[f]))``, with per-type weights and a per-type
threshold below which ``propose`` drops the candidate. The weights are data:
``etl/extraction/confidence.json`` (hand-set, or learned by
``scripts/extraction_quality.py --train`` when that beats the hand-set weights under
leave-one-chapter-out; the file says which)."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

from .rules import FACT_TYPES, RulesError


@dataclass(frozen=True)
class Weights:
    method: str  # hand | learned
    weights: dict[str, dict[str, float]]  # fact type -> feature -> weight ('bias' included)
    thresholds: dict[str, float]
    fingerprint: str = ""

    def score(self, fact_type: str, features: dict[str, float]) -> float:
        w = self.weights[fact_type]
        z = w.get("bias", 0.0) + sum(w.get(k, 0.0) * v for k, v in sorted(features.items()))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def load_weights(path: Path) -> Weights:
    path = Path(path)
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RulesError([f"{path}:{exc.lineno}: malformed JSON: {exc.msg}"]) from exc
    problems = []
    for key in data:
        if key not in ("method", "weights", "thresholds", "note", "evaluation"):
            problems.append(f"{path}:1: unknown key {key!r}")
    if data.get("method") not in ("hand", "learned"):
        problems.append(f"{path}:1: method must be 'hand' or 'learned'")
    for t in FACT_TYPES:
        if t not in data.get("weights", {}):
            problems.append(f"{path}:1: weights lack fact type {t!r}")
        th = data.get("thresholds", {}).get(t)
        if not isinstance(th, (int, float)) or not 0 <= th <= 1:
            problems.append(f"{path}:1: thresholds.{t} must be a number in [0, 1]")
    if problems:
        raise RulesError(problems)
    return Weights(data["method"], {t: {k: float(v) for k, v in data["weights"][t].items()} for t in FACT_TYPES},
                   {t: float(data["thresholds"][t]) for t in FACT_TYPES}, hashlib.sha256(raw).hexdigest())


def dump_weights(path: Path, weights: Weights, note: str = "", evaluation: dict | None = None) -> None:
    data = {"method": weights.method, "note": note,
            "weights": {t: {k: round(v, 6) for k, v in sorted(weights.weights[t].items())} for t in FACT_TYPES},
            "thresholds": {t: round(weights.thresholds[t], 6) for t in FACT_TYPES}}
    if evaluation:
        data["evaluation"] = evaluation
    Path(path).write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
