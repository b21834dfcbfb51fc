"""The second reader's precision sample (tests/data/precision_verdicts.yaml) must still
describe the curated files: at least `size` judged facts per type, every judged id still
curated (with the same type), and judged precision - right / judged, counting a corrected
record by its verdict after the fix - at or above 98 % per type. The checks are a function
of the verdicts and the curated files, exercised below on made-up verdicts as well."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from conftest import load_script

ROOT = Path(__file__).resolve().parents[2]
VERDICT_FILES = sorted((ROOT / "tests" / "data").glob("precision_verdicts*.yaml"))
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


def problems(verdicts: dict, curated_types: dict[str, str], withdrawn: frozenset = frozenset()) -> list[str]:
    """Everything wrong with `verdicts` against the curated facts (id -> type); a judged id
    that the curated files list under `withdrawn:` is fine when its verdict records that
    correction."""
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
        if fid in withdrawn and v.get("corrected"):
            continue
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


@pytest.fixture(scope="module", params=VERDICT_FILES, ids=lambda p: p.name)
def verdicts(request):
    return yaml.safe_load(request.param.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def withdrawn() -> frozenset:
    """Ids the curated files list under `withdrawn:`."""
    out = set()
    for path in (ROOT / "etl" / "curated").rglob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            out.update(entry["id"] for entry in data.get("withdrawn") or ())
    return frozenset(out)


def test_there_are_verdict_files():
    assert VERDICT_FILES


@pytest.fixture(scope="module")
def curated_types():
    facts = load_script("precision_sample").load_facts(ROOT / "etl" / "curated")
    return {fid: f.type for fid, f in facts.items()}


def test_header_names_seed_size_reader_and_date(verdicts):
    assert isinstance(verdicts["seed"], int)
    assert verdicts["size"] >= 40
    assert verdicts["reader"] and verdicts["date"]


def test_verdicts_still_describe_the_curated_files(verdicts, curated_types, withdrawn):
    assert problems(verdicts, curated_types, withdrawn) == []


def test_judged_ids_are_the_draw_of_the_sample_script(verdicts, withdrawn):
    """The judged ids are exactly what scripts/precision_sample.py draws with the header's
    seed and size from the population of the draw: today's records plus those withdrawn
    since that some sample judged (their type is in its verdicts). Once records are added
    or other ones removed the draw moves; then every judged id must still be curated or
    withdrawn with its correction recorded."""
    mod = load_script("precision_sample")
    facts = mod.load_facts(ROOT / "etl" / "curated")
    judged_types = {fid: v["type"] for path in VERDICT_FILES
                    for fid, v in yaml.safe_load(path.read_text(encoding="utf-8"))["facts"].items()}
    for fid in sorted(withdrawn & judged_types.keys() - facts.keys()):
        facts[fid] = SimpleNamespace(id=fid, type=judged_types[fid])
    counts = {t: sum(f.type == t for f in facts.values()) for t in TYPES}
    if counts != verdicts["population"]:
        assert problems(verdicts, {fid: f.type for fid, f in facts.items()}, withdrawn) == []
        return
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


def test_a_judged_id_withdrawn_counts_only_with_its_correction_recorded():
    verdicts, curated = _made_up(wrong=1)
    for t in TYPES:
        del curated[f"{t}-0"]
    withdrawn = frozenset(f"{t}-0" for t in TYPES)
    assert len(problems(verdicts, curated, withdrawn)) == 6  # not corrected: gone, and 39/40
    for t in TYPES:
        verdicts["facts"][f"{t}-0"].update(corrected=True, change="withdrawn", verdict_after="right")
    assert problems(verdicts, curated, withdrawn) == []
