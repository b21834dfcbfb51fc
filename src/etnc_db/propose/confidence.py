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
from dataclasses import dataclass, field
from pathlib import Path

from .rules import FACT_TYPES, RulesError


@dataclass(frozen=True)
class Weights:
    method: str  # hand | learned
    weights: dict[str, dict[str, float]]  # fact type -> feature -> weight ('bias' included)
    thresholds: dict[str, float]
    fingerprint: str = ""
    # fact type -> field -> "rule output|..." -> value the curated facts of the training
    # chapters most often have for that rule output (see CALIBRATED)
    calibration: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def calibrate(self, fact_type: str, proposed: dict, meta: dict[str, str]) -> dict:
        """``proposed`` with categorical fields recoded by the calibration tables (the
        most specific key present wins)."""
        table = self.calibration.get(fact_type)
        if not table:
            return proposed
        out = dict(proposed)
        for name, keys in calibration_keys(fact_type, meta).items():
            values = table.get(name, {})
            for key in keys:
                if key in values:
                    out[name] = values[key]
                    break
        return out

    def score(self, fact_type: str, features: dict[str, float]) -> float:
        w = self.weights[fact_type]
        z = w.get("bias", 0.0) + sum(w.get(k, 0.0) * v for k, v in sorted(features.items()))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


TYPE_FIELDS = {"investment": "investment_type", "agreement": "agreement_type", "policy_measure": "measure_type"}


def calibration_keys(fact_type: str, meta: dict[str, str]) -> dict[str, list[str]]:
    """Keys (most specific first) under which a candidate's rule outputs are looked up."""
    type_field = TYPE_FIELDS[fact_type]
    keys = {
        type_field: [f"{meta.get('type')}|{meta.get('anchor')}", f"{meta.get('type')}"],
        "status": [f"{meta.get('status')}|{meta.get('type')}", f"{meta.get('status')}"],
    }
    if fact_type == "policy_measure":
        keys["stance"] = [f"{meta.get('stance')}|{meta.get('type')}", f"{meta.get('stance')}"]
    return keys


def load_weights(path: Path) -> Weights:
    path = Path(path)
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise RulesError([f"{path}:{exc.lineno}: malformed JSON: {exc.msg}"]) from exc
    problems = []
    for key in data:
        if key not in ("method", "weights", "thresholds", "calibration", "note", "evaluation"):
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
                   {t: float(data["thresholds"][t]) for t in FACT_TYPES}, hashlib.sha256(raw).hexdigest(),
                   data.get("calibration") or {})


def dump_weights(path: Path, weights: Weights, note: str = "", evaluation: dict | None = None) -> None:
    data = {"method": weights.method, "note": note,
            "weights": {t: {k: round(v, 6) for k, v in sorted(weights.weights[t].items())} for t in FACT_TYPES},
            "thresholds": {t: round(weights.thresholds[t], 6) for t in FACT_TYPES},
            "calibration": {t: {f: dict(sorted(v.items())) for f, v in sorted(weights.calibration.get(t, {}).items())}
                            for t in FACT_TYPES}}
    if evaluation:
        data["evaluation"] = evaluation
    Path(path).write_text(json.dumps(data, indent=1, sort_keys=False) + "\n", encoding="utf-8")
