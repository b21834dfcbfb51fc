"""Reference stage: the registry (countries, sectors, organizations with aliases and
sectors, company attributes) as table loads. The whole of each table is authoritative,
so anything that left the reference files is deleted."""

from __future__ import annotations

from etnc_db.load.upsert import Ref, TableLoad
from etnc_db.reference.registry import Registry
from etnc_db.vocab import CHINA_CODES

COUNTRY = ("core.countries", "country_code", "country_id")
SECTOR = ("core.sectors", "sector_key", "sector_id")
ORG = ("core.organizations", "organization_key", "organization_id")


def ref(column: str, source: str, target: tuple[str, str, str]) -> Ref:
    return Ref(column=column, source=source, table=target[0], key=target[1], id=target[2])


def _ultimate_parent(registry: Registry, key: str) -> str:
    seen = {key}
    while (parent := registry.organizations[key].parent) and parent not in seen:
        seen.add(parent)
        key = parent
    return key


def reference_loads(registry: Registry) -> list[TableLoad]:
    countries = [
        (c.code, c.alpha3, c.numeric, c.name, getattr(c, "official_name", None), c.region,
         c.subregion, c.is_eu_member, c.eu_accession_date, c.eu_exit_date, c.is_supranational)
        for c in registry.countries.values()
    ]
    sectors = [
        (s.key, s.name, s.parent, s.nace, list(s.keywords)) for s in registry.sectors.values()
    ]
    orgs = registry.organizations.values()
    organizations = [
        (o.key, o.name, o.kind, o.country, o.parent, o.ownership, sorted(o.source_files))
        for o in orgs
    ]
    aliases = []
    for o in orgs:
        ambiguous = set(o.ambiguous_aliases)
        for alias in dict.fromkeys(o.aliases):
            aliases.append((f"{o.key}|{alias}", o.key, alias, alias in ambiguous))
    org_sectors = [(f"{o.key}|{s}", o.key, s) for o in orgs for s in dict.fromkeys(o.sectors)]
    companies = [
        (o.key, o.key, o.country in CHINA_CODES, _ultimate_parent(registry, o.key))
        for o in orgs
        if o.kind == "company"
    ]
    return [
        TableLoad(
            "core.countries", "country_code",
            ["country_code", "alpha3", "numeric_code", "name", "official_name", "region",
             "sub_region", "is_eu_member", "eu_accession_date", "eu_exit_date", "is_supranational"],
            countries,
        ),
        TableLoad(
            "core.sectors", "sector_key", ["sector_key", "name", "parent_key", "nace_code", "keywords"],
            sectors, refs=[ref("parent_id", "parent_key", SECTOR)],
        ),
        TableLoad(
            "core.organizations", "organization_key",
            ["organization_key", "name", "kind", "country_code", "parent_key", "ownership", "source_files"],
            organizations,
            refs=[ref("country_id", "country_code", COUNTRY), ref("parent_id", "parent_key", ORG)],
        ),
        TableLoad(
            "core.organization_aliases", "alias_key",
            ["alias_key", "organization_key", "alias", "is_ambiguous"], aliases,
            refs=[ref("organization_id", "organization_key", ORG)],
        ),
        TableLoad(
            "core.organization_sectors", "organization_sector_key",
            ["organization_sector_key", "organization_key", "sector_key"], org_sectors,
            refs=[ref("organization_id", "organization_key", ORG), ref("sector_id", "sector_key", SECTOR)],
        ),
        TableLoad(
            "core.companies", "company_key",
            ["company_key", "organization_key", "is_chinese", "ultimate_parent_key"], companies,
            refs=[ref("organization_id", "organization_key", ORG),
                  ref("ultimate_parent_id", "ultimate_parent_key", ORG)],
        ),
    ]
