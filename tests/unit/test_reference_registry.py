"""load_registry: the real reference data loads, and each kind of bad input is
rejected with file:line: reason."""

import shutil
import textwrap
from pathlib import Path

import pytest

from etnc_db.reference.registry import RegistryError, load_registry

REF = Path(__file__).resolve().parents[2] / "etl" / "reference"

GOOD = """\
- key: catl
  name: Contemporary Amperex Technology Co. Limited (CATL)
  kind: company
  country: CN
  parent: null
  ownership: private
  sectors: [batteries]
  aliases: [CATL, Contemporary Amperex Technology]
- key: catl-hungary
  name: CATL Debrecen plant
  kind: company
  country: HU
  parent: catl
  ownership: private
  sectors: [batteries]
  aliases: []
"""


@pytest.fixture
def ref(tmp_path):
    """A reference dir with the real countries, aliases, sectors, vocabularies and linker
    word lists, and no orgs."""
    for name in ("countries.yaml", "country_aliases.yaml", "sectors.yaml", "vocabularies.yaml", "linking.yaml"):
        shutil.copy(REF / name, tmp_path / name)
    (tmp_path / "organizations").mkdir()
    return tmp_path


def write(ref, name, text):
    (ref / "organizations" / name).write_text(textwrap.dedent(text), encoding="utf-8")


def rejected(ref) -> RegistryError:
    with pytest.raises(RegistryError) as info:
        load_registry(ref)
    return info.value


def test_real_reference_data_loads_leniently():
    reg = load_registry(REF, strict=False)
    assert len(reg.countries) == 250
    assert "batteries" in reg.sectors and reg.sectors["batteries"].parent == "energy"
    assert reg.sectors["batteries"].nace == "C27.2"
    assert any(a.surface == "Dutch" and a.code == "NL" for a in reg.country_aliases)
    assert len(reg.organizations) > 0


def test_good_file_loads_and_parents_resolve(ref):
    write(ref, "hu.yaml", GOOD)
    reg = load_registry(ref)
    assert reg.organizations["catl-hungary"].parent == "catl"
    assert reg.organizations["catl"].source_files[0].endswith("hu.yaml")


def test_duplicates_across_files_merge_aliases(ref):
    write(ref, "hu.yaml", GOOD)
    write(ref, "pt.yaml", """\
        - key: catl
          name: CATL
          kind: company
          country: CN
          sectors: [electric-vehicles]
          aliases: [Ningde Shidai]
        """)
    reg = load_registry(ref)
    catl = reg.organizations["catl"]
    assert {"CATL", "Contemporary Amperex Technology", "Ningde Shidai"} <= set(catl.aliases)
    assert catl.sectors == ["batteries", "electric-vehicles"]
    assert len(catl.source_files) == 2


def test_unknown_sector_key(ref):
    write(ref, "hu.yaml", GOOD.replace("sectors: [batteries]\n  aliases: []",
                                       "sectors: [batteries, teleportation]\n  aliases: []"))
    err = rejected(ref)
    assert err.file.endswith("hu.yaml") and err.line == 15
    assert "unknown sector key 'teleportation'" in str(err)
    assert str(err).endswith("hu.yaml:15: unknown sector key 'teleportation'")


def test_invalid_country_code(ref):
    write(ref, "hu.yaml", GOOD.replace("country: HU", "country: XX"))
    err = rejected(ref)
    assert (err.line, err.reason) == (12, "invalid country code 'XX'")


def test_country_null_only_for_international_organizations(ref):
    write(ref, "eu.yaml", """\
        - key: nato
          name: North Atlantic Treaty Organization (NATO)
          kind: international_organization
          country: null
        - key: acme
          name: Acme
          kind: company
          country: null
        """)
    err = rejected(ref)
    assert err.line == 8 and "international_organization" in err.reason


def test_parent_that_does_not_exist(ref):
    write(ref, "hu.yaml", GOOD.replace("parent: catl", "parent: catl-global"))
    err = rejected(ref)
    assert err.line == 13 and "parent 'catl-global' of 'catl-hungary' does not exist" in err.reason


