"""Budget rules on literal tables: the amount of a month, rollover, left, per day and pace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidInputError
from domain.i18n import Language
from domain.rules.alert_texts import TEXT, render
from domain.rules.budgets import (
    BudgetDraft,
    BudgetEntry,
    BudgetLine,
    MonthBudget,
    budget_chain,
    budget_conditions,
    check_budget,
    effective_budget,
    pace,
    parse_month,
    per_day_left,
    usual_pattern,
)
from domain.rules.money import D

JAN, FEB, MAR, APR, MAY = (date(2026, m, 1) for m in range(1, 6))


def test_rollover_over_three_months_with_an_overspend() -> None:
    entries = [BudgetEntry(JAN, D("1000.00"), "standing")]
    spent = {JAN: D("800.00"), FEB: D("1300.00"), MAR: D("900.00")}
    chain = budget_chain(entries, spent, MAR, rollover=True)
    #        month  budget     rollover    spent      left
    table = [
        (JAN, "1000.00", "0.00", "800.00", "200.00"),
        (FEB, "1000.00", "200.00", "1300.00", "-100.00"),
        (MAR, "1000.00", "-100.00", "900.00", "0.00"),
    ]
    assert [
        (m.month, str(m.budget), str(m.rollover), str(m.spent), str(m.left)) for m in chain
    ] == [(month, budget, rollover, used, left) for month, budget, rollover, used, left in table]


def test_without_rollover_each_month_stands_alone() -> None:
    entries = [BudgetEntry(JAN, D("1000.00"), "standing")]
    spent = {JAN: D("800.00"), FEB: D("1300.00")}
    chain = budget_chain(entries, spent, MAR, rollover=False)
    assert [(str(m.rollover), str(m.left)) for m in chain] == [
        ("0.00", "200.00"),
        ("0.00", "-300.00"),
        ("0.00", "1000.00"),
    ]


def test_a_month_without_budget_breaks_the_rollover_chain() -> None:
    entries = [BudgetEntry(JAN, D("100.00"), "override"), BudgetEntry(MAR, D("100.00"), "standing")]
    chain = budget_chain(entries, {}, APR, rollover=True)
    assert [(m.month, str(m.rollover)) for m in chain] == [
        (JAN, "0.00"),
        (MAR, "0.00"),
        (APR, "100.00"),
    ]


def test_standing_budget_with_a_one_month_override() -> None:
    entries = [
        BudgetEntry(JAN, D("500.00"), "standing"),
        BudgetEntry(APR, D("600.00"), "standing"),
        BudgetEntry(MAR, D("900.00"), "override"),
    ]
    #        month             effective
    table = [
        (date(2025, 12, 1), None),
        (JAN, "500.00"),
        (FEB, "500.00"),
        (MAR, "900.00"),
        (APR, "600.00"),
        (MAY, "600.00"),
    ]
    for month, expected in table:
        found = effective_budget(entries, month)
        assert (str(found) if found is not None else None) == expected, month


JUNE = date(2026, 6, 1)


def _june(budget: str, spent: str) -> MonthBudget:
    return MonthBudget(JUNE, D(budget), D("0.00"), D(spent))


def test_pace_on_a_hand_made_month_without_history_is_linear() -> None:
    line = _june("1000.00", "400.00")
    found = pace(line, today=date(2026, 6, 10), month_daily={}, pattern=(), typical=D("0.00"))
    # 10 of 30 days done: 400 / (1/3) = 1200; the 800 ahead spread evenly, 40 a day from
    # June 11, passes 1000 on June 26 (400 + 40 * 16 = 1040).
    assert (found.projected, found.overshoot, found.overshoot_day, found.expected_by_now) == (
        D("1200.00"),
        D("200.00"),
        date(2026, 6, 26),
        D("333.33"),
    )
    assert per_day_left(line, date(2026, 6, 10)) == D("28.57")  # 600 over 21 days


def test_pace_follows_the_categorys_usual_pattern() -> None:
    history = {
        date(2026, 4, 1): D("300.00"),
        date(2026, 4, 20): D("300.00"),
        date(2026, 5, 1): D("200.00"),
        date(2026, 5, 20): D("200.00"),
    }
    pattern = usual_pattern(history)
    assert (pattern[0], pattern[18], pattern[19], pattern[30]) == (
        Decimal("0.5"),
        Decimal("0.5"),
        Decimal(1),
        Decimal(1),
    )
    line = _june("800.00", "500.00")
    found = pace(
        line, today=date(2026, 6, 10), month_daily={}, pattern=pattern, typical=D("500.00")
    )
    # half the month's spending is usually done by the 10th: 500 projects 1000, and the
    # second half usually lands on the 20th.
    assert (found.projected, found.overshoot, found.overshoot_day, found.expected_by_now) == (
        D("1000.00"),
        D("200.00"),
        date(2026, 6, 20),
        D("400.00"),
    )


def test_pace_early_in_the_month_adds_the_usual_rest() -> None:
    line = _june("1000.00", "50.00")
    found = pace(line, today=date(2026, 6, 3), month_daily={}, pattern=(), typical=D("900.00"))
    assert (found.projected, found.overshoot, found.overshoot_day) == (
        D("860.00"),  # 50 + 900 * (1 - 3/30)
        D("0.00"),
        None,
    )


def test_overspent_month_names_the_day_it_went_over() -> None:
    line = _june("1000.00", "1100.00")
    daily = {date(2026, 6, 2): D("600.00"), date(2026, 6, 12): D("500.00")}
    found = pace(line, today=date(2026, 6, 15), month_daily=daily, pattern=(), typical=D("0"))
    assert found.overshoot_day == date(2026, 6, 12)
    assert found.projected == D("2200.00")
    assert per_day_left(line, date(2026, 6, 15)) == D("0.00")


def test_a_month_over_projects_what_was_spent_and_has_no_per_day() -> None:
    line = _june("1000.00", "700.00")
    found = pace(line, today=date(2026, 7, 4), month_daily={}, pattern=(), typical=D("900.00"))
    assert (found.projected, found.overshoot) == (D("700.00"), D("0.00"))
    assert per_day_left(line, date(2026, 7, 4)) is None


def test_a_month_not_begun_projects_the_usual_month() -> None:
    line = _june("1000.00", "0.00")
    found = pace(line, today=date(2026, 5, 20), month_daily={}, pattern=(), typical=D("1200.00"))
    assert (found.projected, found.overshoot, found.overshoot_day) == (
        D("1200.00"),
        D("200.00"),
        date(2026, 6, 26),
    )
    assert per_day_left(line, date(2026, 5, 20)) == D("33.33")


@pytest.mark.parametrize(
    ("text", "field"), [("2026-13", "month"), ("2026-00", "month"), ("26-01", "month")]
)
def test_a_month_that_is_not_one_is_refused(text: str, field: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_month(text)
    assert refused.value.field == field


def test_a_budget_may_be_zero_never_negative() -> None:
    assert check_budget(BudgetDraft(1, JAN, D("0"))).amount == D("0.00")
    with pytest.raises(InvalidInputError) as refused:
        check_budget(BudgetDraft(1, JAN, D("-1.00")))
    assert refused.value.field == "amount"
    with pytest.raises(InvalidInputError) as refused:
        check_budget(BudgetDraft(1, date(2026, 1, 2), D("1.00")))
    assert refused.value.field == "month"


def test_budget_alerts_speak_the_readers_language() -> None:
    line = BudgetLine(
        category_id=5,
        month=date(2027, 3, 1),
        budget=D("1000.00"),
        rollover=D("0.00"),
        spent=D("400.00"),
        left=D("600.00"),
        per_day=D("27.27"),
        projected=D("1240.00"),
        overshoot=D("240.00"),
        overshoot_day=date(2027, 3, 25),
        expected_by_now=D("300.00"),
    )
    (heading,) = budget_conditions([line], {5: "Dining out"})
    wording = heading.data[TEXT]
    assert isinstance(wording, dict)
    #  language   title                                   a piece of the message
    table: list[tuple[Language, str, str]] = [
        ("en", "Dining out is heading over budget", "₪1,240.00 this month, ₪240.00 over"),
        ("he", "Dining out בדרך לחרוג מהתקציב", "25/03/2027"),
    ]
    for language, title, piece in table:
        assert render(wording["title"], wording["values"], language, "ILS") == title
        assert piece in render(wording["message"], wording["values"], language, "ILS")
    assert heading.title == "Dining out is heading over budget"  # stored English for the API
