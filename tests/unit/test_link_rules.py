"""Linker rules on fragments written for these tests: literal aliases, accent- and
case-folded matching with original offsets. Each test builds a small registry from the
real countries, sectors and linker word lists plus organizations of its own."""

import shutil
import textwrap
from pathlib import Path

import pytest

from etnc_db.link.linker import Linker
from etnc_db.link.unknown import detect_unknown_organizations
from etnc_db.reference.registry import load_registry

REF = Path(__file__).resolve().parents[2] / "etl" / "reference"


def make_linker(tmp_path: Path, organizations: str) -> Linker:
    for name in ("countries.yaml", "country_aliases.yaml", "sectors.yaml", "linking.yaml", "vocabularies.yaml"):
        shutil.copy(REF / name, tmp_path / name)
    (tmp_path / "organizations").mkdir()
    (tmp_path / "organizations" / "test.yaml").write_text(textwrap.dedent(organizations), "utf-8")
    return Linker(load_registry(tmp_path))


def org_links(linker: Linker, text: str, offset: int = 0) -> list[tuple[str, str]]:
    """(surface, key) of the organization mentions, after checking their offsets."""
    out = []
    for m in linker.link(text, offset=offset):
        assert text[m.char_start - offset : m.char_end - offset] == m.surface
        if m.entity_type == "organization":
            out.append((m.surface, m.entity_key))
    return out


@pytest.fixture(scope="module")
def real():
    return Linker(load_registry(REF, strict=False))


# ----------------------------------------------------------------- literal aliases

LITERAL = """\
- key: cpp-foundation
  name: C++ Foundation
  kind: ngo
  country: US
  aliases: [C++, "[x]", a.b, Q(uantum)]
"""


def test_regex_metacharacters_in_aliases_are_literal(tmp_path):
    linker = make_linker(tmp_path, LITERAL)
    text = "Code in C++ and [x] went to a.b, then Q(uantum) spoke."
    assert org_links(linker, text) == [
        ("C++", "cpp-foundation"), ("[x]", "cpp-foundation"), ("a.b", "cpp-foundation"),
        ("Q(uantum)", "cpp-foundation"),
    ]
    # as regexes these would match: "C" (C+), "x" ([x]), "axb" (a.b), "Quantum" (Q(uantum))
    assert org_links(linker, "C and x met axb at Quantum Corp.") == []


def test_unknown_names_next_to_literal_aliases(tmp_path):
    linker = make_linker(tmp_path, LITERAL)
    text = "Gronk Widgets S.A. hired C++ experts; Gronk Widgets SxAx did not."
    got = [c.surface for c in detect_unknown_organizations(text, linker.registry)]
    assert got == ["Gronk Widgets S.A."]  # "S.A." is literal: "SxAx" is no suffix


def test_dot_in_a_real_alias_is_literal(real):
    assert ("Pony.ai", "pony-ai") in org_links(real, "Pony.ai tests robotaxis.")
    assert org_links(real, "Ponyxai tests robotaxis.") == []


# ----------------------------------------------------------------- accent folding

def test_unaccented_text_finds_the_accented_name(real):
    text = "Telefonica and Skoda signed; TELEFONICA said so."
    assert org_links(real, text) == [
        ("Telefonica", "telefonica"), ("Skoda", "skoda"), ("TELEFONICA", "telefonica"),
    ]


def test_accented_text_finds_the_plain_name(tmp_path):
    linker = make_linker(tmp_path, """\
        - key: nestle
          name: Nestle
          kind: company
          country: CH
        - key: grossmann
          name: Grossmann Technik
          kind: company
          country: DE
        """)
    text = "Nestlé and Großmann Technik (also Grossmann Technik) met Nestle."
    assert org_links(linker, text, offset=100) == [
        ("Nestlé", "nestle"), ("Großmann Technik", "grossmann"),
        ("Grossmann Technik", "grossmann"), ("Nestle", "nestle"),
    ]


def test_offsets_stay_exact_after_characters_that_fold_to_two(real):
    text = "Die Straße, die Maße und Æsir: Huawei Romania und Škoda."
    ms = real.link(text, offset=7)
    got = {(m.surface, m.entity_key) for m in ms}
    assert ("Huawei Romania", "huawei-romania") in got and ("Škoda", "skoda") in got
    for m in ms:
        assert text[m.char_start - 7 : m.char_end - 7] == m.surface


def test_decomposed_accents_belong_to_the_mention(real):
    text = "Sko\u030cda? No: S\u030ckoda and Telefo\u0301nica."
    got = org_links(real, text)
    assert ("S\u030ckoda", "skoda") in got and ("Telefo\u0301nica", "telefonica") in got


