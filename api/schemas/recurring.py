"""Bodies of the fixed, installment and loan routes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from api.schemas.common import MAX_ID, Id, NotNull, RequestBody, ResponseBody, UserDate
from api.schemas.ledger import CURRENCY_PATTERN
from domain.rules.loans import format_rate
from domain.rules.money import PositiveMoney

RATE_PATTERN = r"^(100(\.0{1,4})?|[0-9]{1,2}(\.[0-9]{1,4})?)$"


def _parse_rate(value: object) -> Decimal:
    """A yearly rate in percent as a decimal string: 0 to 100, at most 4 places."""
    if not isinstance(value, str):
        raise ValueError('send the rate as a decimal string such as "5.0"')
    if not re.match(RATE_PATTERN, value):
        raise ValueError("must be a percentage from 0 to 100 with at most 4 decimal places")
    return Decimal(value)


Rate = Annotated[
    Decimal,
    BeforeValidator(_parse_rate),
    WithJsonSchema({"type": "string", "pattern": RATE_PATTERN, "examples": ["5.0"]}),
]
RATE_OUT_PATTERN = r"^[0-9]{1,3}\.[0-9]{2,4}$"
RateOut = Annotated[
    Decimal,
    PlainSerializer(format_rate, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": RATE_OUT_PATTERN,
            "description": 'percent a year, always two places, more only when needed: "5.00", '
            '"4.125"',
            "examples": ["5.00"],
        }
    ),
]
FlowType = Literal["income", "expense"]
Frequency = Literal["monthly", "weekly", "biweekly", "quarterly", "yearly"]
Method = Literal["spitzer", "equal_principal"]
CategoryRef = Field(default=None, ge=1, le=MAX_ID)
Day = Field(default=None, ge=1, le=31, description="day of the month, 1 to 31")
Name = Field(min_length=1, max_length=120)
Notes = Field(default=None, max_length=2000)
Currency = Field(default=None, pattern=CURRENCY_PATTERN)
AccountRef = Field(default=None, description="the account; left out: the default account")


class FixedIn(RequestBody):
    """A new fixed item."""

    name: str = Name
    amount: PositiveMoney
    type: FlowType
    frequency: Frequency = "monthly"
    start_date: UserDate
    end_date: UserDate | None = None
    day_of_month: int | None = Day
    category_id: int | None = CategoryRef
    notes: str | None = Notes
    currency: str | None = Currency
    account_id: Id | None = AccountRef


class FixedPatch(RequestBody):
    """Fixed item fields to change."""

    name: NotNull[Annotated[str, Field(min_length=1, max_length=120)]] = None
    amount: NotNull[PositiveMoney] = None
    type: NotNull[FlowType] = None
    frequency: NotNull[Frequency] = None
    start_date: NotNull[UserDate] = None
    end_date: UserDate | None = None
    day_of_month: int | None = Day
    category_id: int | None = CategoryRef
    notes: NotNull[Annotated[str, Field(max_length=2000)]] = None
    currency: NotNull[Annotated[str, Field(pattern=CURRENCY_PATTERN)]] = None
    account_id: NotNull[Id] = None


class PauseIn(RequestBody):
    """When a pause starts (default today) and, optionally, ends (exclusive)."""

    since: UserDate | None = None
    until: UserDate | None = None


class ResumeIn(RequestBody):
    """When occurrences start again (default today)."""

    on: UserDate | None = None


class PauseOut(ResponseBody):
    """A pause, half-open [start_date, end_date)."""

    start_date: dt.date
    end_date: dt.date | None


class FixedOut(ResponseBody):
    """A fixed item."""

    id: int
    name: str
    amount: Decimal
    type: FlowType
    frequency: Frequency
    start_date: dt.date
    end_date: dt.date | None
    day_of_month: int | None
    category_id: int | None
    notes: str
    currency: str
    booked_through: dt.date | None
    paused: bool
    pauses: list[PauseOut]
    next_dates: list[dt.date]
    account_id: int


class InstallmentIn(RequestBody):
    """A new installment plan."""

    name: str = Name
    total_amount: PositiveMoney
    payments_count: int = Field(ge=1, le=360)
    first_payment_date: UserDate
    day_of_month: int | None = Day
    type: FlowType = "expense"
    category_id: int | None = CategoryRef
    notes: str | None = Notes
    currency: str | None = Currency
    account_id: Id | None = AccountRef


class InstallmentPatch(RequestBody):
    """Installment plan fields to change."""

    name: NotNull[Annotated[str, Field(min_length=1, max_length=120)]] = None
    total_amount: NotNull[PositiveMoney] = None
    payments_count: NotNull[Annotated[int, Field(ge=1, le=360)]] = None
    first_payment_date: NotNull[UserDate] = None
    day_of_month: int | None = Day
    type: NotNull[FlowType] = None
    category_id: int | None = CategoryRef
    notes: NotNull[Annotated[str, Field(max_length=2000)]] = None
    account_id: NotNull[Id] = None


class ProgressOut(ResponseBody):
    """How far a plan is paid."""

    paid_count: int
    paid_amount: Decimal
    remaining_count: int
    remaining_amount: Decimal
    next_date: dt.date | None


class InstallmentOut(ResponseBody):
    """An installment plan with its progress."""

    id: int
    name: str
    total_amount: Decimal
    payments_count: int
    first_payment_date: dt.date
    day_of_month: int
    type: FlowType
    category_id: int | None
    notes: str
    currency: str
    progress: ProgressOut
    account_id: int


class PaymentOut(ResponseBody):
    """One scheduled payment."""

    number: int
    date: dt.date
    amount: Decimal
    paid: bool
    transaction_id: int | None


class LoanIn(RequestBody):
    """A new loan; the payment is computed, never given."""

    name: str = Name
    principal: PositiveMoney
    annual_rate: Rate = Field(description='percent a year: "5.0" is 5%')
    term_months: int = Field(ge=1, le=600)
    first_payment_date: UserDate
    day_of_month: int | None = Day
    method: Method = "spitzer"
    category_id: int | None = CategoryRef
    notes: str | None = Notes
    currency: str | None = Currency
    account_id: Id | None = AccountRef


class LoanPatch(RequestBody):
    """Loan fields to change."""

    name: NotNull[Annotated[str, Field(min_length=1, max_length=120)]] = None
    principal: NotNull[PositiveMoney] = None
    annual_rate: NotNull[Rate] = None
    term_months: NotNull[Annotated[int, Field(ge=1, le=600)]] = None
    first_payment_date: NotNull[UserDate] = None
    day_of_month: int | None = Day
    method: NotNull[Method] = None
    category_id: int | None = CategoryRef
    notes: NotNull[Annotated[str, Field(max_length=2000)]] = None
    account_id: NotNull[Id] = None


class LoanOut(ResponseBody):
    """A loan with where it stands."""

    id: int
    name: str
    principal: Decimal
    annual_rate: RateOut
    term_months: int
    first_payment_date: dt.date
    day_of_month: int
    method: Method
    category_id: int | None
    notes: str
    currency: str
    payment: Decimal
    paid_count: int
    remaining_balance: Decimal
    next_date: dt.date | None
    end_date: dt.date | None
    account_id: int


class PeriodOut(ResponseBody):
    """One period of the amortization schedule."""

    number: int
    date: dt.date
    payment: Decimal
    principal: Decimal
    interest: Decimal
    balance: Decimal
    prepayment: Decimal
    paid: bool


class PrepaymentIn(RequestBody):
    """A partial prepayment."""

    amount: PositiveMoney
    date: UserDate | None = None
    mode: Literal["shorten_term", "lower_payment"]


class OccurrenceOut(ResponseBody):
    """An occurrence a pass would book."""

    kind: Literal["fixed", "installment", "loan"]
    source_id: int
    due_date: dt.date
    amount: Decimal
    type: FlowType
    category_id: int | None
    description: str
    account_id: int | None


class JobRunOut(ResponseBody):
    """A scheduler pass as the user sees it."""

    id: int
    job: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: str
    booked_for_you: int
    error_for_you: str | None
    booked_total: int | None = None
    errors_total: int | None = None
