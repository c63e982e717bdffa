"""Bodies of the balance, settings, forecast, scenario and alert routes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from api.schemas.common import MONTH_PATTERN, Id, RequestBody, ResponseBody, UserDate
from api.schemas.ledger import CURRENCY_PATTERN
from api.schemas.recurring import Rate
from domain.rules.money import Money, PositiveMoney

AccountRef = Field(default=None, description="the account; left out: the default account")


class BalanceIn(RequestBody):
    """An account's balance read at the end of a day (default today), in its currency."""

    amount: Money
    as_of: UserDate | None = None
    note: str = Field(default="", max_length=200)
    account_id: Id | None = AccountRef


class BalanceCorrection(RequestBody):
    """A corrected amount for an account's latest reading."""

    amount: Money
    note: str | None = Field(default=None, max_length=200)
    account_id: Id | None = AccountRef


class BalanceRecordOut(ResponseBody):
    """A recorded reading."""

    id: int
    account_id: int
    as_of: dt.date
    amount: Decimal
    currency: str
    note: str


class CurrentBalanceOut(ResponseBody):
    """The balance now: the latest reading plus what moved since.

    The household's: its bank, savings, cash and debit card accounts in the base currency.
    One account's (`account_id`): in its own currency, with its value in the base.
    """

    amount: Decimal
    as_of: dt.date | None
    recorded: Decimal
    movements: Decimal
    today: dt.date
    account_id: int | None = None
    currency: str
    in_base: Decimal


class SettingsOut(ResponseBody):
    """A user's settings."""

    currency: str = Field(description="the base currency: every total, report and forecast")
    timezone: str
    language: Literal["en", "he"]
    forecast_horizon_months: int
    warning_threshold: Decimal
    critical_threshold: Decimal
    week_start: Literal["sunday", "monday"]
    large_payment_share: Decimal
    include_history: bool
    notifications: dict[str, bool]


class SettingsIn(RequestBody):
    """Settings to change."""

    currency: str | None = Field(
        default=None,
        pattern=CURRENCY_PATTERN,
        description="the base currency; rates entered for another base are set aside",
    )
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    language: Literal["en", "he"] | None = None
    forecast_horizon_months: int | None = Field(default=None, ge=1, le=36)
    warning_threshold: Money | None = None
    critical_threshold: Money | None = None
    week_start: Literal["sunday", "monday"] | None = None
    large_payment_share: Annotated[Decimal, Field(gt=0, le=10, decimal_places=2)] | None = None
    include_history: StrictBool | None = None
    notifications: dict[Literal["in_app", "email"], StrictBool] | None = None


class DayOut(ResponseBody):
    """One day of the forecast."""

    date: dt.date
    p50: Decimal
    p10: Decimal
    p90: Decimal
    income: Decimal
    expense: Decimal
    variable: Decimal
    prob_below_zero: float
    prob_below_warning: float


class PeriodOut(ResponseBody):
    """One month, week or quarter of the forecast."""

    period: str
    start: dt.date
    opening: Decimal
    income: Decimal
    expense: Decimal
    net: Decimal
    closing: Decimal
    lowest: Decimal
    lowest_date: dt.date


class EventOut(ResponseBody):
    """A known movement in the forecast."""

    date: dt.date
    amount: Decimal
    label: str
    kind: str


class CautiousOut(ResponseBody):
    """Safe to spend on the cautious P10 path (nine times in ten the balance does better)."""

    label: str = "cautious (P10 path)"
    amount: Decimal
    lowest: Decimal
    lowest_date: dt.date


class SafeToSpendOut(ResponseBody):
    """What can leave the account today while the P50 path stays at or above the warning.

    `amount` is the lowest point ahead minus the warning level, never more than `headroom`
    (the balance minus what is `committed` until the next income minus the warning level),
    never below 0.00. `binding_date` is the day that limits it; `drivers` are the known
    items from today through that day and `everyday_spending` the everyday spending over the
    same days. `shortfall` and `reason` are set only when the amount is 0.00.
    """

    amount: Decimal
    balance: Decimal
    committed: Decimal
    warning: Decimal
    next_income: dt.date | None
    commitments: list[EventOut]
    rule: str
    headroom: Decimal
    lowest: Decimal
    lowest_date: dt.date
    binding: Literal["lowest_point", "next_income"]
    binding_date: dt.date
    drivers: list[EventOut]
    everyday_spending: Decimal
    shortfall: Decimal | None
    reason: str | None
    cautious: CautiousOut


