"""etl/reference/linking.yaml: the linker's word lists load into Registry.linking, and
each kind of bad input is refused with file:line: reason."""

import shutil
from pathlib import Path

import pytest

from etnc_db.reference.registry import LinkingRules, RegistryError, load_registry

REF = Path(__file__).resolve().parents[2] / "etl" / "reference"


@pytest.fixture
def ref(tmp_path):
    """The real countries, aliases and sectors, no organizations, no linking.yaml."""
    for name in ("countries.yaml", "country_aliases.yaml", "sectors.yaml", "vocabularies.yaml"):
        shutil.copy(REF / name, tmp_path / name)
    (tmp_path / "organizations").mkdir()
    return tmp_path


def refused(ref, text: str) -> RegistryError:
    (ref / "linking.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RegistryError) as info:
        load_registry(ref)
    assert Path(info.value.file).name == "linking.yaml"
    return info.value


def test_real_word_lists_load():
    rules = load_registry(REF, strict=False).linking
    assert "responded" in rules.government_verbs and "in" in rules.location_prepositions
    assert "innovation space" in rules.not_a_mention
    assert "AI" in rules.acronym_tokens and "Galileo" in rules.proper_keywords
    assert "group" in rules.generic_words and "agency" in rules.generic_org_kinds
    assert "GmbH" in rules.unknown_company_suffixes
    assert "critical" in rules.weak_sector_keywords["infrastructure"]


def test_absent_file_means_empty_lists(ref):
    assert load_registry(ref).linking == LinkingRules()


def test_unknown_key(ref):
    err = refused(ref, "adverbs: [also]\ngovernment_verb: [has]\n")
    assert err.line == 2 and "unknown field 'government_verb'" in err.reason


def test_unknown_nested_key(ref):
    err = refused(ref, "adverbs: [also]\nunknown_names:\n  joiners: [of]\n  suffixes: [AG]\n")
    assert err.line == 4 and "unknown field 'unknown_names.suffixes'" in err.reason


def test_key_written_twice(ref):
    err = refused(ref, "adverbs: [also]\nadverbs: [still]\n")
    assert err.line == 2 and "duplicate key 'adverbs'" in err.reason


def test_entry_listed_twice(ref):
    err = refused(ref, "adverbs: [also]\ngovernment_verbs:\n  - has\n  - said\n  - has\n")
    assert err.line == 2 and "'has' listed twice" in err.reason


def test_empty_entry_and_upper_case(ref):
    assert "empty entry" in refused(ref, "adverbs: [also, '']\n").reason
    err = refused(ref, "adverbs: [also]\nlocation_prepositions: [in, At]\n")
    assert err.line == 2 and "'At' must be written in lower case" in err.reason


def test_unquoted_on_is_a_boolean(ref):
    err = refused(ref, "government_prepositions: [by, on]\n")
    assert err.line == 1 and "quote it" in err.reason


def test_weak_keyword_must_be_a_sector_keyword(ref):
    err = refused(ref, "adverbs: [also]\nweak_sector_keywords:\n  software: [hardware]\n"
                       "  teleportation: [beam]\n")
    assert err.line == 4 and "'teleportation' is not in sectors.yaml" in err.reason


def test_weak_keyword_context_words(ref):
    err = refused(ref, "weak_sector_keywords:\n  software: [hardware, Cloud]\n")
    assert err.line == 2 and "'Cloud' must be written in lower case" in err.reason
    err = refused(ref, "weak_sector_keywords:\n  software: [hardware, hardware]\n")
    assert err.line == 2 and "weak_sector_keywords.software: 'hardware' listed twice" in err.reason
    (ref / "linking.yaml").write_text("weak_sector_keywords:\n  software: [hardware]\n", "utf-8")
    assert load_registry(ref).linking.weak_sector_keywords == {"software": frozenset({"hardware"})}


def test_bad_organization_kind(ref):
    err = refused(ref, "generic_org_kinds: [agency, startup]\n")
    assert err.line == 1 and "'startup'" in err.reason
