"""Reference stage: the registry (curated vocabularies, countries, sectors, organizations
with aliases and sectors, company attributes) as named rows. The whole of each table is
authoritative, so anything that left the reference files is deleted."""

from __future__ import annotations

from etnc_db.reference.registry import Registry
from etnc_db.tables import TableLoad


def _ultimate_parent(registry: Registry, key: str) -> str:
    seen = {key}
    while (parent := registry.organizations[key].parent) and parent not in seen:
        seen.add(parent)
        key = parent
    return key


def vocabulary_loads(registry: Registry) -> list[TableLoad]:
    return [
        TableLoad(f"core.vocab_{name}", [
            {"value": t.value, "label": t.label, "definition": t.definition, "ordinal": t.ordinal}
            for t in terms.values()
        ])
        for name, terms in registry.vocabularies.items()
    ]


def reference_loads(registry: Registry) -> list[TableLoad]:
    """Vocabularies first (everything else may use them), then the entities."""
    countries = [{
        "country_code": c.code, "alpha3": c.alpha3, "numeric_code": c.numeric, "name": c.name,
        "official_name": getattr(c, "official_name", None), "region": c.region, "sub_region": c.subregion,
        "is_eu_member": c.is_eu_member, "eu_accession_date": c.eu_accession_date, "eu_exit_date": c.eu_exit_date,
        "is_supranational": c.is_supranational, "is_china": c.is_china, "is_european": c.is_european,
    } for c in registry.countries.values()]
    sectors = [{"sector_key": s.key, "name": s.name, "parent_key": s.parent, "nace_code": s.nace,
                "keywords": list(s.keywords)} for s in registry.sectors.values()]
    orgs = list(registry.organizations.values())
    organizations = [{"organization_key": o.key, "name": o.name, "kind": o.kind, "country_key": o.country,
                      "parent_key": o.parent, "ownership": o.ownership, "source_files": sorted(o.source_files)}
                     for o in orgs]
    aliases = [{"alias_key": f"{o.key}|{a}", "organization_key": o.key, "alias": a,
                "is_ambiguous": a in set(o.ambiguous_aliases)}
               for o in orgs for a in dict.fromkeys(o.aliases)]
    org_sectors = [{"organization_sector_key": f"{o.key}|{s}", "organization_key": o.key, "sector_key": s}
                   for o in orgs for s in dict.fromkeys(o.sectors)]
    china = {c.code for c in registry.countries.values() if c.is_china}
    companies = [{"company_key": o.key, "organization_key": o.key, "is_chinese": o.country in china,
                  "ultimate_parent_key": _ultimate_parent(registry, o.key)} for o in orgs if o.kind == "company"]
    return [
        *vocabulary_loads(registry),
        TableLoad("core.countries", countries),
        TableLoad("core.sectors", sectors),
        TableLoad("core.organizations", organizations),
        TableLoad("core.organization_aliases", aliases),
        TableLoad("core.organization_sectors", org_sectors),
        TableLoad("core.companies", companies),
    ]
