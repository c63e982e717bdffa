"""Budget rules: what a budget is, which amount applies to a month, rollover, left and pace.

A budget is an amount per expense category per month: a standing amount from a month on,
or an override for one month. Months are the first day of the month. Pure: today and the
spending are arguments.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from domain.errors import InvalidInputError
from domain.i18n import N_
from domain.rules import alert_texts
from domain.rules.alert_rules import Condition, condition
from domain.rules.dates import EARLIEST_DATE, LATEST_DATE
from domain.rules.forecast import CategoryHistory, SpendingPlan
from domain.rules.money import CENT, MAX_INTEGER_DIGITS, ZERO, round_money
from domain.rules.recurrence import add_months

BudgetKind = Literal["standing", "override"]
BUDGET_KINDS: tuple[BudgetKind, ...] = ("standing", "override")
ForecastMode = Literal["history", "budget", "lower"]
FORECAST_MODES: tuple[ForecastMode, ...] = ("history", "budget", "lower")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = EARLIEST_DATE.year, LATEST_DATE.year  # every date's range
# Before this share of a month's usual spending is done, spending so far says too little
# about the month: the projection adds the usual rest of the month instead of scaling up.
PACE_MIN_SHARE = Decimal("0.2")
ONE = Decimal(1)


@dataclass(frozen=True)
class BudgetDraft:
    """A budget as entered: a standing amount from `month` on, or one month's override."""

    category_id: int
    month: date
    amount: Decimal
    kind: BudgetKind = "standing"


@dataclass(frozen=True)
class BudgetEntry:
    """A stored budget amount of one category."""

    month: date
    amount: Decimal
    kind: BudgetKind


def parse_month(text: str, *, field_name: str = "month") -> date:
    """A `YYYY-MM` text as the first day of that month; 2026-13 is refused."""
    match = MONTH_RE.match(text)
    if not match:
        raise InvalidInputError(field_name, N_("must be a month such as 2027-01 (YYYY-MM)"))
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise InvalidInputError(field_name, N_("month must be 01 to 12"))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInputError(field_name, f"year must be {FIRST_YEAR} to {LAST_YEAR}")
    return date(year, month, 1)


def month_of(day: date) -> date:
    """The first day of the day's month."""
    return day.replace(day=1)


def next_month(month: date, months: int = 1) -> date:
    """The first day of the month `months` after this one."""
    return date(*add_months(month.year, month.month, months), 1)


def month_end(month: date) -> date:
    """The last day of the month."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def check_budget(draft: BudgetDraft) -> BudgetDraft:
    """Refuse a draft that breaks a rule, naming the field; zero is allowed (no spending)."""
    amount = draft.amount
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InvalidInputError("amount", N_("must be a decimal amount"))
    if amount < ZERO:
        raise InvalidInputError("amount", N_("must not be negative"))
    if amount != amount.quantize(CENT):
        raise InvalidInputError("amount", N_("at most 2 decimal places"))
    if amount >= Decimal(10) ** MAX_INTEGER_DIGITS:
        raise InvalidInputError("amount", f"at most {MAX_INTEGER_DIGITS} integer digits")
    if draft.kind not in BUDGET_KINDS:
        raise InvalidInputError("kind", N_("must be 'standing' or 'override'"))
    if draft.month.day != 1 or not FIRST_YEAR <= draft.month.year <= LAST_YEAR:
        raise InvalidInputError("month", N_("must be a month such as 2027-01 (YYYY-MM)"))
    return BudgetDraft(draft.category_id, draft.month, amount.quantize(CENT), draft.kind)


def effective_budget(entries: Iterable[BudgetEntry], month: date) -> Decimal | None:
    """The month's override, else the latest standing amount from on or before it."""
    standing: BudgetEntry | None = None
    for entry in entries:
        if entry.kind == "override" and entry.month == month:
            return entry.amount
        later = standing is None or entry.month > standing.month
        if entry.kind == "standing" and entry.month <= month and later:
            standing = entry
    return standing.amount if standing else None


