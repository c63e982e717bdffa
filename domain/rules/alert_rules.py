"""Alert rules: which conditions hold, each with a stable key so it never piles up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal, Protocol

from domain.i18n import N_
from domain.rules.alert_texts import (
    TEXT,
    Value,
    day,
    english,
    moment,
    money,
    percent,
    text,
    wording,
)
from domain.rules.backups import is_stale
from domain.rules.forecast import Event

Severity = Literal["info", "warning", "critical"]


class Lows(Protocol):
    """What the forecast alerts read of a path (a `Summary` or `forecast_lows.PathLows`)."""

    @property
    def lowest(self) -> Decimal: ...  # noqa: D102
    @property
    def lowest_date(self) -> date: ...  # noqa: D102
    @property
    def first_below_warning(self) -> date | None: ...  # noqa: D102
    @property
    def crossings(self) -> tuple[tuple[date, Decimal], ...]: ...  # noqa: D102


SOON_DAYS = 30


@dataclass(frozen=True)
class Condition:
    """A condition that holds now; `key` identifies it across evaluations."""

    key: str
    kind: str
    severity: Severity
    title: str
    message: str
    data: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Ending:
    """An installment plan or loan and its last payment date."""

    kind: str
    source_id: int
    name: str
    last_date: date


@dataclass(frozen=True)
class Unusual:
    """A recent expense far above what its category usually sees."""

    transaction_id: int
    description: str
    category: str
    amount: Decimal
    typical: Decimal
    date: date


@dataclass(frozen=True)
class BookingFailure:
    """A source the booking pass could not book, and why."""

    kind: str
    source_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class CardOverLimit:
    """A credit card whose exposure (obligo) is above its limit."""

    card_id: int
    name: str
    limit: Decimal
    used: Decimal


SOURCE_LABELS = {
    "fixed": N_("fixed item"),
    "installment": N_("installment plan"),
    "loan": N_("loan"),
    "card_statement": N_("credit card"),
}
BELOW_TITLE = N_("Balance forecast below {level}")
BELOW_MESSAGE = N_("Expected to fall below {level} on {date} (lowest {lowest} on {lowest_date}).")
NO_BACKUP = N_("No recent verified backup")


def condition(
    head: tuple[str, str, Severity],
    title: str,
    message: str,
    values: dict[str, Value],
    data: dict[str, object] | None = None,
) -> Condition:
    """A condition whose English texts come from catalog templates kept in its data."""
    key, kind, severity = head
    shown_title, shown_message = english(title, message, values)
    wording_data = {**(data or {}), TEXT: wording(title, message, values)}
    return Condition(key, kind, severity, shown_title, shown_message, wording_data)


def forecast_conditions(summary: Lows, *, critical: Decimal, warning: Decimal) -> list[Condition]:
    """The forecast dips below the critical level (critical) or the warning level (warning)."""
    data: dict[str, object] = {
        "lowest": str(summary.lowest),
        "lowest_date": str(summary.lowest_date),
    }
    low = {"lowest": money(summary.lowest), "lowest_date": day(summary.lowest_date)}
    crossing = next((d for d in summary.crossings if d[1] < critical), None)
    if crossing is not None:
        return [
            condition(
                ("forecast_below_critical", "forecast_below_zero", "critical"),
                BELOW_TITLE,
                BELOW_MESSAGE,
                {"level": money(critical), "date": day(crossing[0]), **low},
                {**data, "first_date": str(crossing[0])},
            )
        ]
    if summary.first_below_warning is not None and summary.lowest < warning:
        return [
            condition(
                ("forecast_below_warning", "forecast_below_warning", "warning"),
                BELOW_TITLE,
                BELOW_MESSAGE,
                {"level": money(warning), "date": day(summary.first_below_warning), **low},
                {**data, "first_date": str(summary.first_below_warning)},
            )
        ]
    return []


def _large_key(e: Event) -> str:
    return f"large_payment:{e.kind}:{e.source_id or e.label}:{e.due or e.date}"


def large_payments(
    events: Sequence[Event], *, today: date, average_income: Decimal, share: Decimal
) -> list[Condition]:
    """Expenses in the next 30 days above a share of the average monthly income."""
    if average_income <= 0:
        return []
    limit = average_income * share
    soon = today + timedelta(days=SOON_DAYS)
    return [
        condition(
            (_large_key(e), "large_payment", "warning"),
            N_("Large payment coming: {label}"),
            N_("{amount} on {date}, more than {share} of your average monthly income ({income})."),
            {
                "label": text(e.label),
                "amount": money(-e.amount),
                "date": day(e.date),
                "share": percent(share),
                "income": money(average_income),
            },
            {"date": str(e.date), "amount": str(-e.amount)},
        )
        for e in events
        if e.amount < 0 and today <= e.date <= soon and -e.amount > limit
    ]


def endings(items: Sequence[Ending], *, today: date) -> list[Condition]:
    """Installment plans and loans whose last payment falls within 30 days."""
    soon = today + timedelta(days=SOON_DAYS)
    return [
        condition(
            (f"ends_soon:{item.kind}:{item.source_id}", "ends_soon", "info"),
            N_("{name} ends soon"),
            N_("The last payment of {name} is on {date}."),
            {"name": text(item.name), "date": day(item.last_date)},
            {"last_date": str(item.last_date)},
        )
        for item in items
        if today <= item.last_date <= soon
    ]


def unusual_expenses(items: Sequence[Unusual]) -> list[Condition]:
    """Recent expenses unusually large for their category."""
    return [
        condition(
            (f"unusual:{item.transaction_id}", "unusual_expense", "warning"),
            N_("Unusually large {category} expense"),
            N_("{description}: {amount} on {date}; {category} is usually under {typical}."),
            {
                "category": text(item.category),
                "description": text(item.description)
                if item.description
                else text(N_("An expense"), translated=True),
                "amount": money(item.amount),
                "date": day(item.date),
                "typical": money(item.typical),
            },
            {"transaction_id": item.transaction_id, "amount": str(item.amount)},
        )
        for item in items
    ]


def backup_conditions(last_verified: datetime | None, now: datetime) -> list[Condition]:
    """For admins: no verified backup within 36 hours."""
    if not is_stale(last_verified, now):
        return []
    if last_verified is None:
        message = N_(
            "No verified backup within 36 hours (none yet). Run `cashflow backup` or check "
            "the scheduler."
        )
        values: dict[str, Value] = {}
    else:
        message = N_(
            "No verified backup within 36 hours (the last one was on {when} UTC). Run "
            "`cashflow backup` or check the scheduler."
        )
        values = {"when": moment(last_verified)}
    return [condition(("backup_stale", "backup_stale", "critical"), NO_BACKUP, message, values)]


def booking_failures(items: Sequence[BookingFailure]) -> list[Condition]:
    """Sources that could not be booked: the user must fix or delete them."""
    return [
        condition(
            (f"booking_failed:{item.kind}:{item.source_id}", "booking_failed", "critical"),
            N_("{name} could not be booked"),
            N_(
                'The {source} "{name}" could not be booked ({reason}). Fix or delete it: '
                "nothing of it is booked until then, and once it books again what was missed "
                "is booked on its own dates."
            ),
            {
                "source": text(SOURCE_LABELS.get(item.kind, item.kind), translated=True),
                "name": text(item.name),
                "reason": text(item.reason, translated=True),
            },
            {"kind": item.kind, "source_id": item.source_id, "reason": item.reason},
        )
        for item in items
    ]


def card_limits(items: Sequence[CardOverLimit]) -> list[Condition]:
    """Credit cards used beyond their limit: allowed, with a warning while it lasts."""
    return [
        condition(
            (f"card_limit:{item.card_id}", "card_limit", "warning"),
            N_("{card} is over its credit limit"),
            N_(
                "{used} of {card}'s {limit} limit is used ({over} over), counting the "
                "statements not charged yet and the installments still to come. The card "
                "company may decline purchases beyond the limit."
            ),
            {
                "card": text(item.name),
                "used": money(item.used),
                "limit": money(item.limit),
                "over": money(item.used - item.limit),
            },
            {"card_id": item.card_id, "used": str(item.used), "limit": str(item.limit)},
        )
        for item in items
        if item.used > item.limit
    ]
