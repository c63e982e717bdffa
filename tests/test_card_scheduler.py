"""The booking pass charges card statements: once, on their own charge days, through downtime."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.card_bookings import book_charges, load_cards
from domain.db.engine import unit_of_work
from domain.db.models import (
    Account,
    Household,
    HouseholdSettings,
    JobRun,
    Transaction,
    Transfer,
)
from domain.services import fixed
from domain.services.accounts import default_account
from domain.services.booking import PassReport, SourceFailure, run_booking_pass
from domain.services.jobs import job_runs_for_household
from domain.services.rates import RateDraft, set_rate
from domain.services.statements import card_statements, charges_due
from domain.services.transfers import delete_transfer
from jobs.passes import hourly_booking_pass
from tests.card_builders import charges, make_card, on_card, statement_keys
from tests.conftest import forget_people, home_of, make_user

D = Decimal
NOW = datetime(2027, 5, 1, 9, 0, tzinfo=UTC)


def _pass(session: Session, as_of: date) -> PassReport:
    report = run_booking_pass(session, now=NOW, as_of=as_of)
    assert not report.errors, report.errors
    return report


def _watermark(session: Session, card: Account) -> date | None:
    return session.scalar(select(Account.booked_through).where(Account.id == card.id))


def _spring(session: Session, home: Household) -> Account:
    """Close day 10, charge day 2: a purchase in April's cycle, one in June's, a subscription.

    Added on 1 May, so the statement closed on 10 April (charged 2 May) is still to charge.
    """
    card = make_card(session, home, added_on=date(2027, 5, 1))
    on_card(session, home, card, date(2027, 4, 5), "120.00", description="Shoes")
    on_card(session, home, card, date(2027, 5, 15), "80.00", description="Books")
    fixed.create_fixed(
        session,
        home,
        name="Streaming",
        amount=D("40.00"),
        type="expense",
        frequency="monthly",
        start_date=date(2027, 5, 20),
        account_id=card.id,
    )
    return card


def test_each_statement_is_charged_once_on_its_own_day_through_downtime(
    session: Session, household: Household
) -> None:
    card = _spring(session, household)
    bank = default_account(session, household).id
    assert _watermark(session, card) == date(2027, 3, 10)
    assert _pass(session, date(2027, 5, 1)).charged == {}  # April's charge day is tomorrow
    # down on 2, 3 and 4 May; up again on the 5th
    report = _pass(session, date(2027, 5, 5))
    assert report.charged == {household.id: 1}
    assert charges(session, card) == [("2027-05-02", D("120.00"), bank, "Visa (10/04/2027)")]
    assert _pass(session, date(2027, 5, 5)).charged == {}  # a second pass books nothing
    # down for ten weeks: June's statement holds the books and the subscription's first
    # month, booked by this same pass before the statement is charged on 2 July
    report = _pass(session, date(2027, 7, 20))
    assert report.booked[household.id] == 3  # the subscription on 20 May, June and July
    assert charges(session, card) == [
        ("2027-05-02", D("120.00"), bank, "Visa (10/04/2027)"),
        ("2027-07-02", D("120.00"), bank, "Visa (10/06/2027)"),
    ]
    assert statement_keys(session, card) == [("2027-04-10", True), ("2027-06-10", True)]
    assert _watermark(session, card) == date(2027, 6, 10)  # July's is charged on 2 August
    for as_of in (date(2027, 7, 20), date(2027, 7, 21)):
        assert _pass(session, as_of).charged == {}
    assert len(charges(session, card)) == 2


def test_a_deleted_charge_stays_deleted(session: Session, household: Household) -> None:
    card = _spring(session, household)
    _pass(session, date(2027, 5, 5))
    [transfer_id] = session.scalars(select(Transfer.id).where(Transfer.to_account_id == card.id))
    delete_transfer(session, household, transfer_id)
    _pass(session, date(2027, 5, 5))
    # even a pass that starts the card from scratch (watermark reset) books nothing again
    session.execute(update(Account).where(Account.id == card.id).values(booked_through=None))
    _pass(session, date(2027, 5, 5))
    assert charges(session, card) == []
    assert statement_keys(session, card) == [("2027-04-10", False)]
    [april] = card_statements(session, household, card.id, date(2027, 5, 5), past=1).past
    assert (april.status, april.transfer_id, april.total) == ("charged", None, D("120.00"))


def test_nothing_to_charge_books_the_key_alone_and_a_credit_carries_on(
    session: Session, household: Household
) -> None:
    card = make_card(session, household, added_on=date(2027, 5, 1))
    on_card(session, household, card, date(2027, 4, 1), "50.00")
    on_card(session, household, card, date(2027, 4, 3), "80.00", refund=True)
    on_card(session, household, card, date(2027, 4, 20), "100.00")
    assert _pass(session, date(2027, 5, 5)).charged == {}
    assert statement_keys(session, card) == [("2027-04-10", False)]
    _pass(session, date(2027, 6, 5))
    assert [(day, amount) for day, amount, _, _ in charges(session, card)] == [
        ("2027-06-02", D("70.00"))  # 100.00 less the 30.00 carried from April
    ]
    assert statement_keys(session, card) == [("2027-04-10", False), ("2027-05-10", True)]


def test_a_card_that_cannot_be_charged_fails_alone_and_is_charged_after_the_fix(
    session: Session, household: Household
) -> None:
    shekels = make_card(session, household, added_on=date(2027, 5, 1))
    dollars = make_card(
        session, household, added_on=date(2027, 5, 1), name="Dollar card", currency="USD"
    )
    on_card(session, household, shekels, date(2027, 4, 5), "120.00")
    on_card(session, household, dollars, date(2027, 4, 6), "100.00")
    report = run_booking_pass(session, now=NOW, as_of=date(2027, 5, 5))
    [failure] = report.failures
    assert (failure.kind, failure.source_id, failure.name) == (
        "card_statement",
        dollars.id,
        "Dollar card",
    )
    assert isinstance(failure, SourceFailure)
    assert "USD" in failure.reason
    assert household.id in report.errors
    assert [amount for _, amount, _, _ in charges(session, shekels)] == [D("120.00")]
    assert charges(session, dollars) == []
    assert _watermark(session, dollars) == date(2027, 3, 10)  # kept: the charge is still due
    set_rate(session, household, RateDraft(date(2027, 5, 1), "USD", D("3.5")))
    _pass(session, date(2027, 5, 6))
    moved = session.execute(
        select(Transfer.date, Transfer.amount, Transfer.to_amount).where(
            Transfer.to_account_id == dollars.id
        )
    ).one()
    assert tuple(moved) == (date(2027, 5, 2), D("350.00"), D("100.00"))  # on its own day


def test_the_job_run_counts_the_charges_and_their_households_alerts_are_evaluated(
    session: Session, household: Household, session_factory: sessionmaker[Session]
) -> None:
    card = make_card(session, household, added_on=date(2027, 5, 1))
    on_card(session, household, card, date(2027, 4, 5), "120.00")
    session.commit()
    hourly_booking_pass(session_factory, as_of=date(2027, 5, 5))
    session.expire_all()
    run = session.scalars(
        select(JobRun).where(JobRun.job == "booking").order_by(JobRun.id.desc()).limit(1)
    ).one()
    details = run.details
    assert details["charges"][str(household.id)] == 1  # type: ignore[index]
    assert int(details["charges_total"]) >= 1  # type: ignore[call-overload]
    assert str(household.id) not in details["booked"]  # type: ignore[operator]
    assert [r.id for r in job_runs_for_household(session, household.id, job="booking")][:1] == [
        run.id
    ]  # the household's passes list it, though it booked no transaction there
    mark = session.scalar(
        select(HouseholdSettings.alerts_fingerprint).where(
            HouseholdSettings.household_id == household.id
        )
    )
    assert mark  # evaluated after its card was charged, though nothing else was booked


@dataclass(frozen=True)
class _Committed:
    household_id: int
    card_id: int


@pytest.fixture
def committed_card(engine: Engine, settings: Settings) -> Iterator[_Committed]:
    """A committed household with a card and its spring (for other processes and sessions)."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with unit_of_work(factory) as session:
        person = make_user(session, settings)
        home = home_of(session, person)
        card = _spring(session, home)
        found = _Committed(home.id, card.id)
    yield found
    forget_people(engine, [person.id])