def test_duplicate_key_with_conflicting_kind(ref):
    write(ref, "hu.yaml", GOOD)
    write(ref, "pt.yaml", """\
        - key: other
          name: Other NGO
          kind: ngo
          country: PT
        - key: catl
          name: CATL
          kind: university
          country: CN
        """)
    err = rejected(ref)
    assert err.file.endswith("pt.yaml") and err.line == 7
    assert "conflicting kind" in err.reason and "hu.yaml:1" in err.reason


def test_duplicate_key_with_conflicting_country(ref):
    write(ref, "hu.yaml", GOOD)
    write(ref, "pt.yaml", "- key: catl\n  name: CATL\n  kind: company\n  country: PT\n")
    err = rejected(ref)
    assert (Path(err.file).name, err.line) == ("pt.yaml", 4)
    assert "conflicting country" in err.reason


def test_duplicate_key_in_one_file(ref):
    write(ref, "hu.yaml", GOOD + GOOD.split("- key: catl-hungary")[0])
    err = rejected(ref)
    assert err.line == 17 and "duplicate key 'catl'" in err.reason


def test_alias_claimed_by_two_organizations(ref):
    write(ref, "pl.yaml", """\
        - key: pl-mfa
          name: Ministry of Foreign Affairs of Poland
          kind: government_body
          country: PL
          aliases: [MFA, Polish MFA]
        """)
    write(ref, "si.yaml", """\
        - key: cn-mfa
          name: Ministry of Foreign Affairs of the People's Republic of China
          kind: government_body
          country: CN
          aliases: [Chinese MFA, MFA]
        """)
    err = rejected(ref)
    assert Path(err.file).name == "si.yaml" and err.line == 5
    assert "alias 'mfa' claimed by 'pl-mfa' and 'cn-mfa'" in err.reason
    lenient = load_registry(ref, strict=False)
    assert any("si.yaml:5" in p for p in lenient.problems)


def test_alias_shared_when_both_mark_it_ambiguous(ref):
    write(ref, "pl.yaml", """\
        - key: pl-mfa
          name: Ministry of Foreign Affairs of Poland
          kind: government_body
          country: PL
          ambiguous_aliases: [MFA]
        - key: cn-mfa
          name: Ministry of Foreign Affairs of China
          kind: government_body
          country: CN
          ambiguous_aliases: [MFA]
        """)
    reg = load_registry(ref)
    assert reg.organizations["cn-mfa"].ambiguous_aliases == ["MFA"]


def test_bad_vocabulary(ref):
    write(ref, "hu.yaml", GOOD.replace("ownership: private\n  sectors: [batteries]\n  aliases: []",
                                       "ownership: privately_held\n  sectors: [batteries]\n  aliases: []"))
    err = rejected(ref)
    assert err.line == 14 and "ownership" in err.reason and "privately_held" in err.reason
    write(ref, "hu.yaml", GOOD.replace("kind: company\n  country: CN", "kind: startup\n  country: CN"))
    err = rejected(ref)
    assert err.line == 3 and "'startup'" in err.reason


def test_unknown_field_and_bad_key(ref):
    write(ref, "hu.yaml", GOOD.replace("  aliases: []", "  alias: [CATL HU]"))
    err = rejected(ref)
    assert err.line == 16 and "unknown field 'alias'" in err.reason
    write(ref, "hu.yaml", GOOD.replace("key: catl-hungary", "key: CATL_Hungary"))
    err = rejected(ref)
    assert err.line == 9 and "slug" in err.reason


def test_malformed_yaml(ref):
    write(ref, "hu.yaml", GOOD + "- key: broken\n  aliases: [unclosed\n")
    err = rejected(ref)
    assert Path(err.file).name == "hu.yaml" and err.line >= 18 and "malformed YAML" in err.reason


