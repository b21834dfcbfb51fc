"""ECB euro reference rates from the `currencyconverter` package (it ships the ECB's
historical file, so no network is needed at run time).

The rate for an amount is the ECB reference rate of its announcement year: the last
published rate of that year (the year-end rate), or the latest one available when the
year is not over in the shipped data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache, lru_cache
from importlib.metadata import version


@dataclass(frozen=True)
class FxRate:
    currency: str
    year: int
    rate: Decimal  # units of currency per 1 EUR
    rate_date: date
    source: str


class FxError(ValueError):
    """No ECB rate for the currency and year."""


@lru_cache(maxsize=1)
def _converter():
    from currency_converter import CurrencyConverter

    return CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)


def source_label() -> str:
    return f"ECB euro reference rates via currencyconverter {version('currencyconverter')}"


@cache
def ecb_rate(currency: str, year: int) -> FxRate:
    if currency == "EUR":
        return FxRate("EUR", year, Decimal(1), date(year, 12, 31), "identity")
    conv = _converter()
    if currency not in conv.currencies:
        raise FxError(f"currency {currency} has no ECB reference rate")
    first, last = conv.bounds[currency]
    day = min(date(year, 12, 31), last)
    if day < first or day.year != year:
        raise FxError(f"no ECB reference rate for {currency} in {year} (data covers {first}..{last})")
    for _ in range(15):
        try:
            rate = conv.convert(1, "EUR", currency, date=day)
            return FxRate(currency, year, Decimal(str(round(rate, 8))), day, source_label())
        except Exception:  # noqa: BLE001 - RateNotFoundError on a non-publication day
            day -= timedelta(days=1)
    raise FxError(f"no ECB reference rate for {currency} near the end of {year}")


def is_iso_currency(code: str) -> bool:
    import pycountry

    return pycountry.currencies.get(alpha_3=code) is not None
