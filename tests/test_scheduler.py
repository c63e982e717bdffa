"""The booking pass against the real database: exactly once, on its own date, isolated."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.models import (
    FixedItem,
    Household,
    HouseholdSettings,
    JobRun,
    RecurringBooking,
    Transaction,
)
from domain.services import fixed, installment_plans, loans, nightly
from domain.services.booking import preview_booking, run_booking_pass
from domain.services.jobs import job_runs_for_household, record_job_run
from jobs.passes import hourly_booking_pass
from jobs.scheduler import build_scheduler
from tests.builders import category_named
from tests.conftest import forget_people, home_of, make_user

NOW = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)


def _booked(session: Session, home: Household) -> list[tuple[str, Decimal, str]]:
    rows = session.execute(
        select(Transaction.date, Transaction.amount, Transaction.description)
        .where(Transaction.household_id == home.id, Transaction.source == "recurring")
        .order_by(Transaction.date, Transaction.description)
    ).all()
    return [(r.date.isoformat(), r.amount, r.description) for r in rows]


def _rent(session: Session, home: Household, **extra: object) -> int:
    item = fixed.create_fixed(
        session,
        home,
        name="Rent",
        amount=Decimal("5200.00"),
        type="expense",
        frequency="monthly",
        start_date=date(2027, 6, 1),
        category_id=category_named(session, home, "Rent").id,
        **extra,
    )
    return item.id


def _home(session: Session, settings: Settings) -> Household:
    return home_of(session, make_user(session, settings))


def _pass(session: Session, as_of: date) -> None:
    report = run_booking_pass(session, now=NOW, as_of=as_of)
    assert not report.errors


def test_two_passes_book_once(session: Session, settings: Settings) -> None:
    home = _home(session, settings)
    _rent(session, home)
    _pass(session, date(2027, 7, 1))
    _pass(session, date(2027, 7, 1))
    assert _booked(session, home) == [
        ("2027-06-01", Decimal("5200.00"), "Rent"),
        ("2027-07-01", Decimal("5200.00"), "Rent"),
    ]


def test_after_three_days_down_each_missed_occurrence_lands_on_its_own_date(
    session: Session, settings: Settings
) -> None:
    home = _home(session, settings)
    fixed.create_fixed(
        session,
        home,
        name="Gym",
        amount=Decimal("10.00"),
        type="expense",
        frequency="weekly",
        start_date=date(2027, 6, 1),
    )
    installment_plans.create_plan(
        session,
        home,
        name="TV",
        total_amount=Decimal("1000.00"),
        payments_count=3,
        first_payment_date=date(2027, 6, 2),
    )
    _pass(session, date(2027, 6, 1))
    assert [d for d, _, _ in _booked(session, home)] == ["2027-06-01"]
    # down on the 2nd, 3rd and 4th; up again on the 9th
    _pass(session, date(2027, 6, 9))
    assert _booked(session, home) == [
        ("2027-06-01", Decimal("10.00"), "Gym"),
        ("2027-06-02", Decimal("333.34"), "TV (1/3)"),
        ("2027-06-08", Decimal("10.00"), "Gym"),
    ]


def test_a_deleted_booking_stays_deleted(session: Session, settings: Settings) -> None:
    home = _home(session, settings)
    _rent(session, home)
    _pass(session, date(2027, 6, 1))
    session.execute(delete(Transaction).where(Transaction.household_id == home.id))
    _pass(session, date(2027, 6, 1))
    # even a pass that recomputes from scratch (watermark reset) books nothing again
    session.execute(
        update(FixedItem).where(FixedItem.household_id == home.id).values(booked_through=None)
    )
    _pass(session, date(2027, 6, 1))
    assert _booked(session, home) == []
    key = session.scalars(
        select(RecurringBooking).where(RecurringBooking.household_id == home.id)
    ).one()
    assert key.transaction_id is None


def test_a_paused_item_books_nothing_for_the_paused_days(
    session: Session, settings: Settings
) -> None:
    home = _home(session, settings)
    rent = _rent(session, home)
    fixed.pause_fixed(session, home, rent, since=date(2027, 6, 20))
    _pass(session, date(2027, 8, 15))
    fixed.resume_fixed(session, home, rent, on=date(2027, 8, 20))
    _pass(session, date(2027, 9, 15))
    assert [d for d, _, _ in _booked(session, home)] == ["2027-06-01", "2027-09-01"]


def test_installment_and_loan_payments_book_with_their_numbers(
    session: Session, settings: Settings
) -> None:
    home = _home(session, settings)
    loans.create_loan(
        session,
        home,
        name="Car",
        principal=Decimal("12000.00"),
        annual_rate=Decimal("0"),
        term_months=12,
        first_payment_date=date(2027, 5, 31),
    )
    _pass(session, date(2027, 6, 30))
    assert _booked(session, home) == [
        ("2027-05-31", Decimal("1000.00"), "Car (1/12)"),
        ("2027-06-30", Decimal("1000.00"), "Car (2/12)"),
    ]


def test_preview_shows_what_would_be_booked_without_booking(
    session: Session, settings: Settings
) -> None:
    home = _home(session, settings)
    _rent(session, home)
    preview = preview_booking(session, home, date(2027, 7, 1))
    assert [o.due_date.isoformat() for o in preview] == ["2027-06-01", "2027-07-01"]
    assert _booked(session, home) == []


def test_one_users_bad_data_does_not_stop_the_others(session: Session, settings: Settings) -> None:
    good, bad = _home(session, settings), _home(session, settings)
    _rent(session, good)
    _rent(session, bad)
    session.execute(update(Household).where(Household.id == bad.id).values(timezone="Mars/Olympus"))
    report = run_booking_pass(session, now=NOW)
    assert bad.id in report.errors
    assert "Mars/Olympus" in report.errors[bad.id]
    assert report.booked[good.id] == 1
    assert _booked(session, good) == [("2027-06-01", Decimal("5200.00"), "Rent")]
    assert _booked(session, bad) == []


@pytest.fixture
def committed_rent(engine: Engine, settings: Settings) -> Iterator[Household]:
    """A committed household with a weekly item (for passes in other processes)."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session, session.begin():
        person = make_user(session, settings)
        home = home_of(session, person)
        fixed.create_fixed(
            session,
            home,
            name="Cleaner",
            amount=Decimal("150.00"),
            type="expense",
            frequency="weekly",
            start_date=date(2027, 1, 4),
        )
    yield home
    forget_people(engine, [person.id])