def test_not_a_list_and_binary(ref):
    write(ref, "hu.yaml", "key: catl\n")
    assert rejected(ref).reason == "expected a YAML list of entries"
    (ref / "organizations" / "hu.yaml").write_bytes(b"\xff\xfe\x00binary")
    assert "not UTF-8" in rejected(ref).reason


def test_country_alias_with_unknown_code(ref):
    (ref / "country_aliases.yaml").write_text(
        "countries:\n  - code: CN\n    names: [PRC]\n  - code: XY\n    names: [Utopia]\n",
        encoding="utf-8",
    )
    err = rejected(ref)
    assert Path(err.file).name == "country_aliases.yaml" and err.line == 4


def test_field_written_twice_in_one_entry(ref):
    write(ref, "hu.yaml", GOOD.replace("  aliases: []", "  aliases: []\n  aliases: [CATL HU]"))
    err = rejected(ref)
    assert Path(err.file).name == "hu.yaml" and err.line == 17
    assert "duplicate key 'aliases' (first on line 16)" in err.reason


ORG = """\
- key: acme
  name: Acme Holdings
  kind: company
  country: DE
  aliases: [Acme, {alias}]
"""


@pytest.mark.parametrize("alias, reason", [
    ("a", "shorter than 2 characters"),
    ("'('", "shorter than 2 characters"),
    ("'()'", "has no letter or digit"),
    ("'--'", "has no letter or digit"),
    ("Group", "is a generic word"),
    ("the company", "is a generic word"),
    ("The  Government", "is a generic word"),
    ("Européen", None),  # not on the list: accents do not make a word generic
    ("Europe", "is a generic word"),
    ("Ministry", "is a generic word"),
])
def test_alias_that_would_flood_the_database(ref, alias, reason):
    write(ref, "de.yaml", ORG.format(alias=alias))
    if reason is None:
        load_registry(ref)
        return
    err = rejected(ref)
    assert (Path(err.file).name, err.line) == ("de.yaml", 5)
    assert reason in err.reason


def test_generic_word_is_accent_and_case_insensitive_but_acronyms_pass(ref):
    (ref / "linking.yaml").write_text("generic_words: [societe]\n", encoding="utf-8")
    write(ref, "fr.yaml", ORG.format(alias="Société"))
    assert "generic word" in rejected(ref).reason
    write(ref, "fr.yaml", ORG.format(alias="SOCIETE"))  # written as an acronym
    assert "SOCIETE" in load_registry(ref).organizations["acme"].aliases


def test_generic_name_and_ambiguous_alias_refused(ref):
    write(ref, "de.yaml", "- key: acme\n  name: Company\n  kind: company\n  country: DE\n")
    err = rejected(ref)
    assert err.line == 2 and "'Company' is a generic word" in err.reason
    write(ref, "de.yaml", ORG.format(alias="Acme AG") + "  ambiguous_aliases: [x]\n")
    err = rejected(ref)
    assert err.line == 6 and "'x' is shorter than 2 characters" in err.reason


def test_country_alias_that_would_flood_the_database(ref):
    for alias, reason in (("'..'", "no letter or digit"), ("national", "generic word"),
                          ("C", "shorter than 2")):
        (ref / "country_aliases.yaml").write_text(
            f"countries:\n  - code: CN\n    names: [PRC]\n    adjectives: [Chinese, {alias}]\n",
            encoding="utf-8",
        )
        err = rejected(ref)
        assert Path(err.file).name == "country_aliases.yaml" and err.line == 4
        assert reason in err.reason


def test_aliases_differing_only_in_accents_collide(ref):
    write(ref, "cz.yaml", """\
        - key: skoda
          name: Škoda Auto
          kind: company
          country: CZ
          aliases: [Škoda]
        - key: skoda-transportation
          name: Skoda Transportation
          kind: company
          country: CZ
          aliases: [Skoda]
        """)
    err = rejected(ref)
    assert err.line == 10 and "claimed by 'skoda' and 'skoda-transportation'" in err.reason
