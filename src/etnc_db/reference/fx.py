"""ECB euro reference rates from the `currencyconverter` package (it ships the ECB's
historical file, so no network is needed at run time).

The rate for an amount is the ECB reference rate of its announcement year: the last
published rate of that year (the year-end rate), or the latest one available when the
year is not over in the shipped data.

Reading the package's ECB file takes about a second, so the year-end rates a project has
used are kept in a small cache file (`use_cache`, in the project's state folder), keyed by
the package's version: a build reads the ECB file only for a currency and year it has not
converted before."""

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


@lru_cache(maxsize=1)
def source_label() -> str:
    return f"ECB euro reference rates via currencyconverter {version('currencyconverter')}"


_CACHE_FILE: list = [None]  # the cache file in use, if any


def use_cache(path) -> None:
    """Keep the rates looked up in `path` (JSON), across processes and builds."""
    _CACHE_FILE[0] = path
    ecb_rate.cache_clear()


def _cached(currency: str, year: int) -> FxRate | None:
    import json

    path = _CACHE_FILE[0]
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path and path.exists() else {}
    except (OSError, ValueError):
        return None
    hit = data.get(source_label(), {}).get(f"{currency}|{year}")
    return FxRate(currency, year, Decimal(hit[0]), date.fromisoformat(hit[1]), source_label()) if hit else None


def _remember(rate: FxRate) -> None:
    import json

    path = _CACHE_FILE[0]
    if path is None:
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        data.setdefault(source_label(), {})[f"{rate.currency}|{rate.year}"] = [str(rate.rate), rate.rate_date.isoformat()]
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except (OSError, ValueError):
        pass  # the cache only saves time


@cache
def ecb_rate(currency: str, year: int) -> FxRate:
    if currency == "EUR":
        return FxRate("EUR", year, Decimal(1), date(year, 12, 31), "identity")
    hit = _cached(currency, year)
    if hit is not None:
        return hit
    rate = _ecb_rate(currency, year)
    _remember(rate)
    return rate


def _ecb_rate(currency: str, year: int) -> FxRate:
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
