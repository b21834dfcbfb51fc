"""Rule files of the candidate extraction: validation errors name file:line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from etnc_db.propose.confidence import load_weights
from etnc_db.propose.rules import RulesError, load_rules

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "etl" / "extraction"


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    for f in RULES.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def _edit(path: Path, old: str, new: str) -> int:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return _line_of(path, new)


def test_shipped_rules_load():
    rules = load_rules(RULES)
    assert all(rules.triggers[t] for t in ("investment", "agreement", "policy_measure"))
    assert len(rules.fingerprint) == 64
    load_weights(RULES / "confidence.json")


def test_unknown_key_names_file_and_line(rules_dir):
    line = _edit(rules_dir / "triggers.yaml", "weight: 0.9, investment_type: greenfield}",
                 "weight: 0.9, investment_type: greenfield, colour: red}")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    assert f"triggers.yaml:{line}: unknown key 'colour'" in str(err.value)


def test_bad_regex_names_file_and_line(rules_dir):
    line = _edit(rules_dir / "slots.yaml", r"pattern: '\b(?:suspend(?:ed|s)?|froze|frozen|put on hold|paused)\b'",
                 r"pattern: '\b(?:suspend(?:ed|s?|froze'")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    assert f"slots.yaml:{line}: bad regex" in str(err.value)


def test_unknown_vocabulary_value_names_file_and_line(rules_dir):
    line = _edit(rules_dir / "triggers.yaml", "agreement_type: mou}", "agreement_type: handshake}")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    assert f"triggers.yaml:{line}: unknown agreement_type 'handshake'" in str(err.value)


def test_unknown_status_and_currency_values(rules_dir):
    s_line = _edit(rules_dir / "slots.yaml", "value: blocked}", "value: vetoed}")
    c_line = _edit(rules_dir / "slots.yaml", "value: HUF}", "value: forint}")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    problems = "\n".join(err.value.problems)
    assert f"slots.yaml:{s_line}: unknown investment status 'vetoed'" in problems
    assert f"slots.yaml:{c_line}: unknown currency 'forint'" in problems


def test_state_aid_and_multilateral_are_allowed(rules_dir):
    rules = load_rules(rules_dir)
    assert any(t.type_value == "state_aid" for t in rules.triggers["policy_measure"])
    assert any(c.value == "multilateral" for c in rules.jurisdiction)


def test_malformed_yaml_names_the_line(rules_dir):
    (rules_dir / "slots.yaml").write_text("status:\n  investment: [\n", encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    assert "slots.yaml:" in str(err.value) and "malformed YAML" in str(err.value)


def test_every_problem_is_listed(rules_dir):
    _edit(rules_dir / "triggers.yaml", "agreement_type: mou}", "agreement_type: handshake}")
    _edit(rules_dir / "triggers.yaml", "weight: 0.8, investment_type: acquisition}", "weight: 7, investment_type: acquisition}")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    assert len(err.value.problems) == 2
    assert "weight must be a number in [0, 1]" in "\n".join(err.value.problems)


def test_status_by_type_checks_type_and_status_values(rules_dir):
    t_line = _edit(rules_dir / "slots.yaml", "rnd_centre: operational,", "laboratory: operational,")
    s_line = _edit(rules_dir / "slots.yaml", "{acquisition: completed,", "{acquisition: finished,")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    problems = err.value.problems
    assert any(p.startswith(f"{rules_dir / 'slots.yaml'}:{t_line}: unknown investment_type 'laboratory'")
               for p in problems)
    assert any(p.startswith(f"{rules_dir / 'slots.yaml'}:{s_line}: unknown investment status 'finished'")
               for p in problems)


def test_bilateral_cues_need_their_value(rules_dir):
    line = _edit(rules_dir / "slots.yaml", "value: chapter_and_china}", "value: both}")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    assert any(p.startswith(f"{rules_dir / 'slots.yaml'}:{line}: unknown bilateral value") for p in err.value.problems)


def test_role_cues_name_a_role_and_a_side(rules_dir):
    line = _edit(rules_dir / "slots.yaml", "value: investor_before}", "value: buyer}")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    assert any(p.startswith(f"{rules_dir / 'slots.yaml'}:{line}: unknown roles value 'buyer'") for p in err.value.problems)


def test_agreement_type_by_party_kind_checks_kind_and_type(rules_dir):
    k_line = _edit(rules_dir / "slots.yaml", "{university: research_collaboration,", "{college: research_collaboration,")
    t_line = _edit(rules_dir / "slots.yaml", "research_institute: research_collaboration}", "research_institute: research}")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    problems = err.value.problems
    assert any(p.startswith(f"{rules_dir / 'slots.yaml'}:{k_line}: unknown organization kind 'college'") for p in problems)
    assert any(p.startswith(f"{rules_dir / 'slots.yaml'}:{t_line}: unknown agreement_type 'research'") for p in problems)


def test_measure_type_on_company_checks_both_types(rules_dir):
    line = _edit(rules_dir / "slots.yaml", "measure_type_on_company: {ban: vendor_restriction}",
                 "measure_type_on_company: {ban: vendor_ban}")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    assert any(p.startswith(f"{rules_dir / 'slots.yaml'}:{line}: unknown measure_type 'vendor_ban'")
               for p in err.value.problems)


def test_status_after_cue_names_known_statuses(rules_dir):
    line = _edit(rules_dir / "slots.yaml", "      adopted: {law: in_force,", "      passed: {law: in_force,")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    assert any(p.startswith(f"{rules_dir / 'slots.yaml'}:{line}: unknown policy_measure status 'passed'")
               for p in err.value.problems)


def test_investment_type_on_company_checks_types(rules_dir):
    line = _edit(rules_dir / "slots.yaml", "investment_type_on_company: {other: stake}",
                 "investment_type_on_company: {other: equity}")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    assert any(p.startswith(f"{rules_dir / 'slots.yaml'}:{line}: unknown investment_type 'equity'")
               for p in err.value.problems)


def test_measure_type_in_jurisdiction_checks_codes_and_types(rules_dir):
    line = _edit(rules_dir / "slots.yaml", "  EU: {law: regulation}", "  Europe: {law: regulation}")
    with pytest.raises(RulesError) as err:
        load_rules(rules_dir)
    assert any(p.startswith(f"{rules_dir / 'slots.yaml'}:{line}: unknown jurisdiction 'Europe'")
               for p in err.value.problems)
