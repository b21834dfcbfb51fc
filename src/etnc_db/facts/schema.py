"""The curated-file format (docs/curation.md section 4) as pydantic models."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from etnc_db import vocab

ID = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=120)]
DATE_RE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


def _vocab(values: tuple[str, ...]):
    return Literal[values]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Evidence(Strict):
    quote: Annotated[str, Field(min_length=12)]
    document: str | None = None


class EvidenceFor(Evidence):
    fact_id: ID


class Party(Strict):
    organization: str | None = None
    country: Country | None = None
    role: _vocab(vocab.PARTY_ROLES)

    @model_validator(mode="after")
    def one_party(self):
        if (self.organization is None) == (self.country is None):
            raise ValueError("a party names exactly one of organization or country")
        return self


class Target(Strict):
    organization: str | None = None
    country: Country | None = None
    sector: str | None = None

    @model_validator(mode="after")
    def one_target(self):
        if sum(v is not None for v in (self.organization, self.country, self.sector)) != 1:
            raise ValueError("a target names exactly one of organization, country or sector")
        return self


class Fact(Strict):
    id: ID
    title: Annotated[str, Field(min_length=3)]
    date: str | None = None
    sectors: list[str] = []
    note: str | None = None
    evidence: Annotated[list[Evidence], Field(min_length=1)]

    @field_validator("date", mode="before")
    @classmethod
    def date_format(cls, value):
        if value is None:
            return None
        value = str(value)
        if not DATE_RE.match(value):
            raise ValueError(f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
        year = int(value[:4])
        if not 1949 <= year <= 2031:
            raise ValueError(f"date {value!r} is out of range (1949..2031)")
        return value


class Agreement(Fact):
    agreement_type: _vocab(vocab.AGREEMENT_TYPES)
    status: _vocab(vocab.AGREEMENT_STATUSES)
    parties: Annotated[list[Party], Field(min_length=1)]


class Investment(Fact):
    investor: str
    target: str | None = None
    target_name: str | None = None
    host_country: Country
    location: str | None = None
    investment_type: _vocab(vocab.INVESTMENT_TYPES)
    status: _vocab(vocab.INVESTMENT_STATUSES)
    amount: float | None = None
    amount_max: float | None = None
    currency: str | None = None
    amount_qualifier: _vocab(vocab.AMOUNT_QUALIFIERS) | None = None
    recommended_for_aggregates: bool = False

    @model_validator(mode="after")
    def amount_rules(self):
        if self.amount is not None and self.amount <= 0:
            raise ValueError(f"amount must be positive, got {self.amount}")
        if self.amount_max is not None and (self.amount is None or self.amount_max < self.amount):
            raise ValueError("amount_max needs an amount and must not be below it")
        if (self.amount is None) != (self.currency is None):
            raise ValueError("amount and currency go together")
        if self.currency is not None and not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise ValueError(f"currency {self.currency!r} is not an ISO 4217 code")
        if self.recommended_for_aggregates and self.amount is None:
            raise ValueError("recommended_for_aggregates needs a stated amount")
        return self


class PolicyMeasure(Fact):
    jurisdiction: Country
    issuer: str | None = None
    measure_type: _vocab(vocab.MEASURE_TYPES)
    status: _vocab(vocab.POLICY_STATUSES)
    stance: _vocab(vocab.STANCES)
    targets: list[Target] = []


class CuratedFile(Strict):
    document: str
    part: Annotated[str, Field(pattern=r"^[a-z0-9-]+$")]
    agreements: list[dict] = []
    investments: list[dict] = []
    policy_measures: list[dict] = []
    evidence_for: list[dict] = []
