"""Candidate extraction: every new document *proposes* agreements, investments and
policy measures for a person to accept, edit or reject (docs/extraction.md).

    rules = load_rules(Path("etl/extraction"))
    weights = load_weights(Path("etl/extraction/confidence.json"))
    candidates = propose(document, rules, weights)     # document: ProposeInput
"""

from __future__ import annotations

from pathlib import Path

from .candidate import Candidate, MentionInput, OrganizationInfo, PassageInput, ProposeInput
from .confidence import Weights, load_weights
from .extract import extract, extractor_version, finalize
from .rules import Rules, RulesError, load_rules

RULES_DIR = Path(__file__).resolve().parents[3] / "etl" / "extraction"

__all__ = [
    "Candidate", "MentionInput", "OrganizationInfo", "PassageInput", "ProposeInput", "Rules", "RulesError",
    "Weights", "load_rules", "load_weights", "propose", "RULES_DIR",
]


def propose(document: ProposeInput, rules: Rules | None = None, weights: Weights | None = None,
            *, keep_all: bool = False) -> list[Candidate]:
    """Candidate facts of one document, in text order, each with evidence spans into the
    stored text, proposed fields, a title, a confidence and a stable key. Candidates
    below the type's threshold are dropped unless ``keep_all``."""
    rules = rules or load_rules(RULES_DIR)
    weights = weights or load_weights(RULES_DIR / "confidence.json")
    raws = extract(document, rules)
    scores = [weights.score(r.fact_type, r.features) for r in raws]
    version = extractor_version(rules, weights.fingerprint)
    proposed = [weights.calibrate(r.fact_type, r.proposed, r.meta) for r in raws]
    return finalize(document, raws, scores, version, None if keep_all else weights.thresholds, proposed)
