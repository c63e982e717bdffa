"""A source that cannot be booked fails alone; one pass books at most a stated number per source."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.engine import unit_of_work
from domain.db.models import Alert, Household, InstallmentPlan, JobRun, Loan, Transaction
from domain.rules.occurrences import MAX_BOOKINGS_PER_SOURCE
from domain.services import alerts, fixed, installment_plans
from domain.services.booking import run_booking_pass
from domain.services.forecasting import forecast_for
from jobs.passes import booking_pass, hourly_booking_pass
from tests.conftest import forget_people, home_of, make_user

AS_OF = "2027-07-15"
NOW = datetime(2027, 7, 15, 12, 0, tzinfo=UTC)


def _booked(session: Session, household_id: int) -> list[tuple[str, str, Decimal]]:
    rows = session.execute(
        select(Transaction.date, Transaction.description, Transaction.amount)
        .where(Transaction.household_id == household_id, Transaction.source == "recurring")
        .order_by(Transaction.date, Transaction.description)
    ).all()
    return [(r.date.isoformat(), r.description, r.amount) for r in rows]


def _open_alerts(session: Session, household_id: int) -> list[tuple[str, str]]:
    rows = session.scalars(
        select(Alert).where(Alert.household_id == household_id, Alert.resolved_at.is_(None))
    ).all()
    return sorted((a.kind, a.title) for a in rows)


@pytest.fixture
def committed_factory(engine: Engine) -> sessionmaker[Session]:
    """Real units of work: every commit is a commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@pytest.fixture
def broken_home(
    committed_factory: sessionmaker[Session], engine: Engine, settings: Settings
) -> Iterator[int]:
    """Salary and rent, and a plan of 0.02 in 3 written straight into the database."""
    with unit_of_work(committed_factory) as session:
        user = make_user(session, settings)
        home = home_of(session, user)
        for name, flow, amount, start in (
            ("Salary", "income", "12000.00", date(2027, 6, 10)),
            ("Rent", "expense", "5200.00", date(2027, 6, 1)),
        ):
            fixed.create_fixed(
                session,
                home,
                name=name,
                amount=Decimal(amount),
                type=flow,
                frequency="monthly",
                start_date=start,
            )
        session.execute(  # bypasses the validation that now refuses it
            insert(InstallmentPlan).values(
                household_id=home.id,
                name="Broken plan",
                total_amount=Decimal("0.02"),
                payments_count=3,
                first_payment_date=date(2027, 6, 5),
                day_of_month=5,
                type="expense",
                currency="ILS",
                notes="",
            )
        )
        user_id, home_id = user.id, home.id
    yield home_id
    forget_people(engine, [user_id])


def _scheduler_once() -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "cashflow", "scheduler", "--once", "--date", AS_OF]
    return subprocess.run(
        argv, env=os.environ.copy(), capture_output=True, text=True, check=False, timeout=180
    )


def test_a_broken_source_fails_alone_is_reported_and_books_after_the_fix(
    broken_home: int, committed_factory: sessionmaker[Session]
) -> None:
    first = _scheduler_once()
    assert first.returncode == 1, first.stderr
    assert "Broken plan" in first.stderr
    with committed_factory() as session:
        assert _booked(session, broken_home) == [
            ("2027-06-01", "Rent", Decimal("5200.00")),
            ("2027-06-10", "Salary", Decimal("12000.00")),
            ("2027-07-01", "Rent", Decimal("5200.00")),
            ("2027-07-10", "Salary", Decimal("12000.00")),
        ]
        run = session.scalars(
            select(JobRun).where(JobRun.job == "booking").order_by(JobRun.id.desc()).limit(1)
        ).one()
        assert run.status == "partial"
        failed = [
            f
            for f in run.details["failed_sources"]  # type: ignore[attr-defined]
            if f["household_id"] == broken_home
        ]
        plan_id = failed[0]["source_id"]
        assert failed == [
            {
                "household_id": broken_home,
                "kind": "installment",
                "source_id": plan_id,
                "name": "Broken plan",
                "reason": failed[0]["reason"],
            }
        ]
        assert "payments_count" in failed[0]["reason"]
        assert ("booking_failed", "Broken plan could not be booked") in _open_alerts(
            session, broken_home
        )
    # the alert is not raised again while it lasts
    with unit_of_work(committed_factory) as session:
        home = session.get_one(Household, broken_home)
        alerts.refresh_alerts(session, home, date(2027, 7, 16), NOW, force=True)
    with committed_factory() as session:
        count = session.scalars(
            select(Alert.id).where(
                Alert.household_id == broken_home, Alert.kind == "booking_failed"
            )
        ).all()
        assert len(count) == 1
    # the user fixes the plan: the alert goes at once, the next pass books what was missed
    with unit_of_work(committed_factory) as session:
        home = session.get_one(Household, broken_home)
        installment_plans.update_plan(session, home, plan_id, {"total_amount": Decimal("3.00")})
    with unit_of_work(committed_factory) as session:
        home = session.get_one(Household, broken_home)
        alerts.refresh_alerts(session, home, date(2027, 7, 16), NOW)
        assert "booking_failed" not in [kind for kind, _ in _open_alerts(session, broken_home)]
    second = _scheduler_once()
    assert second.returncode == 0, second.stderr
    with committed_factory() as session:
        plan_rows = [r for r in _booked(session, broken_home) if r[1].startswith("Broken")]
        assert plan_rows == [
            ("2027-06-05", "Broken plan (1/3)", Decimal("1.00")),
            ("2027-07-05", "Broken plan (2/3)", Decimal("1.00")),
        ]
        assert len(_booked(session, broken_home)) == 6  # salary and rent were not booked again


