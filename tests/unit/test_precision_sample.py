"""The second reader's precision sample (tests/data/precision_verdicts.yaml) must still
describe the curated files: at least `size` judged facts per type, every judged id still
curated (with the same type), and judged precision - right / judged, counting a corrected
record by its verdict after the fix - at or above 98 % per type. The checks are a function
of the verdicts and the curated files, exercised below on made-up verdicts as well."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import load_script

ROOT = Path(__file__).resolve().parents[2]
VERDICTS = ROOT / "tests" / "data" / "precision_verdicts.yaml"
TYPES = ("agreement", "investment", "policy_measure")
MIN_PRECISION = 0.98


def effective(v: dict) -> str:
    """The verdict of the record as it now stands: after the fix when it was corrected."""
    return v.get("verdict_after", v["verdict"]) if v.get("corrected") else v["verdict"]


def precision(verdicts: dict, fact_type: str, *, after: bool = True) -> tuple[int, int]:
    """(right, judged) for one type; `after` counts corrected records by their new verdict."""
    judged = [v for v in verdicts["facts"].values() if v["type"] == fact_type]
    right = sum((effective(v) if after else v["verdict"]) == "right" for v in judged)
    return right, len(judged)


def problems(verdicts: dict, curated_types: dict[str, str]) -> list[str]:
    """Everything wrong with `verdicts` against the curated facts (id -> type)."""
    out = []
    size = verdicts["size"]
    for fid, v in verdicts["facts"].items():
        if v.get("type") not in TYPES:
            out.append(f"{fid}: type {v.get('type')!r} is not one of {TYPES}")
        if v.get("verdict") not in ("right", "wrong"):
            out.append(f"{fid}: verdict must be right or wrong, not {v.get('verdict')!r}")
        if v.get("verdict") == "wrong" and not (v.get("fields") and v.get("reason")):
            out.append(f"{fid}: a wrong verdict needs fields and reason")
        if v.get("corrected") and not (v.get("change") and v.get("verdict_after") in ("right", "wrong")):
            out.append(f"{fid}: a corrected record needs change and verdict_after (judged again)")
        if fid not in curated_types:
            out.append(f"{fid}: judged but no longer in the curated files - re-draw and re-judge "
                       f"(scripts/precision_sample.py --seed {verdicts['seed']} --size {size})")
        elif curated_types[fid] != v.get("type"):
            out.append(f"{fid}: judged as {v.get('type')} but curated as {curated_types[fid]} - re-draw and re-judge")
    for t in TYPES:
        right, judged = precision(verdicts, t)
        if judged < size:
            out.append(f"{t}: {judged} facts judged, fewer than {size}")
        elif right / judged < MIN_PRECISION:
            out.append(f"{t}: judged precision {right}/{judged} = {right / judged:.1%} is below {MIN_PRECISION:.0%}")
    return out


@pytest.fixture(scope="module")
def verdicts():
    return yaml.safe_load(VERDICTS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def curated_types():
    facts = load_script("precision_sample").load_facts(ROOT / "etl" / "curated")
    return {fid: f.type for fid, f in facts.items()}


def test_header_names_seed_size_reader_and_date(verdicts):
    assert isinstance(verdicts["seed"], int)
    assert verdicts["size"] >= 40
    assert verdicts["reader"] and verdicts["date"]


def test_verdicts_still_describe_the_curated_files(verdicts, curated_types):
    assert problems(verdicts, curated_types) == []


def test_judged_ids_are_the_draw_of_the_sample_script(verdicts):
    """While the population of each type is the one the header names, the judged ids are
    exactly what scripts/precision_sample.py draws with the header's seed and size (once
    records are added or removed the draw moves; the test above then guards the ids)."""
    mod = load_script("precision_sample")
    facts = mod.load_facts(ROOT / "etl" / "curated")
    counts = {t: sum(f.type == t for f in facts.values()) for t in TYPES}
    if counts != verdicts["population"]:
        pytest.skip(f"population changed since the draw: {counts} != {verdicts['population']}")
    sample = mod.draw(facts, verdicts["seed"], verdicts["size"])
    for t in TYPES:
        assert sample[t] == sorted(fid for fid, v in verdicts["facts"].items() if v["type"] == t)


# --- the checks can fail ------------------------------------------------------------------

def _made_up(n: int = 40, wrong: int = 0, corrected: int = 0) -> tuple[dict, dict]:
    facts, curated = {}, {}
    for t in TYPES:
        for i in range(n):
            fid = f"{t}-{i}"
            v = {"type": t, "verdict": "right"}
            if i < wrong:
                v = {"type": t, "verdict": "wrong", "fields": ["date"], "reason": "made up"}
                if i < corrected:
                    v.update(corrected=True, change="date fixed", verdict_after="right")
            facts[fid], curated[fid] = v, t
    return {"seed": 1, "size": 40, "facts": facts}, curated


def test_a_clean_made_up_sample_passes():
    assert problems(*_made_up()) == []


def test_precision_below_98_percent_fails():
    verdicts, curated = _made_up(wrong=1)  # 39/40 = 97.5 % in each type
    found = problems(verdicts, curated)
    assert len(found) == 3 and all("below 98%" in p for p in found)


def test_corrected_records_count_by_their_new_verdict():
    verdicts, curated = _made_up(wrong=2, corrected=2)
    assert problems(verdicts, curated) == []
    assert precision(verdicts, "agreement", after=False) == (38, 40)
    assert precision(verdicts, "agreement") == (40, 40)


def test_fewer_than_size_judged_fails():
    verdicts, curated = _made_up(n=39)
    assert any("fewer than 40" in p for p in problems(verdicts, curated))


def test_a_judged_id_that_disappeared_fails_with_re_draw():
    verdicts, curated = _made_up()
    del curated["investment-7"]
    found = problems(verdicts, curated)
    assert len(found) == 1 and "re-draw and re-judge" in found[0]


def test_a_wrong_verdict_needs_fields_and_reason():
    verdicts, curated = _made_up(n=50)
    verdicts["facts"]["agreement-0"] = {"type": "agreement", "verdict": "wrong"}
    assert any("needs fields and reason" in p for p in problems(verdicts, curated))
