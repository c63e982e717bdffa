"""The booking pass: every due occurrence of every source becomes a transaction, once.

A source that cannot be booked fails alone: the pass books a chunk of households in one
savepoint, and when that fails, each household in one, and then each of its sources in one.
The failed source is reported with its reason and keeps its watermark, so the pass after the
fix books what was missed on its own dates.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from domain.db.models import Household, RecurringBooking
from domain.db.recurring import advance_watermarks, book_occurrences, load_specs
from domain.errors import DomainError, InvalidInputError
from domain.rules.dates import local_today
from domain.rules.occurrences import (
    MAX_BOOKINGS_PER_SOURCE,
    Occurrence,
    SourceKind,
    SourceSpec,
    check_spec,
    due_in_pass,
    due_to_book,
)

log = logging.getLogger("cashflow.booking")
BOOKING_LOCK_KEY = 0x63617368666C6F77  # "cashflow": one booking pass at a time
CHUNK_HOUSEHOLDS = 1000
REASON_MAX = 300
T = TypeVar("T")


@dataclass(frozen=True)
class SourceFailure:
    """A source the pass could not book, and why."""

    household_id: int
    kind: SourceKind
    source_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class HeldBack:
    """A source with more due than one pass books: the rest follow in the next passes."""

    household_id: int
    kind: SourceKind
    source_id: int
    name: str
    booked: int
    through: date


@dataclass
class PassReport:
    """What a pass did: rows booked per household, the sources and households it could not book."""

    booked: Counter[int] = field(default_factory=Counter)
    errors: dict[int, str] = field(default_factory=dict)
    failures: list[SourceFailure] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    skipped: bool = False

    @property
    def total(self) -> int:
        """Rows booked for everyone."""
        return sum(self.booked.values())

    def details(self) -> dict[str, object]:
        """The report as the job run records it (JSON)."""
        return {
            "booked_total": self.total,
            "booked": {str(household): count for household, count in sorted(self.booked.items())},
            "errors": {
                str(household): message for household, message in sorted(self.errors.items())
            },
            "failed_sources": [asdict(f) for f in self.failures],
            "held_back": [{**asdict(h), "through": h.through.isoformat()} for h in self.held_back],
            "max_per_source": MAX_BOOKINGS_PER_SOURCE,
        }


@dataclass
class _Booked:
    rows: Counter[int] = field(default_factory=Counter)
    held_back: list[HeldBack] = field(default_factory=list)


@dataclass(frozen=True)
class _PassContext:
    now: datetime
    as_of: date | None
    run_id: int | None

    def today(self, timezone: str) -> date:
        return self.as_of or local_today(self.now, timezone)


def reason_of(exc: BaseException) -> str:
    """A short, readable reason for a failure (no SQL, no parameters)."""
    if isinstance(exc, InvalidInputError):
        text_ = f"{exc.field}: {exc.message}"
    elif isinstance(exc, DomainError):
        text_ = exc.message
    elif isinstance(exc, DBAPIError) and exc.orig is not None:
        first = (str(exc.orig).splitlines() or [""])[0]
        text_ = f"{type(exc.orig).__name__}: {first}"
    else:
        text_ = f"{type(exc).__name__}: {exc}"
    return text_[:REASON_MAX]


def _book_specs(
    session: Session, specs: Sequence[SourceSpec], today: dict[int, date], ctx: _PassContext
) -> _Booked:
    """Book one pass's worth of every spec in set-based statements."""
    done, due = _Booked(), list[Occurrence]()
    through: dict[tuple[SourceKind, int], date] = {}
    for spec in specs:
        info = spec.info
        batch = due_in_pass(check_spec(spec), today[info.household_id])
        due.extend(batch.occurrences)
        through[(info.kind, info.source_id)] = batch.through
        if batch.held_back:
            done.held_back.append(
                HeldBack(
                    info.household_id,
                    info.kind,
                    info.source_id,
                    info.name,
                    len(batch.occurrences),
                    batch.through,
                )
            )
    done.rows.update(book_occurrences(session, due, job_run_id=ctx.run_id))
    advance_watermarks(session, through)
    return done


def _attempt(session: Session, work: Callable[[], T]) -> T | Exception:
    """Run `work` in a savepoint; its exception (rolled back) instead of raising it."""
    try:
        with session.begin_nested():
            return work()
    except Exception as exc:  # every failure is isolated and reported by the caller
        return exc


