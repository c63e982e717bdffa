"""A card's statements and exposure from the data in PostgreSQL: lines, totals, status, limit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import Alert, Household
from domain.errors import InvalidInputError, NotFoundError
from domain.rules.alert_texts import render
from domain.rules.card_views import Exposure
from domain.rules.currency import MissingRateError
from domain.services import alerts, fixed, installment_plans
from domain.services.accounts import default_account, get_account
from domain.services.booking import run_booking_pass
from domain.services.forecasting import forecast_for
from domain.services.rates import RateDraft, set_rate
from domain.services.statements import (
    CardStatements,
    StatementView,
    card_exposure,
    card_statements,
    household_exposures,
)
from tests.card_builders import make_card, on_card, pay_by_hand
from tests.conftest import home_of, make_user

D = Decimal
NOW = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)


def _pass(session: Session, as_of: date) -> None:
    report = run_booking_pass(session, now=NOW, as_of=as_of)
    assert not report.errors


def _figures(s: StatementView) -> tuple[str, str, str, Decimal, Decimal, Decimal, Decimal, Decimal]:
    return (
        s.closes.isoformat(),
        s.charge.isoformat(),
        s.status,
        s.purchases,
        s.refunds,
        s.carried_in,
        s.total,
        s.carried,
    )


def _all(found: CardStatements) -> list[StatementView]:
    return [*found.past, found.open, *found.coming]


def _lines(s: StatementView) -> list[tuple[str, Decimal, str, str, bool]]:
    return [(x.date.isoformat(), x.amount, x.type, x.description, x.planned) for x in s.lines]


def _cycle_data(session: Session, home: Household) -> int:
    """Close day 10, charge day 2; purchases and refunds around the closes, a subscription."""
    card = make_card(session, home, added_on=date(2027, 1, 1))
    on_card(session, home, card, date(2027, 2, 5), "30.00", refund=True, description="Returned")
    on_card(session, home, card, date(2027, 2, 10), "100.00", description="On the close day")
    on_card(session, home, card, date(2027, 2, 11), "40.00", description="The day after")
    on_card(session, home, card, date(2027, 3, 1), "25.00", refund=True, description="Refund")
    on_card(session, home, card, date(2027, 3, 12), "60.00", description="Lamp")
    pay_by_hand(session, home, card, date(2027, 3, 14), "20.00")
    on_card(session, home, card, date(2027, 3, 20), "100.00", refund=True, description="Big")
    fixed.create_fixed(
        session,
        home,
        name="Streaming",
        amount=D("50.00"),
        type="expense",
        frequency="monthly",
        start_date=date(2027, 4, 15),
        account_id=card.id,
    )
    return card.id


def test_statement_lines_and_totals_follow_the_card_cycle(
    session: Session, household: Household
) -> None:
    card_id = _cycle_data(session, household)
    found = card_statements(session, household, card_id, date(2027, 3, 15), past=3, coming=3)
    assert [_figures(s) for s in _all(found)] == [
        # close       charge        status     bought      returned    in         total      out
        ("2027-01-10", "2027-02-02", "closed", D("0"), D("0"), D("0"), D("0"), D("0")),
        ("2027-02-10", "2027-03-02", "closed", D("100.00"), D("30.00"), D("0"), D("70.00"), D("0")),
        ("2027-03-10", "2027-04-02", "closed", D("40.00"), D("25.00"), D("0"), D("15.00"), D("0")),
        # a refund larger than the cycle's purchases carries its credit to the next statements
        ("2027-04-10", "2027-05-02", "open", D("60.00"), D("120.00"), D("0"), D("0"), D("60.00")),
        ("2027-05-10", "2027-06-02", "coming", D("50.00"), D("0"), D("60.00"), D("0"), D("10.00")),
        ("2027-06-10", "2027-07-02", "coming", D("50.00"), D("0"), D("10.00"), D("40.00"), D("0")),
        ("2027-07-10", "2027-08-02", "coming", D("50.00"), D("0"), D("0"), D("50.00"), D("0")),
    ]
    feb, mar, apr, may = _all(found)[1:5]
    assert _lines(feb) == [  # the refund of the same cycle, the purchase on the close day
        ("2027-02-05", D("30.00"), "income", "Returned", False),
        ("2027-02-10", D("100.00"), "expense", "On the close day", False),
    ]
    assert _lines(mar) == [  # the day after the close; a refund in the next cycle
        ("2027-02-11", D("40.00"), "expense", "The day after", False),
        ("2027-03-01", D("25.00"), "income", "Refund", False),
    ]
    assert _lines(apr) == [
        ("2027-03-12", D("60.00"), "expense", "Lamp", False),
        ("2027-03-14", D("20.00"), "income", "Payment", False),
        ("2027-03-20", D("100.00"), "income", "Big", False),
    ]
    assert _lines(may) == [("2027-04-15", D("50.00"), "expense", "Streaming", True)]
    assert (found.card_id, found.currency) == (card_id, "ILS")
    assert all(s.transfer_id is None and s.charged_amount is None for s in _all(found))


def test_once_charged_a_statement_says_so_and_older_empty_ones_are_history(
    session: Session, household: Household
) -> None:
    card_id = _cycle_data(session, household)
    _pass(session, date(2027, 3, 15))  # charges February's statement on 2 March
    found = card_statements(session, household, card_id, date(2027, 3, 15), past=3, coming=0)
    jan, feb, mar = found.past
    assert (jan.status, feb.status, mar.status, found.open.status) == (
        "history",
        "charged",
        "closed",
        "open",
    )
    assert feb.transfer_id is not None
    assert feb.charged_amount == feb.total == D("70.00")
    assert (mar.transfer_id, mar.charged_amount) == (None, None)
    assert found.coming == ()


def test_a_plan_places_one_part_on_each_of_twelve_statements(
    session: Session, household: Household
) -> None:
    card = make_card(session, household, added_on=date(2027, 4, 1))
    installment_plans.create_plan(
        session,
        household,
        name="TV",
        total_amount=D("1000.00"),
        payments_count=12,
        first_payment_date=date(2027, 4, 20),
        account_id=card.id,
    )
    before = card_statements(session, household, card.id, date(2027, 4, 1), past=0, coming=12)
    assert before.open.lines == ()  # the first part, on 20 April, closes on 10 May
    parts = [_lines(s) for s in before.coming]
    assert [s.closes for s in before.coming] == [
        date(2027 + (4 + k) // 12, (4 + k) % 12 + 1, 10) for k in range(12)
    ]
    assert [[(day, text, planned) for day, _, _, text, planned in p] for p in parts] == [
        [(date(2027 + (3 + k) // 12, (3 + k) % 12 + 1, 20).isoformat(), f"TV ({k + 1}/12)", True)]
        for k in range(12)
    ]
    assert sum(s.total for s in before.coming) == D("1000.00")
    # Booked parts are lines of the card: each part still lies on one statement, once.
    _pass(session, date(2027, 6, 15))
    after = card_statements(session, household, card.id, date(2027, 6, 15), past=2, coming=10)
    statements = _all(after)
    assert [len(s.lines) for s in statements] == [1] * 12 + [0]
    assert [s.lines[0].planned for s in statements[:12]] == [False, False] + [True] * 10
    assert sum(s.purchases for s in statements) == D("1000.00")
    assert statements[0].status == "charged"  # May's statement, with the first part


def test_another_households_card_is_not_found_and_a_bank_has_no_statements(
    session: Session, settings: Settings, household: Household
) -> None:
    card = make_card(session, household, added_on=date(2027, 1, 1))
    stranger = home_of(session, make_user(session, settings))
    with pytest.raises(NotFoundError) as missing:
        card_statements(session, stranger, card.id, date(2027, 3, 15))
    assert missing.value.status_code == 404
    bank = default_account(session, household)
    with pytest.raises(InvalidInputError) as refused:
        card_statements(session, household, bank.id, date(2027, 3, 15))
    assert (refused.value.status_code, refused.value.field) == (422, "account_id")
    with pytest.raises(InvalidInputError) as bad:
        card_statements(session, household, card.id, date(2027, 3, 15), past=-1)
    assert bad.value.field == "past"
    with pytest.raises(NotFoundError):
        card_exposure(session, stranger, card, date(2027, 3, 15))


def _exposure_data(session: Session, home: Household, limit: str | None) -> int:
    card = make_card(session, home, added_on=date(2027, 1, 1), limit=limit)
    on_card(session, home, card, date(2027, 2, 5), "80.00")  # charged on 2 March
    on_card(session, home, card, date(2027, 2, 20), "300.00")  # closed 10 March, not charged
    on_card(session, home, card, date(2027, 3, 14), "200.00")  # the open statement
    installment_plans.create_plan(
        session,
        home,
        name="Sofa",
        total_amount=D("600.00"),
        payments_count=6,
        first_payment_date=date(2027, 3, 12),
        account_id=card.id,
    )
    fixed.create_fixed(  # a subscription is not used credit until it is booked
        session,
        home,
        name="Streaming",
        amount=D("50.00"),
        type="expense",
        frequency="monthly",
        start_date=date(2027, 4, 5),
        account_id=card.id,
    )
    _pass(session, date(2027, 3, 15))  # books the first part and February's charge
    return card.id


def test_exposure_is_what_is_not_charged_yet_and_the_parts_to_come(
    session: Session, household: Household
) -> None:
    card_id = _exposure_data(session, household, "1000.00")
    card = get_account(session, household, card_id)
    today = date(2027, 3, 15)
    assert card_exposure(session, household, card, today) == Exposure(
        limit=D("1000.00"),
        awaiting_charge=D("300.00"),  # March's statement, charged on 2 April
        open_statement=D("300.00"),  # 200.00 bought + the plan's first part
        coming=D("500.00"),  # five parts still to come
        used=D("1100.00"),
        available=D("-100.00"),
    )
    assert card_exposure(session, household, card, today).over_limit
    pay_by_hand(session, household, card, date(2027, 3, 15), "300.00")
    eased = household_exposures(session, household, today)[card_id]
    assert (eased.open_statement, eased.used, eased.available) == (D("0"), D("800.00"), D("200.00"))
    assert not eased.over_limit


def test_exposure_without_a_limit_has_nothing_available_to_say(
    session: Session, household: Household
) -> None:
    card_id = _exposure_data(session, household, None)
    exposure = household_exposures(session, household, date(2027, 3, 15))[card_id]
    assert (exposure.used, exposure.limit, exposure.available) == (D("1100.00"), None, None)
    assert not exposure.over_limit


def _card_alerts(session: Session, home: Household) -> list[Alert]:
    return list(
        session.scalars(
            select(Alert).where(
                Alert.household_id == home.id,
                Alert.kind == "card_limit",
                Alert.resolved_at.is_(None),
            )
        )
    )


def test_a_card_over_its_limit_warns_and_the_warning_goes_once_paid(
    session: Session, household: Household
) -> None:
    card_id = _exposure_data(session, household, "1000.00")
    today = date(2027, 3, 15)
    alerts.refresh_alerts(session, household, today, NOW, force=True)
    [alert] = _card_alerts(session, household)
    assert (alert.key, alert.severity) == (f"card_limit:{card_id}", "warning")
    assert alert.title == "Visa is over its credit limit"
    assert alert.message.startswith("1,100.00 of Visa's 1,000.00 limit is used (100.00 over)")
    assert alert.data["card_id"] == card_id
    wording = alert.data["text"]
    assert isinstance(wording, dict)
    hebrew = render(wording["title"], wording["values"], "he", "ILS")
    assert "Visa" in hebrew
    assert hebrew != alert.title
    card = get_account(session, household, card_id)
    pay_by_hand(session, household, card, today, "300.00")  # a payment by hand frees credit
    alerts.refresh_alerts(session, household, today, NOW)
    assert _card_alerts(session, household) == []


def test_a_purchase_in_another_currency_counts_in_the_cards_at_its_days_rate(
    session: Session, household: Household
) -> None:
    """Dollars on a shekel card: statement, charge and forecast in shekels; no rate, no sum.

    A purchase and a subscription, each at its own day's rate.
    """
    card = make_card(session, household, added_on=date(2027, 1, 1))  # closes 10th, charged 2nd
    set_rate(session, household, RateDraft(date(2027, 3, 1), "USD", D("3.7")))
    set_rate(session, household, RateDraft(date(2027, 3, 7), "USD", D("3.6")))
    on_card(
        session, household, card, date(2027, 3, 5), "100.00", description="Hotel", currency="USD"
    )
    on_card(session, household, card, date(2027, 3, 6), "30.00", description="Coffee")
    fixed.create_fixed(
        session,
        household,
        name="Cloud",
        amount=D("10.00"),
        type="expense",
        frequency="monthly",
        start_date=date(2027, 3, 20),
        currency="USD",
        account_id=card.id,
    )
    found = card_statements(session, household, card.id, date(2027, 3, 8), past=0, coming=1)
    assert _figures(found.open)[3:] == (D("400.00"), D("0"), D("0"), D("400.00"), D("0"))
    assert _lines(found.open) == [
        ("2027-03-05", D("370.00"), "expense", "Hotel", False),
        ("2027-03-06", D("30.00"), "expense", "Coffee", False),
    ]
    assert _lines(found.coming[0]) == [("2027-03-20", D("36.00"), "expense", "Cloud", True)]
    forecast = forecast_for(session, household, date(2027, 3, 8))
    debits = {(e.date, e.amount) for e in forecast.events if e.kind == "card_statement"}
    assert (date(2027, 4, 2), D("-400.00")) in debits
    assert (date(2027, 5, 2), D("-36.00")) in debits
    _pass(session, date(2027, 4, 2))
    charged = card_statements(session, household, card.id, date(2027, 4, 2), past=1, coming=0)
    assert (charged.past[0].status, charged.past[0].charged_amount) == ("charged", D("400.00"))
    on_card(session, household, card, date(2027, 4, 3), "5.00", currency="EUR")
    with pytest.raises(MissingRateError, match="EUR"):
        card_statements(session, household, card.id, date(2027, 4, 5))