def test_a_match_may_not_end_inside_a_folded_character(tmp_path):
    linker = make_linker(tmp_path, """\
        - key: gros
          name: Gros Werk
          kind: company
          country: DE
          aliases: [Gros]
        """)
    assert org_links(linker, "Großteil der Arbeit; Gros Werk.") == [("Gros Werk", "gros")]


def test_case_rules_still_read_the_original_text(real):
    assert org_links(real, "skoda and telefónica in lower case") == []
    ms = real.link("most of the MOST budget")
    assert [(m.surface, m.entity_key) for m in ms if m.entity_type == "organization"] == [
        ("MOST", "cn-most")]


def test_other_scripts_are_not_transliterated(real):
    assert ("小马智行", "pony-ai") in org_links(real, "The robotaxi firm (小马智行) tested in Europe.")


# ----------------------------------------------------------------- brands of families

FAMILY = """\
- key: acmetel
  name: Acmetel Group
  kind: company
  country: GB
  ambiguous_aliases: [Acmetel]
- key: acmetel-pl
  name: Acmetel Polska
  kind: company
  country: PL
  parent: acmetel
  ambiguous_aliases: [Acmetel]
- key: acmetel-pl-east
  name: Acmetel Polska Wschod
  kind: company
  country: PL
  parent: acmetel-pl
- key: acmetel-hu
  name: Acmetel Magyarorszag
  kind: company
  country: HU
  parent: acmetel
  ambiguous_aliases: [Acmetel]
- key: pl-mfa
  name: Ministry of Foreign Affairs of Poland
  kind: government_body
  country: PL
  ambiguous_aliases: [Foreign Office]
- key: hu-mfa
  name: Ministry of Foreign Affairs of Hungary
  kind: government_body
  country: HU
  ambiguous_aliases: [Foreign Office]
"""


def brand(linker: Linker, text: str, context_country: str | None = None) -> list[tuple[str, str]]:
    ms, rejects = linker.link_with_rejects(text, context_country=context_country)
    got = [(m.entity_key, m.rule) for m in ms if m.surface == "Acmetel"]
    return got or [("-", r.reason) for r in rejects if r.surface == "Acmetel"]


def test_bare_brand_goes_to_the_parent_outside_the_subsidiary_country(tmp_path):
    linker = make_linker(tmp_path, FAMILY)
    parent = [("acmetel", "organization-brand-parent")]
    assert brand(linker, "Acmetel cut prices across Germany.") == parent
    assert brand(linker, "Acmetel raised its dividend.") == parent
    assert brand(linker, "Acmetel cut prices.", context_country="DE") == parent
    # a German chapter that mentions Poland in passing still means the group
    assert brand(linker, "Acmetel, which also sells in Poland, cut prices.",
                 context_country="DE") == parent


def test_bare_brand_goes_to_the_subsidiary_in_its_country(tmp_path):
    linker = make_linker(tmp_path, FAMILY)
    assert brand(linker, "Polish regulators fined Acmetel.") == [
        ("acmetel-pl", "organization-subsidiary-in-context")]
    assert brand(linker, "Acmetel cut prices.", context_country="HU") == [
        ("acmetel-hu", "organization-subsidiary-in-context")]


def test_parent_country_or_two_subsidiary_countries_in_context(tmp_path):
    linker = make_linker(tmp_path, FAMILY)
    # the group's own country named too: the group
    assert brand(linker, "The British group Acmetel sold its Polish arm.") == [
        ("acmetel", "organization-brand-parent")]
    [(key, reason)] = brand(linker, "Acmetel operates in Poland and Hungary.")
    assert key == "-" and "acmetel-pl|acmetel-hu" in reason


def test_ambiguous_alias_outside_a_family_keeps_the_country_rule(tmp_path):
    linker = make_linker(tmp_path, FAMILY)

    def office(text, context_country=None):
        return [m.entity_key for m in linker.link(text, context_country=context_country)
                if m.entity_type == "organization"]

    assert office("The Foreign Office in Warsaw summoned Poland's envoy.") == ["pl-mfa"]
    assert office("The Foreign Office summoned the envoy.") == []
    # the chapter's country decides when the passage names none
    assert office("The Foreign Office summoned the envoy.", context_country="HU") == ["hu-mfa"]
    # a country named in the passage comes first
    assert office("Poland's Foreign Office spoke.", context_country="HU") == ["pl-mfa"]