def test_a_broken_source_alert_resolves_when_the_source_is_deleted(
    broken_home: int, committed_factory: sessionmaker[Session]
) -> None:
    booking_pass(committed_factory, as_of=date.fromisoformat(AS_OF))
    with unit_of_work(committed_factory) as session:
        home = session.get_one(Household, broken_home)
        alerts.refresh_alerts(session, home, date(2027, 7, 15), NOW)
        assert "booking_failed" in [k for k, _ in _open_alerts(session, broken_home)]
        plan = installment_plans.list_plans(session, home)[0]
        installment_plans.delete_plan(session, home, plan.id)
    with unit_of_work(committed_factory) as session:
        home = session.get_one(Household, broken_home)
        alerts.refresh_alerts(session, home, date(2027, 7, 15), NOW)
        assert "booking_failed" not in [k for k, _ in _open_alerts(session, broken_home)]


def test_the_hourly_pass_raises_the_failed_source_alert_from_its_own_report(
    broken_home: int, committed_factory: sessionmaker[Session]
) -> None:
    """The hourly pass evaluates by chunks, its failures read from the pass that just ran."""
    hourly_booking_pass(committed_factory, as_of=date.fromisoformat(AS_OF))
    with committed_factory() as session:
        assert len(_booked(session, broken_home)) == 4  # rent and salary, June and July
        assert ("booking_failed", "Broken plan could not be booked") in _open_alerts(
            session, broken_home
        )


def test_one_pass_books_at_most_the_stated_number_per_source_and_says_so(
    session: Session, settings: Settings, session_factory: sessionmaker[Session]
) -> None:
    home = home_of(session, make_user(session, settings))
    start = date(2019, 1, 7)  # a Monday: 441 Mondays up to 2027-06-14
    fixed.create_fixed(
        session,
        home,
        name="Cleaner",
        amount=Decimal("150.00"),
        type="expense",
        frequency="weekly",
        start_date=start,
    )
    session.commit()
    report = booking_pass(session_factory, as_of=date(2027, 6, 14))
    assert report.booked[home.id] == MAX_BOOKINGS_PER_SOURCE == 400
    held = [h for h in report.held_back if h.household_id == home.id]
    assert [(h.name, h.booked) for h in held] == [("Cleaner", 400)]
    assert held[0].through == start + timedelta(weeks=399)
    run = session.scalars(
        select(JobRun).where(JobRun.job == "booking").order_by(JobRun.id.desc()).limit(1)
    ).one()
    assert run.details["max_per_source"] == 400
    assert any(
        h["source_id"] == held[0].source_id and h["booked"] == 400
        for h in run.details["held_back"]  # type: ignore[attr-defined]
    )
    # the rest follow in the next pass, each on its own date
    second = run_booking_pass(session, now=NOW, as_of=date(2027, 6, 14))
    assert (second.booked[home.id], second.held_back) == (41, [])
    dates = [d for d, _, _ in _booked(session, home.id)]
    assert dates == [(start + timedelta(weeks=n)).isoformat() for n in range(441)]


def test_a_source_the_database_refuses_fails_alone_too(
    session: Session, settings: Settings
) -> None:
    home = home_of(session, make_user(session, settings))
    fixed.create_fixed(
        session,
        home,
        name="Rent",
        amount=Decimal("100.00"),
        type="expense",
        frequency="monthly",
        start_date=date(2027, 6, 1),
    )
    # its one payment, 10,833,333,333,333.32, does not fit the ledger's NUMERIC(15, 2)
    loan_id = session.execute(
        insert(Loan)
        .values(
            household_id=home.id,
            name="Huge",
            principal=Decimal("9999999999999.99"),
            annual_rate=Decimal("100"),
            term_months=1,
            first_payment_date=date(2027, 6, 15),
            day_of_month=15,
            method="spitzer",
            type="expense",
            currency="ILS",
            notes="",
        )
        .returning(Loan.id)
    ).scalar_one()
    report = run_booking_pass(session, now=NOW, as_of=date(2027, 7, 1))
    assert _booked(session, home.id) == [
        ("2027-06-01", "Rent", Decimal("100.00")),
        ("2027-07-01", "Rent", Decimal("100.00")),
    ]
    (failure,) = [f for f in report.failures if f.household_id == home.id]
    assert (failure.kind, failure.source_id, failure.name) == ("loan", loan_id, "Huge")
    assert failure.reason.startswith("NumericValueOutOfRange")
    assert "INSERT" not in failure.reason  # the reason names the problem, not the SQL


def test_a_plan_stored_with_parts_of_zero_still_reads_but_does_not_book(
    session: Session, settings: Settings
) -> None:
    home = home_of(session, make_user(session, settings))
    plan_id = session.execute(
        insert(InstallmentPlan)
        .values(
            household_id=home.id,
            name="Tiny",
            total_amount=Decimal("0.02"),
            payments_count=3,
            first_payment_date=date(2027, 6, 5),
            day_of_month=5,
            type="expense",
            currency="ILS",
            notes="",
        )
        .returning(InstallmentPlan.id)
    ).scalar_one()
    plan = installment_plans.get_plan(session, home, plan_id)
    assert installment_plans.progress(session, plan).remaining_amount == Decimal("0.02")
    forecast_for(session, home, date(2027, 6, 1))  # the rest of the app still works
    report = run_booking_pass(session, now=NOW, as_of=date(2027, 7, 1))
    (failure,) = [f for f in report.failures if f.household_id == home.id]
    assert failure.reason.startswith("payments_count: 3 payments of 0.02")
    assert _booked(session, home.id) == []
