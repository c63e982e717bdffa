"""Alert rules: which conditions hold, each with a stable key so it never piles up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Literal

from domain.rules.backups import is_stale
from domain.rules.forecast import Event
from domain.rules.forecast_views import Summary

Severity = Literal["info", "warning", "critical"]
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


SOURCE_LABELS = {"fixed": "fixed item", "installment": "installment plan", "loan": "loan"}


def _money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def forecast_conditions(
    summary: Summary, *, critical: Decimal, warning: Decimal
) -> list[Condition]:
    """The forecast dips below the critical level (critical) or the warning level (warning)."""
    data: dict[str, object] = {
        "lowest": str(summary.lowest),
        "lowest_date": str(summary.lowest_date),
    }
    low = f"lowest {_money(summary.lowest)} on {summary.lowest_date:%d/%m/%Y}"
    crossing = next((d for d in summary.crossings if d[1] < critical), None)
    if crossing is not None:
        return [
            Condition(
                "forecast_below_critical",
                "forecast_below_zero",
                "critical",
                f"Balance forecast below {_money(critical)}",
                f"Expected to fall below {_money(critical)} on {crossing[0]:%d/%m/%Y} ({low}).",
                {**data, "first_date": str(crossing[0])},
            )
        ]
    if summary.first_below_warning is not None and summary.lowest < warning:
        return [
            Condition(
                "forecast_below_warning",
                "forecast_below_warning",
                "warning",
                f"Balance forecast below {_money(warning)}",
                f"Expected to fall below {_money(warning)} on "
                f"{summary.first_below_warning:%d/%m/%Y} ({low}).",
                {**data, "first_date": str(summary.first_below_warning)},
            )
        ]
    return []


def large_payments(
    events: Sequence[Event], *, today: date, average_income: Decimal, share: Decimal
) -> list[Condition]:
    """Expenses in the next 30 days above a share of the average monthly income."""
    if average_income <= 0:
        return []
    limit = average_income * share
    soon = today + timedelta(days=SOON_DAYS)
    return [
        Condition(
            f"large_payment:{e.kind}:{e.source_id or e.label}:{e.due or e.date}",
            "large_payment",
            "warning",
            f"Large payment coming: {e.label}",
            f"{_money(-e.amount)} on {e.date:%d/%m/%Y}, more than {share:.0%} of your "
            f"average monthly income ({_money(average_income)}).",
            {"date": str(e.date), "amount": str(-e.amount)},
        )
        for e in events
        if e.amount < 0 and today <= e.date <= soon and -e.amount > limit
    ]


def endings(items: Sequence[Ending], *, today: date) -> list[Condition]:
    """Installment plans and loans whose last payment falls within 30 days."""
    soon = today + timedelta(days=SOON_DAYS)
    return [
        Condition(
            f"ends_soon:{item.kind}:{item.source_id}",
            "ends_soon",
            "info",
            f"{item.name} ends soon",
            f"The last payment of {item.name} is on {item.last_date:%d/%m/%Y}.",
            {"last_date": str(item.last_date)},
        )
        for item in items
        if today <= item.last_date <= soon
    ]


def unusual_expenses(items: Sequence[Unusual]) -> list[Condition]:
    """Recent expenses unusually large for their category."""
    return [
        Condition(
            f"unusual:{item.transaction_id}",
            "unusual_expense",
            "warning",
            f"Unusually large {item.category} expense",
            f"{item.description or 'An expense'}: {_money(item.amount)} on "
            f"{item.date:%d/%m/%Y}; {item.category} is usually under {_money(item.typical)}.",
            {"transaction_id": item.transaction_id, "amount": str(item.amount)},
        )
        for item in items
    ]


def backup_conditions(last_verified: datetime | None, now: datetime) -> list[Condition]:
    """For admins: no verified backup within 36 hours."""
    if not is_stale(last_verified, now):
        return []
    when = (
        f"the last one was on {last_verified:%d/%m/%Y %H:%M} UTC" if last_verified else "none yet"
    )
    return [
        Condition(
            "backup_stale",
            "backup_stale",
            "critical",
            "No recent verified backup",
            f"No verified backup within 36 hours ({when}). Run `cashflow backup` or check the "
            "scheduler.",
        )
    ]


def booking_failures(items: Sequence[BookingFailure]) -> list[Condition]:
    """Sources that could not be booked: the user must fix or delete them."""
    return [
        Condition(
            f"booking_failed:{item.kind}:{item.source_id}",
            "booking_failed",
            "critical",
            f"{item.name} could not be booked",
            f'The {SOURCE_LABELS.get(item.kind, item.kind)} "{item.name}" could not be booked '
            f"({item.reason}). Fix or delete it: nothing of it is booked until then, and once "
            "it books again what was missed is booked on its own dates.",
            {"kind": item.kind, "source_id": item.source_id, "reason": item.reason},
        )
        for item in items
    ]