def test_two_scheduler_processes_at_once_book_nothing_twice(
    committed_rent: Household, engine: Engine
) -> None:
    argv = [sys.executable, "-m", "cashflow", "scheduler", "--once", "--date", "2027-06-30"]
    procs = [
        subprocess.Popen(argv, env=os.environ.copy(), stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with sessionmaker(bind=engine)() as session:
        count = session.scalar(
            select(func.count()).where(Transaction.household_id == committed_rent.id)
        )
        dates = session.scalar(
            select(func.count(func.distinct(Transaction.date))).where(
                Transaction.household_id == committed_rent.id
            )
        )
        runs = session.scalars(
            select(JobRun.status).where(JobRun.job == "booking").order_by(JobRun.id.desc()).limit(2)
        ).all()
    assert count == dates == 26  # every Monday from 4 January to 28 June 2027, once each
    assert set(runs) <= {"ok", "skipped", "partial"}


def test_every_users_day_is_booked_within_an_hour_of_their_midnight(settings: Settings) -> None:
    """The daily pass at 00:05 and the hourly one between them fire at :05 of every hour."""
    scheduler = build_scheduler(settings)
    tz = ZoneInfo(settings.timezone)
    booking = [job for job in scheduler.get_jobs() if job.id in {"booking", "booking-hourly"}]
    names = {job.func.__name__ for job in booking}
    assert names == {"booking_and_alerts_pass", "hourly_booking_pass"}
    fires: set[datetime] = set()
    for job in booking:
        moment = datetime(2026, 11, 25, 0, 0, tzinfo=tz)
        while (after := job.trigger.get_next_fire_time(None, moment)) < datetime(
            2026, 11, 26, tzinfo=tz
        ):
            fires.add(after)
            moment = after + timedelta(seconds=1)
    assert sorted(fires) == [datetime(2026, 11, 25, h, 5, tzinfo=tz) for h in range(24)]
    booking[0].args[0].kw["bind"].dispose()


def _marks(session: Session, *homes: Household) -> dict[int, str | None]:
    """Each household's alerts fingerprint: set once its alerts were evaluated."""
    rows = session.execute(
        select(HouseholdSettings.household_id, HouseholdSettings.alerts_fingerprint).where(
            HouseholdSettings.household_id.in_([h.id for h in homes])
        )
    ).all()
    return {row.household_id: row.alerts_fingerprint for row in rows}


def test_the_hourly_pass_evaluates_alerts_only_for_those_it_booked_for(
    session: Session, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    renter, idle = _home(session, settings), _home(session, settings)
    _rent(session, renter)
    session.commit()
    hourly_booking_pass(session_factory, as_of=date(2027, 6, 1))
    session.expire_all()
    assert _booked(session, renter) == [("2027-06-01", Decimal("5200.00"), "Rent")]
    marks = _marks(session, renter, idle)
    assert marks.get(renter.id)  # evaluated after its rent was booked
    assert marks.get(idle.id) is None  # nothing booked, nothing evaluated


def test_an_hourly_chunk_that_fails_whole_is_evaluated_again_one_household_at_a_time(
    session: Session,
    settings: Settings,
    session_factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    good, bad = _home(session, settings), _home(session, settings)
    _rent(session, good)
    _rent(session, bad)
    session.commit()
    real = nightly.evaluate_alerts
    calls: list[list[int]] = []

    def failing_with_bad(s: Session, ids: list[int], *args: Any) -> tuple[int, int]:
        calls.append(list(ids))
        if bad.id in ids:
            raise RuntimeError("this household's answers cannot be read")
        return real(s, ids, *args)

    monkeypatch.setattr("jobs.passes.evaluate_alerts", failing_with_bad)
    with caplog.at_level("INFO", logger="cashflow.jobs"):
        hourly_booking_pass(session_factory, as_of=date(2027, 6, 1))
    session.expire_all()
    marks = _marks(session, good, bad)
    assert marks.get(good.id)  # evaluated alone after its chunk failed
    assert marks.get(bad.id) is None
    assert any({good.id, bad.id} <= set(c) for c in calls)  # first in one chunk
    assert [good.id] in calls  # then one by one
    assert [bad.id] in calls
    assert any("(1 failed)" in r.getMessage() for r in caplog.records)


def test_a_users_passes_are_those_that_booked_for_them_or_failed_them(
    session: Session, settings: Settings
) -> None:
    me, other = _home(session, settings), _home(session, settings)
    at = datetime(2030, 1, 1, tzinfo=UTC)  # newer than any other run in the database

    def run(hours: int, booked: dict[int, int], errors: dict[int, str]) -> int:
        recorded = record_job_run(
            session,
            job="booking",
            started_at=at + timedelta(hours=hours),
            finished_at=at + timedelta(hours=hours),
            status="partial" if errors else "ok",
            details={
                "booked": {str(k): v for k, v in booked.items()},
                "errors": {str(k): v for k, v in errors.items()},
            },
        )
        return recorded.id

    mine_booked = run(0, {me.id: 2, other.id: 1}, {})
    run(1, {other.id: 4}, {})
    run(2, {}, {})
    mine_failed = run(3, {other.id: 1}, {me.id: "ValueError: bad timezone"})
    everyone_failed = record_job_run(
        session,
        job="booking",
        started_at=at + timedelta(hours=4),
        finished_at=at + timedelta(hours=4),
        status="failed",
        error="OperationalError: the database went away",
    ).id
    found = job_runs_for_household(session, me.id, job="booking")
    assert [r.id for r in found] == [everyone_failed, mine_failed, mine_booked]  # newest first
    assert [r.id for r in job_runs_for_household(session, me.id, job="backup")] == []
