"""Countries: ISO 3166 from pycountry + curated UN M49 regions and EU dates."""

import datetime as dt
from pathlib import Path

import pytest

from etnc_db.reference.countries import CountryDataError, load_countries

REF = Path(__file__).resolve().parents[2] / "etl" / "reference"


@pytest.fixture(scope="module")
def countries():
    return {c.code: c for c in load_countries(REF)}


def test_all_iso_countries_plus_eu(countries):
    assert len(countries) == 250
    eu = countries["EU"]
    assert (eu.alpha3, eu.name, eu.is_supranational) == ("EUU", "European Union", True)
    assert sum(c.is_supranational for c in countries.values()) == 1


def test_eu_membership_today_and_history(countries):
    members = {c.code for c in countries.values() if c.is_eu_member}
    assert len(members) == 27
    assert {"HU", "NL", "CZ", "HR", "SE"} <= members
    gb = countries["GB"]
    assert not gb.is_eu_member
    assert gb.eu_accession_date == dt.date(1973, 1, 1)
    assert gb.eu_exit_date == dt.date(2020, 1, 31)
    assert countries["HR"].eu_accession_date == dt.date(2013, 7, 1)
    assert countries["NO"].eu_accession_date is None  # YAML 'NO' must stay a code


def test_un_m49_regions(countries):
    assert all(c.region for c in countries.values() if c.code not in ("AQ",))
    assert (countries["CN"].region, countries["CN"].subregion) == ("Asia", "Eastern Asia")
    assert countries["CZ"].subregion == "Eastern Europe"
    assert countries["EE"].subregion == "Northern Europe"
    assert countries["GB"].subregion == "Northern Europe"
    assert countries["SI"].subregion == "Southern Europe"
    assert countries["AT"].subregion == "Western Europe"
    assert countries["MX"].subregion == "Central America"
    assert countries["KE"].subregion == "Eastern Africa"
    assert countries["AU"].region == "Oceania"


def test_names_and_codes(countries):
    assert countries["CZ"].name == "Czechia"
    assert countries["NL"].alpha3 == "NLD" and countries["NL"].numeric == "528"


def test_missing_country_is_rejected(tmp_path):
    text = (REF / "countries.yaml").read_text(encoding="utf-8")
    (tmp_path / "countries.yaml").write_text(
        "\n".join(line for line in text.splitlines() if "code: 'FR'" not in line),
        encoding="utf-8",
    )
    with pytest.raises(CountryDataError, match="FR"):
        load_countries(tmp_path)