@dataclass(frozen=True)
class MonthBudget:
    """One month of a category: its budget, what rolled in, what was spent and what is left."""

    month: date
    budget: Decimal
    rollover: Decimal
    spent: Decimal

    @property
    def available(self) -> Decimal:
        """Budget plus rollover."""
        return self.budget + self.rollover

    @property
    def left(self) -> Decimal:
        """Budget plus rollover minus spent (negative when overspent)."""
        return self.available - self.spent


def budget_chain(
    entries: Sequence[BudgetEntry],
    spent: Mapping[date, Decimal],
    through: date,
    *,
    rollover: bool,
) -> list[MonthBudget]:
    """Every month from the first budgeted one through `through`, with rollover carried.

    With rollover, a month's left (unspent, or negative when overspent) rolls into the next
    month; a month without any budget breaks the chain and rolls nothing.
    """
    if not entries:
        return []
    month = min(e.month for e in entries)
    chain: list[MonthBudget] = []
    carried = ZERO
    while month <= through:
        amount = effective_budget(entries, month)
        if amount is None:
            carried = ZERO
        else:
            line = MonthBudget(month, amount, carried, spent.get(month, ZERO))
            chain.append(line)
            carried = line.left if rollover else ZERO
        month = next_month(month)
    return chain


def usual_pattern(daily: Mapping[date, Decimal]) -> tuple[Decimal, ...]:
    """The usual share of a month's spending done by the end of each day (31 values).

    The average, over the months with spending, of each month's running share; days after
    a short month's end count as done. Empty when there is no history.
    """
    months: dict[date, dict[int, Decimal]] = defaultdict(dict)
    for day, amount in daily.items():
        months[month_of(day)][day.day] = months[month_of(day)].get(day.day, ZERO) + amount
    shares: list[list[Decimal]] = []
    for days in months.values():
        total = sum(days.values(), ZERO)
        if total <= ZERO:
            continue
        running, row = ZERO, []
        for d in range(1, 32):
            running += days.get(d, ZERO)
            row.append(running / total)
        shares.append(row)
    if not shares:
        return ()
    return tuple(sum(column, Decimal(0)) / len(shares) for column in zip(*shares, strict=True))


def share_by(pattern: Sequence[Decimal], day: date) -> Decimal:
    """The usual share of the month's spending done by the end of `day` (linear without one)."""
    length = calendar.monthrange(day.year, day.month)[1]
    if day.day >= length:
        return ONE
    if not pattern:
        return Decimal(day.day) / Decimal(length)
    return min(pattern[day.day - 1], ONE)


@dataclass(frozen=True)
class Pace:
    """Where a month is heading: the projected month-end spending and any overshoot."""

    projected: Decimal
    overshoot: Decimal
    overshoot_day: date | None
    expected_by_now: Decimal


def project_spending(spent: Decimal, share: Decimal, typical: Decimal) -> Decimal:
    """Month-end spending: spending so far scaled by the usual share done by now.

    Early in the month (share under PACE_MIN_SHARE), the usual rest of the month is added
    instead, so one early purchase does not project a month of them.
    """
    if share >= ONE:
        return spent
    if share >= PACE_MIN_SHARE:
        return max(round_money(spent / share), spent)
    return round_money(spent + typical * (ONE - share))


def pace(
    line: MonthBudget,
    *,
    today: date,
    month_daily: Mapping[date, Decimal],
    pattern: Sequence[Decimal],
    typical: Decimal,
) -> Pace:
    """The month's pace as of `today` (spending counted through today).

    A month not begun yet is all ahead of it; a month over is what was spent.
    """
    start, last = line.month, month_end(line.month)
    as_of = min(max(today, start - timedelta(days=1)), last)
    done = ZERO if as_of < start else share_by(pattern, as_of)
    projected = project_spending(line.spent, done, typical)
    available = line.available
    overshoot = max(projected - available, ZERO)
    expected = round_money(max(available, ZERO) * done)
    if overshoot <= ZERO:
        return Pace(projected, ZERO, None, expected)
    if line.spent > available:
        return Pace(projected, overshoot, _day_passed(month_daily, start, available), expected)
    day = _day_reached(line, projected, done, as_of, pattern)
    return Pace(projected, overshoot, day, expected)


