"""Slot fillers of the candidate extraction on short fragments written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from etnc_db.link.linker import Linker
from etnc_db.propose import load_weights, propose
from etnc_db.propose.candidate import ProposeInput
from etnc_db.propose.extract import extract
from etnc_db.propose.inputs import input_from_text
from etnc_db.propose.slots import find_amounts, find_dates, status_for

ROOT = Path(__file__).resolve().parents[2]


def doc_of(text: str, linker: Linker, *, published: str | None = "2026-06", country: str | None = None) -> ProposeInput:
    """One passage holding ``text``, linked with the real registry."""
    return input_from_text(text, linker, document_key="test-doc", published=published, chapter_key="x",
                           chapter_country=country)


def first(text: str, fact_type: str, rules, linker, **kw) -> dict:
    found = [r for r in extract(doc_of(text, linker, **kw), rules) if r.fact_type == fact_type]
    assert found, f"no {fact_type} candidate in {text!r}"
    return found[0].proposed


# ----------------------------------------------------------------------------- amounts


@pytest.mark.parametrize("fragment, amount, currency, qualifier", [
    ("The company will invest EUR 7.3 billion in the plant.", 7.3e9, "EUR", "exact"),
    ("a deal worth USD 700M was signed", 7e8, "USD", "exact"),
    ("an investment of about €1.2bn", 1.2e9, "EUR", "approx"),
    ("3,000 billion forints, i.e. approximately 7.3 billion euros", 3e12, "HUF", "exact"),
    ("more than $5 billion", 5e9, "USD", "at_least"),
    ("up to 250 million yuan", 2.5e8, "CNY", "up_to"),
    ("GBP 40 million", 4e7, "GBP", "exact"),
])
def test_amount_forms(rules, fragment, amount, currency, qualifier):
    found = find_amounts(fragment, rules)
    assert found, fragment
    assert found[0].amount == pytest.approx(amount)
    assert (found[0].currency, found[0].qualifier) == (currency, qualifier)


def test_amount_second_form_and_range(rules):
    both = find_amounts("3,000 billion forints, i.e. approximately 7.3 billion euros", rules)
    assert [(a.currency, a.qualifier) for a in both] == [("HUF", "exact"), ("EUR", "approx")]
    rng = find_amounts("between EUR 1-2 billion", rules)[0]
    assert (rng.amount, rng.amount_max, rng.qualifier) == (1e9, 2e9, "range")


def test_no_amount_without_currency(rules):
    assert find_amounts("a 37% stake and 300 jobs in 2024", rules) == []


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize("fragment, published, value, precision", [
    ("In 2002, the two countries concluded an agreement.", "2026-06", "2002", "year"),
    ("It was signed on 5 May 2024 in Rome.", None, "2024-05-05", "day"),
    ("It was signed on May 5, 2024.", None, "2024-05-05", "day"),
    ("The plant opened in March 2023.", None, "2023-03", "month"),
    ("The ministry adopted it last year.", "2026-06", "2025", "year"),
    ("The ministry adopted it last month.", "2025-03-04", "2025-02", "month"),
    ("The probe was opened in January.", "2025-03-04", "2025-01", "month"),
    ("The ban was announced yesterday.", "2025-03-04", "2025-03-03", "day"),
    ("The ban was announced on Friday.", "2025-03-04", "2025-02-28", "day"),
    ("The work plan of Poland and China for 2021–2024 lists eight fields.", None, "2021", "year"),
    ("The Action Plan 2021-2024 lists eight fields.", None, "2021", "year"),
    ("The utility signed the supply contract last January.", "2026-06", "2026-01", "month"),
    ("Then, on 7 May, the ministry announced the deal.", "2026-06", "2026-05-07", "day"),
    ("Then, on 7 May, the ministry announced the deal.", "2026-03", "2025-05-07", "day"),
    ("The decree (No. 12/2023) took effect in spring.", None, "2023", "year"),
])
def test_dates(fragment, published, value, precision):
    found = find_dates(fragment, published)
    assert found, fragment
    assert (found[0].value, found[0].precision) == (value, precision)


def test_dates_not_resolved_without_an_anchor():
    assert find_dates("The ministry adopted it last year.", None) == []
    # a month-precise document date cannot resolve a weekday
    assert find_dates("It was announced on Friday.", "2026-06") == []


def test_years_in_names_and_deadlines_are_not_event_dates():
    assert find_dates("Horizon 2020 and Made in China 2025 are programmes.", "2026-06") == []
    assert find_dates("AI is to generate ten percent of output by 2030.", "2026-06") == []


# ----------------------------------------------------------------------------- status


@pytest.mark.parametrize("fact_type, sentence, status", [
    ("investment", "The company plans to build a factory near the city.", "planned"),
    ("investment", "The firm is in talks to acquire the port operator.", "planned"),
    ("investment", "The plant is under construction.", "under_construction"),
    ("investment", "The factory opened in 2023.", "operational"),
    ("investment", "The government blocked the takeover.", "blocked"),
    ("investment", "The buyer withdrew its offer.", "withdrawn"),
    ("agreement", "The two universities signed a memorandum.", "signed"),
    ("agreement", "The agreement was suspended in 2022.", "suspended"),
    ("agreement", "The agreement remains in force.", "in_force"),
    ("policy_measure", "The ministry proposed a draft law.", "proposed"),
    ("policy_measure", "The law entered into force in 2021.", "in_force"),
    ("policy_measure", "The Commission opened an investigation into the subsidies.", "under_review"),
])
def test_status_from_verbs_and_hedges(rules, fact_type, sentence, status):
    assert status_for(fact_type, sentence, rules)[0] == status


def test_status_default_when_no_cue(rules):
    value, cued = status_for("agreement", "A memorandum between the two academies.", rules, type_value="mou")
    assert (value, cued) == (rules.status_default["agreement"], False)
    value, cued = status_for("agreement", "Cooperation between the two academies.", rules)
    assert (value, cued) == (rules.status_by_type["agreement"]["other"], False)


# ----------------------------------------------------------------------------- jurisdiction


@pytest.mark.parametrize("sentence, jurisdiction", [
    ("Beijing imposed export controls on gallium and germanium.", "CN"),
    ("Brussels adopted countervailing duties on electric vehicles.", "EU"),
    ("The Commission opened an anti-subsidy investigation into wind turbines.", "EU"),
    ("Italy's golden power rules were used against the buyer.", "IT"),
    ("The Dutch government imposed export controls on lithography machines.", "NL"),
    ("Germany introduced a ban on Chinese components in 5G core networks.", "DE"),
])
def test_jurisdiction_from_names_adjectives_and_metonyms(rules, linker, sentence, jurisdiction):
    assert first(sentence, "policy_measure", rules, linker)["jurisdiction"] == jurisdiction


def test_jurisdiction_falls_back_to_the_chapter_country(rules, linker):
    proposed = first("The new screening law covers semiconductors.", "policy_measure", rules, linker, country="HU")
    assert proposed["jurisdiction"] == "HU"


def test_country_after_a_target_preposition_is_a_target_not_the_jurisdiction(rules, linker):
    proposed = first("Lithuania imposed restrictions on China.", "policy_measure", rules, linker)
    assert proposed["jurisdiction"] == "LT"
    assert {"country": "CN"} in proposed["targets"]


# ----------------------------------------------------------------------------- roles


def test_acquirer_is_investor_and_acquired_is_target(rules, linker):
    p = first("Geely acquired Volvo Cars in 2010.", "investment", rules, linker)
    assert (p["investor"], p["target"], p["investment_type"]) == ("geely", "volvo-cars", "acquisition")
    assert p["date"] == "2010"


def test_passive_acquisition_keeps_the_roles(rules, linker):
    p = first("Volvo Cars was acquired by Geely.", "investment", rules, linker)
    assert (p["investor"], p["target"]) == ("geely", "volvo-cars")


def test_host_country_from_in_and_location(rules, linker):
    p = first("CATL is building a battery plant in Hungary with EUR 7.3 billion.", "investment", rules, linker)
    assert p["investor"] == "catl"
    assert p["host_country"] == "HU"
    assert (p["amount"], p["currency"]) == (7.3e9, "EUR")
    assert p["status"] == "under_construction"


def test_unnamed_investor_gets_a_description(rules, linker):
    p = first("A Chinese buyer acquired the port terminal.", "investment", rules, linker)
    assert p["investor"] is None
    assert p["investor_description"] == "Chinese buyer"
    assert p["investor_country"] == "CN"


def test_agreement_parties_and_type(rules, linker):
    p = first("In 2017, Huawei signed a memorandum of understanding with Tsinghua University.", "agreement",
              rules, linker)
    assert p["agreement_type"] == "mou"
    assert [x.get("organization") for x in p["parties"]] == ["huawei", "tsinghua-university"]
    assert p["date"] == "2017"


def test_fact_over_two_sentences_keeps_both_spans(linker, rules):
    text = "BYD will build a car factory in Szeged. The project is worth EUR 4 billion."
    doc = doc_of(text, linker)
    inv = [c for c in propose(doc, rules, load_weights(ROOT / "etl" / "extraction" / "confidence.json"),
                              keep_all=True) if c.fact_type == "investment"]
    assert inv and len(inv[0].evidence) == 2
    assert inv[0].proposed["amount"] == 4e9
    assert inv[0].proposed["location"] == "Szeged"


def test_countries_qualifying_named_companies_are_not_parties(rules, linker):
    p = first("Renault decided to partner with China's Geely on hybrid engines for South Korea.", "agreement",
              rules, linker)
    assert {x.get("organization") for x in p["parties"]} == {"renault", "geely"}
    assert not [x for x in p["parties"] if "country" in x and "description" not in x]


def test_countries_stay_beside_a_government_body(rules, linker):
    p = first("Ireland and China's Ministry of Science and Technology renewed a memorandum.", "agreement",
              rules, linker)
    assert {x.get("organization") for x in p["parties"]} - {None} == {"cn-most"}
    assert {x.get("country") for x in p["parties"]} - {None} >= {"IE"}


def test_unnamed_bilateral_parties_are_the_chapter_country_and_china(rules, linker):
    p = first("The two countries signed a memorandum on energy cooperation.", "agreement", rules, linker,
              country="FI")
    assert [x.get("country") for x in p["parties"]] == ["FI", "CN"]


@pytest.mark.parametrize("fact_type, sentence, status", [
    ("investment", "Geely has been the largest shareholder of Volvo Cars.", "completed"),
    ("investment", "Huawei maintains an R&D centre in Helsinki with two hundred engineers.", "operational"),
    ("agreement", "Research collaboration between the universities covers batteries.", "implemented"),
    ("policy_measure", "The screening law covers semiconductors and batteries.", "in_force"),
    ("agreement", "A memorandum between the two academies covers batteries.", "signed"),
])
def test_status_without_a_cue_follows_the_type(rules, linker, fact_type, sentence, status):
    assert first(sentence, fact_type, rules, linker)["status"] == status


@pytest.mark.parametrize("sentence, investor, target", [
    ("Chinese investors completed the takeover of the German robot maker Kuka in 2016.", None, "kuka"),
    ("Kuka, which has been majority-owned since 2017 by Midea, opened a new plant.", "midea", "kuka"),
    ("Gotion's investment in the Slovak battery startup InoBat was presented as a model.", "gotion", "inobat"),
])
def test_roles_from_the_organizations_context(rules, linker, sentence, investor, target):
    p = first(sentence, "investment", rules, linker)
    assert (p["investor"], p["target"]) == (investor, target)


def test_unnamed_acquirer_is_described_not_taken_from_the_target(rules, linker):
    p = first("Chinese investors completed the takeover of the German robot maker Kuka in 2016.", "investment",
              rules, linker)
    assert (p["investor_description"], p["investor_country"]) == ("Chinese investors", "CN")


def test_a_foreign_groups_local_subsidiary_is_the_target_of_its_parent(rules, linker):
    p = first("MGI Latvia opened a new production facility near Riga.", "investment", rules, linker)
    assert (p["investor"], p["target"], p["host_country"]) == ("mgi-tech", "mgi-latvia", "LV")


def test_a_country_name_modifying_a_noun_is_not_a_target(rules, linker):
    p = first("Sweden imposed stricter rules on US suppliers and on Chinese drones.", "policy_measure", rules, linker)
    assert p["jurisdiction"] == "SE"
    assert {"country": "US"} not in p["targets"]
    assert {"country": "CN"} in p["targets"]


def test_untyped_agreement_with_a_university_is_a_research_collaboration(rules, linker):
    p = first("Huawei has deepened its cooperation with Tsinghua University on optical networks.", "agreement",
              rules, linker)
    assert p["agreement_type"] == "research_collaboration"


@pytest.mark.parametrize("sentence, measure_type", [
    ("The cyber agency issued a warning against the use of TikTok on official phones.", "guideline"),
    ("The government moved to restrict the exports of ASML to China.", "export_control"),
    ("Parliament banned Huawei from the new 5G network.", "vendor_restriction"),
    ("Parliament banned the sale of disposable vapes.", "ban"),
])
def test_measure_types_from_warnings_exports_and_banned_vendors(rules, linker, sentence, measure_type):
    assert first(sentence, "policy_measure", rules, linker)["measure_type"] == measure_type


@pytest.mark.parametrize("sentence, status", [
    ("In 2021 the parliament adopted a law on the security of 5G networks.", "in_force"),
    ("In 2021 the government adopted a China strategy.", "adopted"),
    ("In 2022 the ministry published guidelines on research security.", "implemented"),
])
def test_a_binding_rule_adopted_is_in_force(rules, linker, sentence, status):
    assert first(sentence, "policy_measure", rules, linker)["status"] == status


def test_bilateral_agreement_of_ministries_names_both_states(rules, linker):
    p = first("A bilateral agreement with China's Ministry of Science and Technology was renewed.", "agreement",
              rules, linker, country="IE")
    assert {x.get("organization") for x in p["parties"]} - {None} == {"cn-most"}
    assert {x.get("country") for x in p["parties"]} - {None} == {"IE", "CN"}


@pytest.mark.parametrize("sentence, investment_type", [
    ("The truck factory in Maribor recovered after its acquisition by a Chinese investor.", "acquisition"),
    ("The drug maker is spending EUR 400 million to expand its facility in Athlone.", "expansion"),
    ("CATL formed a joint venture with Stellantis to build a battery factory in Spain.", "joint_venture"),
    ("In 2021 Didi Chuxing invested in Bolt.", "stake"),
    ("BYD will build a car factory in Szeged.", "greenfield"),
])
def test_investment_type_precedence_and_money_into_a_company(rules, linker, sentence, investment_type):
    assert first(sentence, "investment", rules, linker)["investment_type"] == investment_type


def test_going_back_to_a_year_is_a_date_not_a_deadline():
    assert [d.value for d in find_dates("The partnership goes back to 2021.", None)] == ["2021"]
    assert find_dates("The plant will be finished by 2030.", None) == []


@pytest.mark.parametrize("sentence, agreement_type", [
    ("In 1995 the two states concluded an agreement on science and technology cooperation.", "st_agreement"),
    ("The Joint Committee on Scientific and Technological Cooperation met in Rome.", "st_agreement"),
    ("The operator keeps signing new contracts with Huawei for radio equipment.", "supply_deal"),
    ("Chinese firms now supply most of the city's electric buses.", "supply_deal"),
])
def test_agreement_types_for_s_and_t_agreements_and_contracts(rules, linker, sentence, agreement_type):
    assert first(sentence, "agreement", rules, linker)["agreement_type"] == agreement_type


@pytest.mark.parametrize("fragment", [
    "The plant also received EUR 450 million in funding from the European Investment Bank.",
    "The state granted an incentive of EUR 350 million to the battery maker.",
    "The deal includes EUR 267 million in direct subsidies for the carmaker.",
])
def test_aid_the_project_receives_is_not_the_invested_amount(rules, fragment):
    assert find_amounts(fragment, rules) == []


@pytest.mark.parametrize("sentence, measure_type", [
    ("The Commission adopted the Critical Raw Materials Act in 2024.", "regulation"),
    ("Germany adopted the Supply Chain Act in 2021.", "law"),
])
def test_an_eu_act_is_a_regulation(rules, linker, sentence, measure_type):
    assert first(sentence, "policy_measure", rules, linker)["measure_type"] == measure_type


# ----------------------------------------------------------------------------- other languages, news forms


@pytest.mark.parametrize("sentence, fact_type, type_value", [
    ("Der Konzern hat das Werk in Sachsen im Jahr 2020 übernommen.", "investment", "acquisition"),
    ("La société a acquis une participation majoritaire dans le fabricant.", "investment", "stake"),
    ("Il gruppo costruirà un nuovo stabilimento vicino a Torino.", "investment", "greenfield"),
    ("Las dos empresas firmaron un memorando de entendimiento el martes.", "agreement", "mou"),
    ("Les deux groupes ont créé une coentreprise pour produire des cellules.", "agreement", "joint_venture"),
    ("Il governo ha esercitato i poteri speciali sulla cessione della società.", "policy_measure",
     "screening_decision"),
    ("Berlin verhängt Strafzölle auf Elektroautos aus China.", "policy_measure", "trade_defence"),
])
def test_german_french_italian_and_spanish_triggers(rules, linker, sentence, fact_type, type_value):
    proposed = first(sentence, fact_type, rules, linker)
    assert proposed[{"investment": "investment_type", "agreement": "agreement_type",
                     "policy_measure": "measure_type"}[fact_type]] == type_value


@pytest.mark.parametrize("fragment, amount, qualifier", [
    ("una inversión de hasta 2.300 millones de euros", 2.3e9, "up_to"),
    ("rund 1,5 Milliarden Euro für das Werk", 1.5e9, "approx"),
    ("un investimento di 3 miliardi di euro", 3e9, "exact"),
])
def test_amounts_written_in_other_languages(rules, fragment, amount, qualifier):
    found = find_amounts(fragment, rules)
    assert found and found[0].amount == pytest.approx(amount)
    assert (found[0].currency, found[0].qualifier) == ("EUR", qualifier)


def test_english_words_do_not_fire_the_other_languages_triggers(rules):
    # 'investors' and 'strategies' are English: no trigger of another language's list counts them
    from etnc_db.propose.extract import trigger_hits

    hits = trigger_hits("The investors discussed their strategies.", "investment", rules)
    assert len({h.trigger.where for h in hits}) == 1


@pytest.mark.parametrize("sentence, fact_type, type_value", [
    ("The state operator tried to become a co-owner of the grid company.", "investment", "stake"),
    ("The regulator restricted the use of Chinese-made drones by the police.", "policy_measure",
     "vendor_restriction"),
    ("The ministry is taking over management of the chip maker.", "policy_measure", "government_intervention"),
    ("The cabinet decided to approve the 25 percent stake of the shipping group in the terminal.",
     "policy_measure", "screening_decision"),
    ("The two companies formed a Chinese-Slovak venture to build the plant.", "agreement", "joint_venture"),
])
def test_news_forms_of_stakes_interventions_and_ventures(rules, linker, sentence, fact_type, type_value):
    proposed = first(sentence, fact_type, rules, linker)
    assert proposed[{"investment": "investment_type", "agreement": "agreement_type",
                     "policy_measure": "measure_type"}[fact_type]] == type_value


def test_announcing_alone_is_no_policy_measure(rules, linker):
    assert not [r for r in extract(doc_of("The carmaker announced a new model on Monday.", linker), rules)
                if r.fact_type == "policy_measure"]


def test_bilateral_fallback_adds_china_only_without_another_counterpart(rules, linker):
    proposed = first("Latvia and the United States signed a joint declaration on 5G security.", "agreement",
                     rules, linker, country="LV")
    assert {x.get("country") for x in proposed["parties"]} == {"LV", "US"}


@pytest.mark.parametrize("fact_type, sentence, status", [
    ("agreement", "In 1995 the two countries concluded an agreement on scientific and technological cooperation.",
     "in_force"),
    ("investment", "The first attempt to acquire the grid operator ended in failure.", "cancelled"),
    ("investment", "Le groupe prévoit d'investir dans une usine de batteries.", "planned"),
])
def test_status_rules_of_this_pass(rules, linker, fact_type, sentence, status):
    assert first(sentence, fact_type, rules, linker)["status"] == status