class SummaryOut(ResponseBody):
    """The forecast in a few figures."""

    today: dt.date
    end: dt.date
    opening: Decimal
    end_balance: Decimal
    lowest: Decimal
    lowest_date: dt.date
    first_below_zero: dt.date | None
    first_below_warning: dt.date | None
    max_prob_below_zero: float
    max_prob_below_warning: float
    safe_to_spend: SafeToSpendOut


class DriverOut(ResponseBody):
    """An item that drives a month."""

    label: str
    kind: str
    amount: Decimal
    count: int


FlowType = Literal["income", "expense"]
Frequency = Literal["monthly", "weekly", "biweekly", "quarterly", "yearly"]
Day = Annotated[int, Field(ge=1, le=31)]
Ref = Annotated[int, Field(ge=1, le=2**63 - 1)]


class OneOff(RequestBody):
    """A one-off income or expense on a date."""

    op: Literal["one_off"]
    date: UserDate
    amount: PositiveMoney
    type: FlowType = "expense"
    description: str = Field(default="", max_length=120)


class NewFixed(RequestBody):
    """A new fixed item."""

    op: Literal["new_fixed"]
    name: str = Field(min_length=1, max_length=120)
    amount: PositiveMoney
    type: FlowType = "expense"
    frequency: Frequency = "monthly"
    start_date: UserDate
    end_date: UserDate | None = None
    day_of_month: Day | None = None


class ChangeFixed(RequestBody):
    """A fixed item changed by a percentage from a date."""

    op: Literal["change_fixed"]
    fixed_id: Ref
    percent: Annotated[Decimal, Field(gt=-100, le=1000, decimal_places=2)]
    from_date: UserDate


class PauseFixed(RequestBody):
    """A fixed item paused from a date, until a date or for good."""

    op: Literal["pause_fixed"]
    fixed_id: Ref
    from_date: UserDate
    until: UserDate | None = None


class NewInstallment(RequestBody):
    """A new installment purchase."""

    op: Literal["new_installment"]
    name: str = Field(default="Purchase", min_length=1, max_length=120)
    total_amount: PositiveMoney
    payments_count: int = Field(ge=1, le=360)
    first_payment_date: UserDate
    day_of_month: Day | None = None
    type: FlowType = "expense"


class NewLoan(RequestBody):
    """A new loan."""

    op: Literal["new_loan"]
    name: str = Field(default="Loan", min_length=1, max_length=120)
    principal: PositiveMoney
    annual_rate: Rate
    term_months: int = Field(ge=1, le=600)
    first_payment_date: UserDate
    day_of_month: Day | None = None
    method: Literal["spitzer", "equal_principal"] = "spitzer"


class LoanPrepaymentOp(RequestBody):
    """A prepayment of an existing loan."""

    op: Literal["loan_prepayment"]
    loan_id: Ref
    amount: PositiveMoney
    date: UserDate
    mode: Literal["shorten_term", "lower_payment"] = "shorten_term"


class ChangeBudget(RequestBody):
    """A category's budget changed by a percentage from a month on; its forecast follows it."""

    op: Literal["change_budget"]
    category_id: Ref
    percent: Annotated[Decimal, Field(gt=-100, le=1000, decimal_places=2)]
    from_month: Annotated[str, Field(pattern=MONTH_PATTERN, examples=["2027-03"])]


Operation = Annotated[
    OneOff
    | NewFixed
    | ChangeFixed
    | PauseFixed
    | NewInstallment
    | NewLoan
    | LoanPrepaymentOp
    | ChangeBudget,
    Field(discriminator="op"),
]


def operations_payload(operations: list[Any]) -> list[dict[str, Any]]:
    """Operations as the plain JSON the domain stores and applies."""
    return [op.model_dump(mode="json", exclude_none=True) for op in operations]


class WhatIfIn(RequestBody):
    """Operations to try, without saving them."""

    operations: list[Operation] = Field(min_length=1, max_length=50)
    months: int | None = Field(default=None, ge=1, le=36)
    account_id: Id | None = Field(
        default=None,
        description="one account's path (a bank with its cards' statements, a card's"
        " liability); left out: the household's own money",
    )


class ScenarioIn(RequestBody):
    """A named scenario."""

    name: str = Field(min_length=1, max_length=120)
    operations: list[Operation] = Field(default_factory=list, max_length=50)