def test_real_registry_vodafone_outside_czechia(real):
    def key(text, context_country=None):
        return [m.entity_key for m in real.link(text, context_country=context_country)
                if m.surface == "Vodafone"]

    assert key("Vodafone upgraded its German network.") == ["vodafone"]
    assert key("Vodafone signed a deal with Huawei in Czechia.") == ["vodafone-cz"]
    assert key("Vodafone signed a deal with Huawei.", context_country="CZ") == ["vodafone-cz"]


# ----------------------------------------------------------------- weak sector keywords

def sector_hits(linker: Linker, text: str) -> list[str]:
    return [m.surface for m in linker.link(text) if m.entity_type == "sector"]


@pytest.mark.parametrize("text, linked", [
    # the ordinary sense: no context word next to the keyword
    ("Construction is scheduled to begin next spring.", False),
    ("The construction of the new depot starts soon.", False),
    ("The hospital lacks clinical trial infrastructure for such work.", False),
    ("Soldiers guard the military barracks.", False),
    ("They opened it in 2024. Construction of the hall began.", False),
    # the sector sense: a context word right before or after
    ("The construction sector slowed down last year.", True),
    ("Grid operators worry about critical infrastructure abroad.", True),
    ("Operators kept their 5G infrastructure at home.", True),
    ("The firm sells energy-efficient construction panels.", True),
    ("The export rules target military end-users abroad.", True),
    ("Patches fixed the software vulnerabilities quickly.", True),
    # a country or organization mention next to it
    ("Analysts watched Chinese military capabilities grow.", True),
    ("Operators removed Huawei software from their cores.", True),
    # a sector mention joined by "and"/"or"
    ("Imports of ICT and construction machinery grew.", True),
    ("Investors bought AI or software start-ups.", True),
])
def test_weak_sector_keyword_needs_context(real, text, linked):
    weak = {"construction", "infrastructure", "military", "software"}
    hits = [h for h in sector_hits(real, text) if h.lower() in weak]
    assert bool(hits) is linked, (text, sector_hits(real, text))


def test_weak_rejects_say_why_and_plurals_are_weak_too(real):
    _, rejects = real.link_with_rejects("The infrastructures were old.")
    assert [r.reason for r in rejects] == ["weak sector keyword 'infrastructure' without context"]
    assert sector_hits(real, "They protect critical infrastructures.") == ["infrastructures"]


def test_a_sector_mention_right_next_to_it_is_not_enough(real):
    # research infrastructure is a facility, not the construction sector
    assert sector_hits(real, "They share the national research infrastructure today.") == ["research"]


def test_phrases_that_are_not_the_sector(real):
    for text in ("Firms moved into industrial parks near the port city.",
                 "Western agencies warn about military-civil fusion."):
        ms, rejects = real.link_with_rejects(text)
        assert not [m for m in ms if m.entity_type == "sector" and "industrial" in m.surface]
        assert not [m for m in ms if m.surface.startswith("military")]
        assert any(r.reason.startswith("not a mention") for r in rejects)


# ----------------------------------------------------------------- legal forms

LEGAL = """\
- key: zorblax
  name: Zorblax Widgets
  kind: company
  country: SE
  aliases: [Zorblax]
- key: zorblax-institute
  name: Zorblax Institute
  kind: research_institute
  country: SE
"""


@pytest.mark.parametrize("text, surfaces", [
    ("Zorblax AB said so.", ["Zorblax AB"]),
    ("equipment from Zorblax Widgets Co., Ltd. and others", ["Zorblax Widgets Co., Ltd."]),
    ("a unit of Zorblax Widgets Co Ltd announced", ["Zorblax Widgets Co Ltd"]),
    ("Zorblax Corp. Its rival was quiet.", ["Zorblax Corp."]),
    # not a legal form: a hyphenated word, a longer word, another case
    ("Zorblax Co-operation Fund", ["Zorblax"]),
    ("Zorblax Coast", ["Zorblax"]),
    ("Zorblax ab initio", ["Zorblax"]),
    # only companies take a legal form
    ("the Zorblax Institute AG", ["Zorblax Institute"]),
])
def test_a_company_mention_extends_over_its_legal_form(tmp_path, text, surfaces):
    linker = make_linker(tmp_path, LEGAL)
    assert [s for s, _k in org_links(linker, text, offset=7)] == surfaces


def test_real_registry_names_with_legal_forms(real):
    text = "ZTE Corp, Ericsson AB, Nokia Oyj and Wingtech Technology Co Ltd were named."
    assert org_links(real, text) == [("ZTE Corp", "zte"), ("Ericsson AB", "ericsson"), ("Nokia Oyj", "nokia"),
                                     ("Wingtech Technology Co Ltd", "wingtech")]
