"""Can I afford it? The fewest installments that keep the P50 path at or above the warning.

Each option (1 to 36 monthly installments from the purchase day) is checked over its own
window: from today through one month after its last installment, and never less than the
user's forecast horizon nor than the lowest point already ahead on the 36-month forecast,
so a purchase cannot pass by stopping short of a low the user's horizon setting hides.
A purchase on a credit card pays each installment on the charge day of the statement
that holds it; its window runs a month past the last charge.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np

from domain.errors import InvalidInputError
from domain.rules.cards import CardCycle, charge_date, statement_close
from domain.rules.forecast import ForecastInputs, horizon_end, median_path
from domain.rules.installments import Payment, installment_dates, installment_schedule

AFFORD_MAX = 36
LOOKAHEAD_MONTHS = 36  # the longest forecast: where "the lowest point ahead" is looked for


@dataclass(frozen=True)
class Affordability:
    """The answer: the fewest installments that work (None: none does) and the window checked.

    `lowest` and `lowest_date` are the P50 low of the option answered (the last one tried
    when none works); `checked_from` and `checked_through` are its window, both inclusive.
    """

    installments: int | None
    monthly_payment: Decimal | None
    lowest: Decimal
    lowest_date: date
    warning: Decimal
    checked_from: date
    checked_through: date


def _landing(day: date, card: CardCycle | None) -> date:
    """When an installment due on a day leaves the bank: that day, or its statement's charge."""
    return day if card is None else charge_date(card, statement_close(card, day))


def card_schedule(plan: list[Payment], card: CardCycle | None) -> list[Payment]:
    """The plan's payments on the days they leave the bank."""
    return [replace(p, date=_landing(p.date, card)) for p in plan]


def window_through(on: date, count: int, at_least: date, *, card: CardCycle | None = None) -> date:
    """The last day an option is checked: a month after its last payment, or `at_least`."""
    last = _landing(installment_dates(on, count, None)[-1], card)
    return max(horizon_end(last, 1) - timedelta(days=1), at_least)


def inputs_end(on: date, horizon_through: date, *, card: CardCycle | None = None) -> date:
    """The exclusive end the forecast inputs must reach so that every option fits.

    36 installments from `on` (today or later) plus a month also cover the 36-month forecast.
    """
    return window_through(on, AFFORD_MAX, horizon_through, card=card) + timedelta(days=1)


def _low_ahead(path: np.ndarray, today: date) -> date:
    """The first day of the lowest point on the 36-month forecast, before any purchase."""
    days = (horizon_end(today, LOOKAHEAD_MONTHS) - today).days
    return today + timedelta(days=int(np.argmin(path[:days])))


def _cents(amount: Decimal) -> int:
    return int(amount.scaleb(2).to_integral_value())


def _with_plan(path: np.ndarray, today: date, plan: list[Payment], through: date) -> np.ndarray:
    """The P50 path through a day, less the plan's payments from their own dates on."""
    paid = np.zeros((through - today).days + 1, dtype=np.int64)
    for payment in plan:
        paid[(payment.date - today).days] += _cents(payment.amount)
    checked: np.ndarray = path[: len(paid)] - np.cumsum(paid)
    return checked


def afford(
    inputs: ForecastInputs,
    amount: Decimal,
    on: date,
    *,
    horizon_through: date,
    card: CardCycle | None = None,
) -> Affordability:
    """The fewest installments (1 to 36) keeping the P50 path at or above the warning level.

    `inputs.end` must reach `inputs_end(on, horizon_through, card=card)`. On a card, each
    installment leaves the bank on its statement's charge day.
    """
    path = median_path(inputs)
    warning = _cents(inputs.warning)
    at_least = max(horizon_through, _low_ahead(path, inputs.today))
    answer = None
    for count in range(1, AFFORD_MAX + 1):
        try:
            plan = card_schedule(installment_schedule(amount, count, on), card)
        except InvalidInputError:
            break  # parts would round to nothing: more installments cannot help
        through = window_through(on, count, at_least, card=card)
        checked = _with_plan(path, inputs.today, plan, through)
        low = int(np.argmin(checked))
        works = int(checked[low]) >= warning
        answer = Affordability(
            count if works else None,
            plan[0].amount if works else None,
            Decimal(int(checked[low])).scaleb(-2),
            inputs.today + timedelta(days=low),
            inputs.warning,
            inputs.today,
            through,
        )
        if works:
            break
    assert answer is not None  # noqa: S101 - one installment always splits
    return answer


def afford_message(answer: Affordability) -> str:
    """The answer in a sentence, with the window it checked (ISO dates, plain amounts)."""
    window = f"checked from {answer.checked_from} through {answer.checked_through}"
    if answer.installments is None:
        return (
            f"No split into 1 to {AFFORD_MAX} installments keeps the forecast at or above "
            f"the warning level of {answer.warning} ({window})."
        )
    return (
        f"Affordable in {answer.installments} installment(s), the first of "
        f"{answer.monthly_payment}; the lowest balance would be {answer.lowest} on "
        f"{answer.lowest_date} ({window})."
    )
