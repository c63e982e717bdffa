"""Bodies of the budget routes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, StrictBool, field_serializer

from api.schemas.common import MONTH_PATTERN, Id, NotNull, RequestBody, ResponseBody
from domain.rules.money import Money

MonthText = Annotated[str, Field(pattern=MONTH_PATTERN, examples=["2027-01"])]
"""A month, YYYY-MM."""
BudgetKind = Literal["standing", "override"]
ForecastMode = Literal["history", "budget", "lower"]


class BudgetIn(RequestBody):
    """A standing amount from a month on, or (kind `override`) one month's amount."""

    category_id: Id
    month: MonthText
    amount: Money
    kind: BudgetKind = "standing"


class CopyIn(RequestBody):
    """The month that takes the amounts of the month before it."""

    month: MonthText


class BudgetOut(ResponseBody):
    """A stored budget amount."""

    id: int
    category_id: int
    month: dt.date
    kind: BudgetKind
    amount: Decimal

    @field_serializer("month")
    def _month(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"


class CategorySettingsIn(RequestBody):
    """How a category's budget behaves; a field left out keeps its value."""

    rollover: NotNull[StrictBool] = None
    forecast_mode: NotNull[ForecastMode] = None


class CategorySettingsOut(ResponseBody):
    """A category's rollover and forecast mode."""

    category_id: int
    rollover: bool
    forecast_mode: ForecastMode


class BudgetLineOut(ResponseBody):
    """A category's month against its budget."""

    category_id: int
    month: dt.date
    budget: Decimal
    rollover: Decimal
    spent: Decimal
    left: Decimal
    per_day: Decimal | None
    projected: Decimal
    overshoot: Decimal
    overshoot_day: dt.date | None
    expected_by_now: Decimal

    @field_serializer("month")
    def _month(self, value: dt.date) -> str:
        return f"{value:%Y-%m}"
