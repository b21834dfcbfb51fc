"""Values the loader derives instead of the curator: EUR amounts at the ECB rate of the
fact's year, the direction of an investment, the level of a policy measure's
jurisdiction, the kind of an agreement party. One function per table, applied to the
named row built from a curated record; each returns a problem message or None."""

from __future__ import annotations

from decimal import Decimal

from etnc_db.reference import fx
from etnc_db.reference.registry import Registry

# core.investments.amount_eur is Numeric(20, 2): 18 digits before the point
MAX_EUR = Decimal(10) ** 18


class Derivation:
    """Context the derivations share: the registry and the FX rates used."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.fx_rates: dict[tuple[str, int], fx.FxRate] = {}

    def investment(self, row: dict, year: int | None) -> tuple[str, str] | None:
        """amount_eur, fx_rate, fx_rate_date (at the ECB rate of `year`) and direction."""
        row.update(amount_eur=None, fx_rate=None, fx_rate_date=None)
        currency = row.get("currency")
        if currency is not None:
            if not fx.is_iso_currency(currency):
                return "currency", f"currency {currency!r} is not an ISO 4217 code"
            if currency == "EUR":
                row.update(amount_eur=Decimal(str(row["amount"])), fx_rate=Decimal(1))
            elif year is not None:
                try:
                    rate = fx.ecb_rate(currency, year)
                except fx.FxError as exc:
                    return "currency", str(exc)
                self.fx_rates[(rate.currency, rate.year)] = rate
                row.update(amount_eur=(Decimal(str(row["amount"])) / rate.rate).quantize(Decimal("0.01")),
                           fx_rate=rate.rate, fx_rate_date=rate.rate_date)
            if row["amount_eur"] is not None and abs(row["amount_eur"]) >= MAX_EUR:
                return "amount", (f"amount {row['amount']:g} {currency} is {row['amount_eur']:.3e} EUR, "
                                  f"beyond the largest amount the database holds (below 1e18 EUR)")
        row["direction"] = self.direction(row)
        return None

    def direction(self, row: dict) -> str:
        """china_to_europe, europe_to_china or other, from the investor's country (its
        registry HQ, or the stated country of an unnamed investor) and the host country."""
        countries = self.registry.countries
        investor = self.registry.organizations.get(row.get("investor_key") or "")
        source = countries.get((investor.country if investor else None) or row.get("investor_country_key") or "")
        host = countries.get(row.get("host_country_key") or "")
        if source is None or host is None:
            return "other"
        if source.is_china and host.is_european:
            return "china_to_europe"
        if host.is_china and source.is_european:
            return "europe_to_china"
        return "other"

    def policy_measure(self, row: dict, year: int | None) -> tuple[str, str] | None:
        """jurisdiction_level: multilateral (no jurisdiction), supranational (EU), national."""
        code = row.get("jurisdiction_key")
        if code == "multilateral":
            row.update(jurisdiction_key=None, jurisdiction_level="multilateral")
        else:
            country = self.registry.countries.get(code or "")
            row["jurisdiction_level"] = "supranational" if country and country.is_supranational else "national"
        return None

    def agreement_party(self, row: dict, year: int | None) -> tuple[str, str] | None:
        """party_kind: organization, unnamed (a description) or government (a country)."""
        row["party_kind"] = ("organization" if row.get("organization_key") else
                             "unnamed" if row.get("description") else "government")
        return None

    def for_table(self, table: str):
        """The derivation of `table`'s rows, or None."""
        return {"core.investments": self.investment, "core.policy_measures": self.policy_measure,
                "core.agreement_parties": self.agreement_party}.get(table)

    def fx_rows(self) -> list[dict]:
        return [{"fx_rate_key": f"{r.currency}|{r.year}", "currency": r.currency, "rate_year": r.year,
                 "rate": r.rate, "rate_date": r.rate_date, "source": r.source} for r in self.fx_rates.values()]