def _merge(report: PassReport, done: _Booked) -> None:
    report.booked.update(done.rows)
    report.held_back.extend(done.held_back)


def _book_sources_one_by_one(
    session: Session, household: Any, today: date, ctx: _PassContext, report: PassReport
) -> None:
    specs = _attempt(session, lambda: load_specs(session, [household.id]))
    if isinstance(specs, Exception):
        report.errors[household.id] = reason_of(specs)
        return
    failed: list[SourceFailure] = []
    for spec in specs:
        outcome = _attempt(
            session, partial(_book_specs, session, [spec], {household.id: today}, ctx)
        )
        if isinstance(outcome, Exception):
            info, reason = spec.info, reason_of(outcome)
            log.warning("booking failed for %s %s: %s", info.kind, info.source_id, reason)
            failed.append(SourceFailure(household.id, info.kind, info.source_id, info.name, reason))
        else:
            _merge(report, outcome)
    if failed:
        report.failures.extend(failed)
        report.errors[household.id] = "; ".join(
            f"{f.name} ({f.kind} {f.source_id}): {f.reason}" for f in failed
        )


def _book_household(
    session: Session, household: Any, ctx: _PassContext, report: PassReport
) -> None:
    try:
        today = ctx.today(household.timezone)
    except Exception as exc:  # a bad timezone stops this household only
        log.exception("booking failed for household %s", household.id)
        report.errors[household.id] = reason_of(exc)
        return
    outcome = _attempt(
        session,
        lambda: _book_specs(
            session, load_specs(session, [household.id]), {household.id: today}, ctx
        ),
    )
    if isinstance(outcome, Exception):
        _book_sources_one_by_one(session, household, today, ctx, report)
    else:
        _merge(report, outcome)


def _book_chunk(
    session: Session, households: Sequence[Any], ctx: _PassContext, report: PassReport
) -> None:
    """Book a chunk in one savepoint; when it fails, household by household, then by source."""

    def whole() -> _Booked:
        today = {h.id: ctx.today(h.timezone) for h in households}
        return _book_specs(session, load_specs(session, list(today)), today, ctx)

    outcome = _attempt(session, whole)
    if isinstance(outcome, Exception):
        for household in households:
            _book_household(session, household, ctx, report)
    else:
        _merge(report, outcome)


def run_booking_pass(
    session: Session, *, now: datetime, as_of: date | None = None, run_id: int | None = None
) -> PassReport:
    """Book every due occurrence of every household, up to each household's today (or `as_of`).

    One pass is one transaction; an advisory lock lets a second concurrent pass skip the
    work, and the booking key guarantees nothing is booked twice even without it. A pass
    books at most MAX_BOOKINGS_PER_SOURCE occurrences per source.
    """
    report = PassReport()
    ctx = _PassContext(now, as_of, run_id)
    locked = session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": BOOKING_LOCK_KEY}
    )
    if not locked:
        report.skipped = True
        return report
    households = session.execute(
        select(Household.id, Household.timezone).order_by(Household.id)
    ).all()
    for start in range(0, len(households), CHUNK_HOUSEHOLDS):
        _book_chunk(session, households[start : start + CHUNK_HOUSEHOLDS], ctx, report)
    return report


def preview_booking(session: Session, household: Household, through: date) -> list[Occurrence]:
    """What a pass up to `through` would book for the household, without booking it."""
    due = [o for spec in load_specs(session, [household.id]) for o in due_to_book(spec, through)]
    if not due:
        return []
    # The keys booked for these sources since the earliest due date: one condition per
    # kind, never one parameter per occurrence (thousands of them overflow the protocol).
    by_kind: dict[str, set[int]] = {}
    for o in due:
        by_kind.setdefault(o.kind, set()).add(o.source_id)
    taken = {
        tuple(row)
        for row in session.execute(
            select(
                RecurringBooking.source_kind, RecurringBooking.source_id, RecurringBooking.due_date
            ).where(
                or_(
                    *(
                        and_(
                            RecurringBooking.source_kind == kind,
                            RecurringBooking.source_id.in_(sorted(ids)),
                        )
                        for kind, ids in by_kind.items()
                    )
                ),
                RecurringBooking.due_date >= min(o.due_date for o in due),
            )
        ).all()
    }
    return sorted(
        (o for o in due if (o.kind, o.source_id, o.due_date) not in taken),
        key=lambda o: (o.due_date, o.kind, o.source_id),
    )
