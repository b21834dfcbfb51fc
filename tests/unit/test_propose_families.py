"""Word families of the trigger file (etl/extraction/triggers.yaml `families`): the forms
generated from lemmas and stems, the file errors, and the triggers built from them, on
short fragments written for these tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from etnc_db.propose.extract import extract
from etnc_db.propose.inflect import english_forms, family_pattern
from etnc_db.propose.inputs import input_from_text
from etnc_db.propose.rules import RulesError, load_rules

ROOT = Path(__file__).resolve().parents[2]


def types_of(text: str, rules, linker) -> dict[str, str | None]:
    doc = input_from_text(text, linker, document_key="fam-doc", published="2025-05", chapter_key="x",
                          chapter_country=None)
    out: dict[str, str | None] = {}
    for r in extract(doc, rules):
        key = {"investment": "investment_type", "agreement": "agreement_type",
               "policy_measure": "measure_type"}[r.fact_type]
        out.setdefault(r.fact_type, r.proposed.get(key))
    return out


@pytest.mark.parametrize("lemma, forms", [
    ("prevent", {"prevent", "prevents", "prevented", "preventing"}),
    ("ban", {"ban", "bans", "banned", "banning"}),
    ("open", {"open", "opens", "opened", "opening"}),
    ("fine", {"fine", "fines", "fined", "fining"}),
    ("veto", {"veto", "vetoes", "vetoed", "vetoing"}),
    ("scrutinize", {"scrutinize", "scrutinizes", "scrutinized", "scrutinizing"}),
    ("take over", {"take over", "takes over", "taked over", "taking over"}),
])
def test_english_lemmas_give_their_inflections(lemma, forms):
    assert set(english_forms(lemma)) == forms


def test_a_family_matches_stems_and_whole_forms_and_nothing_longer_than_a_whole_form():
    rx = re.compile(family_pattern({"en": ["block", "=sold"], "de": ["untersag"]}), re.IGNORECASE)
    for word in ("blocked", "blocking", "sold", "untersagte", "Untersagung"):
        assert rx.fullmatch(word), word
    for word in ("blockade", "soldier", "untersa"):
        assert not rx.search(word), word


def test_a_pattern_naming_an_unknown_family_is_a_file_error(tmp_path):
    import shutil
    for f in (ROOT / "etl" / "extraction").iterdir():
        shutil.copy(f, tmp_path / f.name)
    path = tmp_path / "triggers.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("'{@sell}", "'{@vend}", 1), encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_rules(tmp_path)
    assert "unknown word family {@vend}" in str(exc.value)
    assert "triggers.yaml:" in str(exc.value)


@pytest.mark.parametrize("sentence, fact_type, type_value", [
    # preventing a sale, a purchase or an investment, in several languages
    ("Ministers in Berlin want to stop a Chinese group from buying the robot maker.",
     "policy_measure", "screening_decision"),
    ("Le gouvernement a bloqué la vente du fabricant de puces à un groupe chinois.",
     "policy_measure", "screening_decision"),
    ("La Commissione ha vietato l'acquisizione della società da parte di un investitore cinese.",
     "policy_measure", "screening_decision"),
    ("De regering verbiedt de overname van de chipfabrikant door een Chinese koper.",
     "policy_measure", "screening_decision"),
    # examining takeovers
    ("A new decree lets the ministry scrutinise more foreign takeovers of tech firms.",
     "policy_measure", "screening_mechanism"),
    # fines, disputes, probes opened
    ("The privacy regulator has fined the video app for sending user data to Chinese servers.",
     "policy_measure", "other"),
    ("Beijing filed a complaint at the WTO against the new duties on electric cars.",
     "policy_measure", "other"),
    ("Brussels opened a proceeding against the Chinese wind turbine makers.",
     "policy_measure", "subsidy_probe"),
    # a company or plant sold to a buyer
    ("The owners agreed the sale of the wafer plant to a Chinese-controlled company.",
     "investment", "acquisition"),
    ("Der Hersteller will sein Werk an einen Konkurrent aus Shenzhen verkaufen.",
     "investment", "acquisition"),
    ("Il gruppo ha acquisito il 60% delle azioni della startup torinese.",
     "investment", "stake"),
])
def test_family_triggers_propose_the_fact_type(rules, linker, sentence, fact_type, type_value):
    assert types_of(sentence, rules, linker).get(fact_type) == type_value


@pytest.mark.parametrize("sentence", [
    "There is a fine line between engagement and dependence.",
    "The contract was amended twice since it dates from 2012.",
    "Chinese carmakers sold many cars on the Czech market last year.",
])
def test_family_words_in_other_senses_propose_no_measure_or_sale(rules, linker, sentence):
    found = types_of(sentence, rules, linker)
    assert found.get("policy_measure") is None
    assert found.get("investment") != "acquisition"


def test_deals_with_a_stated_value_are_investment_candidates(rules, linker):
    found = types_of("The deals signed at the summit are worth 3 billion euros in total.", rules, linker)
    assert "investment" in found


@pytest.mark.parametrize("sentence, fact_type, type_value", [
    ("Het Chinese bedrijf bouwt een nieuwe fabriek in Limburg.", "investment", "greenfield"),
    ("Chińska firma zbuduje fabrykę baterii na Śląsku.", "investment", "greenfield"),
    ("De regering wil een verbod op Chinese camera's in ministeries.", "policy_measure", "ban"),
    ("Rząd wprowadził zakaz używania chińskich dronów w wojsku.", "policy_measure", "ban"),
])
def test_dutch_and_polish_basics(rules, linker, sentence, fact_type, type_value):
    assert types_of(sentence, rules, linker).get(fact_type) == type_value


@pytest.mark.parametrize("sentence", [
    "De twee universiteiten ondertekenden een samenwerkingsovereenkomst met Fudan.",
    "Obie firmy podpisały umowę o współpracy przy produkcji ogniw.",
])
def test_dutch_and_polish_signing_is_an_agreement(rules, linker, sentence):
    assert "agreement" in types_of(sentence, rules, linker)


def test_banning_the_sale_of_goods_stays_a_ban_while_blocking_a_sale_is_a_screening_decision(rules, linker):
    assert types_of("Lawmakers banned the sale of cheap e-scooters.", rules, linker)["policy_measure"] == "ban"
    assert types_of("Ministers blocked the sale of the chip plant to a Chinese group.", rules,
                    linker)["policy_measure"] == "screening_decision"


@pytest.mark.parametrize("sentence", [
    "The toolmaker now needs an export licence before shipping its scanners to Shanghai.",
    "Il decreto firmato dal ministro autorizza la cessione delle quote.",
    "The decree signed by the president lists the strategic sectors.",
])
def test_export_licences_and_signed_decrees_are_no_agreements(rules, linker, sentence):
    assert "agreement" not in types_of(sentence, rules, linker)
