"""Countries: ISO 3166-1 from pycountry, joined with the curated attributes in
``etl/reference/countries.yaml`` (UN M49 region, EU membership dates, the `china` flag)
and the EU row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pycountry
import yaml

COUNTRIES_FILE = "countries.yaml"


@dataclass(frozen=True)
class Country:
    """One row of ``core.countries``.

    ``region`` is the UN M49 region (Europe, Asia, ...), ``subregion`` the finest M49
    grouping above countries (Western Europe, Eastern Asia, ...). ``is_eu_member`` is
    the membership today; ``eu_accession_date`` / ``eu_exit_date`` the history.
    """

    code: str
    alpha3: str
    name: str
    numeric: str | None
    region: str | None
    is_eu_member: bool
    eu_accession_date: dt.date | None
    eu_exit_date: dt.date | None
    is_supranational: bool
    subregion: str | None = None
    is_china: bool = False

    @property
    def is_european(self) -> bool:
        """The European side: UN M49 Europe, or the EU itself."""
        return self.region == "Europe" or self.is_supranational


class CountryDataError(ValueError):
    """countries.yaml is inconsistent with ISO 3166 (message names the file)."""


def _as_date(value: object, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise CountryDataError(f"{where}: invalid date {value!r}") from exc


def load_countries(reference_dir: Path) -> list[Country]:
    """All 249 ISO 3166-1 countries plus the supranational ``EU`` row, sorted by code
    with ``EU`` last. Raises :class:`CountryDataError` when the curated file misses a
    code, names an unknown one, or repeats one."""
    path = Path(reference_dir) / COUNTRIES_FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows = data.get("countries") or []
    curated: dict[str, dict] = {}
    for row in rows:
        code = str(row.get("code"))
        if code in curated:
            raise CountryDataError(f"{path}: duplicate country code {code}")
        curated[code] = row

    iso_codes = {c.alpha_2 for c in pycountry.countries}
    unknown = set(curated) - iso_codes - {"EU"}
    if unknown:
        raise CountryDataError(f"{path}: not ISO 3166-1 alpha-2: {sorted(unknown)}")
    missing = iso_codes - set(curated)
    if missing:
        raise CountryDataError(f"{path}: missing countries: {sorted(missing)}")

    out: list[Country] = []
    for iso in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        row = curated[iso.alpha_2]
        where = f"{path}: {iso.alpha_2}"
        accession = _as_date(row.get("eu_accession_date"), where)
        exit_ = _as_date(row.get("eu_exit_date"), where)
        out.append(
            Country(
                code=iso.alpha_2,
                alpha3=iso.alpha_3,
                name=getattr(iso, "common_name", None) or iso.name,
                numeric=iso.numeric,
                region=row.get("region"),
                subregion=row.get("subregion"),
                is_eu_member=accession is not None and exit_ is None,
                eu_accession_date=accession,
                eu_exit_date=exit_,
                is_supranational=False,
                is_china=bool(row.get("china", False)),
            )
        )
    eu = curated.get("EU")
    if eu is None:
        raise CountryDataError(f"{path}: missing the EU row")
    out.append(
        Country(
            code="EU",
            alpha3=str(eu.get("alpha3") or "EUU"),
            name=str(eu.get("name") or "European Union"),
            numeric=None,
            region=eu.get("region"),
            subregion=eu.get("subregion"),
            is_eu_member=False,
            eu_accession_date=None,
            eu_exit_date=None,
            is_supranational=True,
        )
    )
    return out