def _counts(engine: Engine, found: _Committed) -> tuple[int, int, int]:
    with sessionmaker(bind=engine)() as session:
        transfers = session.scalar(
            select(func.count()).where(Transfer.to_account_id == found.card_id)
        )
        days = session.scalar(
            select(func.count(func.distinct(Transfer.date))).where(
                Transfer.to_account_id == found.card_id
            )
        )
        streaming = session.scalar(
            select(func.count()).where(
                Transaction.account_id == found.card_id, Transaction.source == "recurring"
            )
        )
    return int(transfers or 0), int(days or 0), int(streaming or 0)


def test_two_scheduler_processes_at_once_charge_each_statement_once(
    committed_card: _Committed, engine: Engine
) -> None:
    argv = [sys.executable, "-m", "cashflow", "scheduler", "--once", "--date", "2027-07-20"]
    procs = [
        subprocess.Popen(argv, env=os.environ.copy(), stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    # charged on 2 May and 2 July; the subscription booked on 20 May, June and July
    assert _counts(engine, committed_card) == (2, 2, 3)


def _book_in(session: Session, found: _Committed, today: date) -> list[tuple[int, int | None]]:
    [card] = load_cards(session, [found.household_id], card_id=found.card_id)
    due, _ = charges_due(session, card, today)
    return book_charges(session, due)


def _waiting_on_a_lock(engine: Engine, pid: int) -> bool:
    with engine.connect() as conn:
        waiting = conn.scalar(
            text("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = :pid"),
            {"pid": pid},
        )
    return bool(waiting)


def test_two_bookings_racing_past_the_pass_lock_charge_once(
    committed_card: _Committed, engine: Engine
) -> None:
    """Without the advisory lock the key alone decides: the second waits, then books nothing."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    today = date(2027, 5, 5)
    second: dict[str, object] = {}

    def race() -> None:
        with factory() as other, other.begin():
            second["pid"] = other.scalar(text("SELECT pg_backend_pid()"))
            second["booked"] = _book_in(other, committed_card, today)

    with factory() as first:
        with first.begin():
            mine = _book_in(first, committed_card, today)
            thread = threading.Thread(target=race)
            thread.start()
            deadline = time.monotonic() + 30
            while not (
                "pid" in second and _waiting_on_a_lock(engine, int(second["pid"]))  # type: ignore[call-overload]
            ):
                assert time.monotonic() < deadline, "the second booking never met the key"
                time.sleep(0.05)
        thread.join(timeout=30)
    assert [transfer is not None for _, transfer in mine] == [True]
    assert second["booked"] == []
    assert _counts(engine, committed_card)[:2] == (1, 1)