class ScenarioPatch(RequestBody):
    """Scenario fields to change."""

    name: str | None = Field(default=None, min_length=1, max_length=120)
    operations: list[Operation] | None = Field(default=None, max_length=50)


class ScenarioOut(ResponseBody):
    """A saved scenario."""

    id: int
    name: str
    operations: list[dict[str, Any]]
    created_at: dt.datetime
    updated_at: dt.datetime


class ComparisonMonthOut(ResponseBody):
    """A month of the baseline beside the scenario."""

    period: str
    baseline_closing: Decimal
    scenario_closing: Decimal
    difference: Decimal
    baseline_lowest: Decimal
    scenario_lowest: Decimal


class ComparisonOut(ResponseBody):
    """A scenario compared with the baseline, month by month and in summary."""

    months: list[ComparisonMonthOut]
    baseline: SummaryOut
    scenario: SummaryOut


class CompareIn(RequestBody):
    """A saved scenario or inline operations to compare with the baseline."""

    scenario_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    operations: list[Operation] | None = Field(default=None, max_length=50)
    months: int | None = Field(default=None, ge=1, le=36)
    account_id: Id | None = Field(
        default=None,
        description="one account's path (a bank with its cards' statements, a card's"
        " liability); left out: the household's own money",
    )


class AffordIn(RequestBody):
    """A purchase to test; on a credit card, its installments land on the card's statements."""

    amount: PositiveMoney
    date: UserDate | None = None
    account_id: Id | None = Field(
        default=None,
        description="the account it is paid from; a credit card charges each installment to"
        " its bank on the statement's charge day; left out: the default account",
    )


class AffordOut(ResponseBody):
    """The smallest number of installments that keeps the forecast above the warning level.

    `checked_from` and `checked_through` (inclusive) are the window checked: through a
    month after the last installment, at least the user's forecast horizon and the lowest
    point ahead on the 36-month forecast.
    """

    affordable: bool
    installments: int | None
    monthly_payment: Decimal | None
    lowest: Decimal
    lowest_date: dt.date
    warning: Decimal
    checked_from: dt.date
    checked_through: dt.date
    message: str


class AlertOut(ResponseBody):
    """An alert."""

    id: int
    kind: str
    severity: Literal["info", "warning", "critical"]
    title: str
    message: str
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime
    resolved_at: dt.datetime | None
    read: bool
    snoozed_until: dt.date | None
    dismissed: bool


class SnoozeIn(RequestBody):
    """Until when an alert is hidden."""

    until: UserDate


class CountOut(ResponseBody):
    """A count."""

    count: int


class KpisOut(ResponseBody):
    """The dashboard's headline figures."""

    balance: Decimal
    month_income: Decimal
    month_expense: Decimal
    month_net: Decimal
    forecast_end_balance: Decimal
    forecast_lowest: Decimal
    forecast_lowest_date: dt.date
    safe_to_spend: Decimal
    next_income: dt.date | None
    safe_to_spend_cautious: Decimal
    safe_to_spend_detail: SafeToSpendOut
    has_data: bool


class SeriesRowOut(ResponseBody):
    """Actual income and expenses of one period."""

    start: dt.date
    income: Decimal
    expense: Decimal
    net: Decimal


class CategoryShareOut(ResponseBody):
    """A category's total and share."""

    category_id: int | None
    name: str
    color: str
    total: Decimal
    share: Decimal


class ExpenseOut(ResponseBody):
    """A large expense."""

    id: int
    date: dt.date
    amount: Decimal
    description: str
    category_id: int | None


class HealthOut(ResponseBody):
    """The financial-health score and the formula that gives it.

    With too little history to judge (`status` "not_enough_data"), `score` is null and
    `reason` says what is missing.
    """

    status: Literal["ok", "not_enough_data"]
    score: int | None
    reason: str | None
    savings_rate: Decimal
    buffer_months: Decimal
    debt_ratio: Decimal
    stays_above_warning: bool
    formula: str


class InstallmentSummaryOut(ResponseBody):
    """All plans at a glance."""

    plans: int
    active: int
    remaining_amount: Decimal
    monthly_amount: Decimal


class LoanSummaryOut(ResponseBody):
    """All loans at a glance."""

    loans: int
    remaining_balance: Decimal
    monthly_payment: Decimal