def _day_passed(month_daily: Mapping[date, Decimal], start: date, available: Decimal) -> date:
    """The day actual spending went over what was available."""
    running = ZERO
    for day in sorted(d for d in month_daily if d >= start):
        running += month_daily[day]
        if running > available:
            return day
    return start


def _day_reached(
    line: MonthBudget, projected: Decimal, done: Decimal, as_of: date, pattern: Sequence[Decimal]
) -> date:
    """The first day ahead when the projected running spending passes what is available.

    The rest of the projection is spread over the rest of the month by the usual pattern.
    """
    spent, available, last = line.spent, line.available, month_end(line.month)
    rest, ahead = projected - spent, ONE - done
    day = as_of + timedelta(days=1)
    while day < last:
        running = spent + rest * (share_by(pattern, day) - done) / ahead
        if running > available:
            return day
        day += timedelta(days=1)
    return last


def per_day_left(line: MonthBudget, today: date) -> Decimal | None:
    """What is left spread over the month's days still to come, today included.

    None for a month that is over; never below zero.
    """
    last = month_end(line.month)
    if today > last:
        return None
    first = max(today, line.month)
    days = (last - first).days + 1
    return round_money(max(line.left, ZERO) / days)


def median(values: Sequence[Decimal]) -> Decimal:
    """The median of amounts (mean of the middle two when even); zero when empty."""
    ordered = sorted(values)
    if not ordered:
        return ZERO
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return round_money((ordered[middle - 1] + ordered[middle]) / 2)


@dataclass(frozen=True)
class BudgetLine:
    """A category's month against its budget, as the summary shows it."""

    category_id: int
    month: date
    budget: Decimal
    rollover: Decimal
    spent: Decimal
    left: Decimal
    per_day: Decimal | None
    projected: Decimal
    overshoot: Decimal
    overshoot_day: date | None
    expected_by_now: Decimal


def budget_line(
    category_id: int,
    line: MonthBudget,
    *,
    today: date,
    history_daily: Mapping[date, Decimal],
    monthly_history: Sequence[Decimal],
) -> BudgetLine:
    """A category's line of the month's summary, its pace learned from its history.

    `history_daily` holds the category's spending per day, the month's own days included
    (they name the day an overspend happened); the usual pattern is learned from the days
    before the month only.
    """
    before = {d: a for d, a in history_daily.items() if d < line.month}
    found = pace(
        line,
        today=today,
        month_daily={d: a for d, a in history_daily.items() if month_of(d) == line.month},
        pattern=usual_pattern(before),
        typical=median(monthly_history),
    )
    return BudgetLine(
        category_id,
        line.month,
        line.budget,
        line.rollover,
        line.spent,
        line.left,
        per_day_left(line, today),
        found.projected,
        found.overshoot,
        found.overshoot_day,
        found.expected_by_now,
    )


def spending_plans(
    *,
    today: date,
    end: date,
    modes: Mapping[int, ForecastMode],
    entries: Mapping[int, Sequence[BudgetEntry]],
    spent_this_month: Mapping[int, Decimal],
    history: Sequence[CategoryHistory],
) -> tuple[SpendingPlan, ...]:
    """The categories whose forecast follows their budget rather than their history.

    `budget` follows a budgeted category's budget; `lower` follows it only when it is below
    the category's usual (median) month. The rest of this month is the budget minus what
    was spent already; a later month without a budget falls back to the usual month.
    """
    usual = {h.category_id: h.median() for h in history}
    this, last = month_of(today), month_of(end - timedelta(days=1))
    months = (last.year - this.year) * 12 + last.month - this.month + 1
    plans = []
    for category_id, mode in sorted(modes.items()):
        found = entries.get(category_id, ())
        budget = effective_budget(found, this)
        typical = usual.get(category_id, ZERO)
        if mode == "history" or budget is None or (mode == "lower" and budget >= typical):
            continue
        later = (effective_budget(found, next_month(this, k)) for k in range(1, months))
        plans.append(
            SpendingPlan(
                category_id,
                max(budget - spent_this_month.get(category_id, ZERO), ZERO),
                tuple(typical if amount is None else amount for amount in later),
            )
        )
    return tuple(plans)


