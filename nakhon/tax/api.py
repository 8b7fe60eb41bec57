"""API of local revenue: public tax quotes (no account), GET with query parameters or POST
with a JSON body; bad input is a 422 with a message per field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from nakhon.accounts.selectors import municipality_get
from nakhon.tax import quotes

router = Router(tags=["tax"])

Use = Literal[
    "agricultural",
    "residential-primary",
    "residential-building-only",
    "residential-other",
    "commercial",
    "vacant",
]


class StepOut(Schema):
    code: str
    label_th: str
    label_en: str
    value: str
    rule: str
    unconfirmed: bool


class QuoteOut(Schema):
    tax_baht: str = Field(description="The tax in baht, two decimals, as text.")
    steps: list[StepOut]
    tax_year: int
    unconfirmed: bool = Field(description="True when a step uses an unconfirmed rule.")


class SignboardQuoteIn(Schema):
    year: int = Field(description="Tax year in the Buddhist Era, e.g. 2568.")
    sign_type: int = Field(description="1: Thai only; 2: Thai mixed; 3: no Thai / Thai below.")
    moving: bool = False
    width_cm: int
    height_cm: int
    faces: int = 1
    installed_on: dt.date | None = Field(
        None, description="CE date (YYYY-MM-DD) a sign was installed during the tax year."
    )
    municipality: str | None = Field(None, description="City slug: apply its local rules.")


class LandBuildingQuoteIn(Schema):
    year: int = Field(description="Tax year in the Buddhist Era, e.g. 2568.")
    owner: Literal["individual", "juristic"]
    use: Use
    value_baht: Decimal = Field(description="Appraised value in baht.")
    vacant_years: int = 0
    municipality: str | None = Field(None, description="City slug: apply its local rules.")


def _out(assessment: Any) -> dict[str, Any]:
    return {
        **quotes.quote_json(assessment),
        "tax_year": assessment.tax_year,
        "unconfirmed": assessment.unconfirmed,
    }


def _signboard(data: SignboardQuoteIn) -> dict[str, Any]:
    city = municipality_get(slug=data.municipality) if data.municipality else None
    return _out(
        quotes.quote_signboard(
            tax_year=data.year,
            sign_type=data.sign_type,
            moving=data.moving,
            width_cm=data.width_cm,
            height_cm=data.height_cm,
            faces=data.faces,
            installed_on=data.installed_on,
            municipality=city,
        )
    )


def _land_building(data: LandBuildingQuoteIn) -> dict[str, Any]:
    city = municipality_get(slug=data.municipality) if data.municipality else None
    return _out(
        quotes.quote_land_building(
            tax_year=data.year,
            owner=data.owner,
            use=data.use,
            value_baht=data.value_baht,
            vacant_years=data.vacant_years,
            municipality=city,
        )
    )


@router.get("/tax/quote/signboard", response=QuoteOut, auth=None)
def quote_signboard_get(request: HttpRequest, data: Query[SignboardQuoteIn]) -> dict[str, Any]:
    """Signboard tax of one sign, with every step and its legal source (public)."""
    return _signboard(data)


@router.post("/tax/quote/signboard", response=QuoteOut, auth=None)
def quote_signboard_post(request: HttpRequest, data: SignboardQuoteIn) -> dict[str, Any]:
    """Signboard tax of one sign, from a JSON body (public)."""
    return _signboard(data)


@router.get("/tax/quote/land-building", response=QuoteOut, auth=None)
def quote_land_building_get(
    request: HttpRequest, data: Query[LandBuildingQuoteIn]
) -> dict[str, Any]:
    """Land and building tax of one property of one use, from its appraised value (public)."""
    return _land_building(data)


@router.post("/tax/quote/land-building", response=QuoteOut, auth=None)
def quote_land_building_post(request: HttpRequest, data: LandBuildingQuoteIn) -> dict[str, Any]:
    """Land and building tax of one property, from a JSON body (public)."""
    return _land_building(data)