def budget_conditions(lines: Iterable[BudgetLine], names: Mapping[int, str]) -> list[Condition]:
    """This month's budgets: already overspent (warning), or heading over at its pace (info).

    Keyed by category and month, so each is raised once a month, and resolved when the
    pace drops or the month ends (the next month's key is another condition).
    """
    found = []
    for line in lines:
        name = names.get(line.category_id, str(line.category_id))
        key = f"{line.category_id}:{line.month:%Y-%m}"
        data: dict[str, object] = {
            "category_id": line.category_id,
            "month": f"{line.month:%Y-%m}",
            "budget": str(line.budget + line.rollover),
            "spent": str(line.spent),
            "projected": str(line.projected),
        }
        values = {
            "name": alert_texts.text(name),
            "spent": alert_texts.money(line.spent),
            "budget": alert_texts.money(line.budget + line.rollover),
            "over": alert_texts.money(-line.left),
            "projected": alert_texts.money(line.projected),
            "overshoot": alert_texts.money(line.overshoot),
        }
        if line.left < ZERO:
            found.append(
                condition(
                    (f"budget_overspent:{key}", "budget_overspent", "warning"),
                    N_("{name} is over budget"),
                    N_("{spent} spent of {budget} this month, {over} over."),
                    values,
                    data,
                )
            )
        elif line.overshoot > ZERO and line.overshoot_day is not None:
            found.append(
                condition(
                    (f"budget_overshoot:{key}", "budget_overshoot", "info"),
                    N_("{name} is heading over budget"),
                    N_(
                        "At this pace {name} reaches {projected} this month, {overshoot} over "
                        "its budget, passing it on {date}."
                    ),
                    {**values, "date": alert_texts.day(line.overshoot_day)},
                    {**data, "overshoot_day": str(line.overshoot_day)},
                )
            )
    return found


def most_at_risk(lines: Iterable[BudgetLine], count: int = 3) -> list[BudgetLine]:
    """The budgets heading furthest over: projected spending against what is available.

    Overspent ones come first; a budget of zero with any spending counts as furthest over.
    """

    def risk(line: BudgetLine) -> tuple[bool, Decimal]:
        available = line.budget + line.rollover
        if available <= ZERO:
            return (line.spent > ZERO, line.projected)
        return (line.left < ZERO, line.projected / available)

    return sorted(lines, key=risk, reverse=True)[:count]


CHANGE_BUDGET = "change_budget"


@dataclass(frozen=True)
class BudgetChange:
    """A scenario's change of a category's budget by a percentage from a month on."""

    index: int
    category_id: int
    from_month: date
    factor: Decimal


def budget_changes(operations: Sequence[Mapping[str, object]]) -> list[BudgetChange]:
    """The scenario operations that change a budget, checked; the index names a bad one."""
    found = []
    for index, op in enumerate(operations):
        if op.get("op") != CHANGE_BUDGET:
            continue
        category_id, percent = op.get("category_id"), str(op.get("percent", "0"))
        if isinstance(category_id, bool) or not isinstance(category_id, int):
            raise InvalidInputError("category_id", N_("a category id"), index=index)
        try:
            factor = 1 + Decimal(percent) / 100
        except ArithmeticError as exc:
            raise InvalidInputError("percent", N_("a number"), index=index) from exc
        if not factor.is_finite() or factor < 0:
            raise InvalidInputError("percent", N_("must be -100 or more"), index=index)
        month = parse_month(str(op.get("from_month", "")), field_name="from_month")
        found.append(BudgetChange(index, category_id, month, factor))
    return found


def change_entries(
    entries: Sequence[BudgetEntry], from_month: date, factor: Decimal
) -> list[BudgetEntry]:
    """The entries with every amount from `from_month` on scaled by `factor` (earlier kept)."""
    standing = [e for e in entries if e.kind == "standing"]
    in_effect = effective_budget(standing, from_month)
    changed = [
        e if e.month < from_month else replace(e, amount=round_money(e.amount * factor))
        for e in entries
    ]
    starts = any(e.kind == "standing" and e.month == from_month for e in entries)
    if in_effect is not None and not starts:
        changed.append(BudgetEntry(from_month, round_money(in_effect * factor), "standing"))
    return changed
