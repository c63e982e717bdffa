"""The booking pass: every due occurrence of every source becomes a transaction, once."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text, tuple_
from sqlalchemy.orm import Session

from domain.db.models import RecurringBooking, User
from domain.db.recurring import advance_watermarks, book_occurrences, load_specs
from domain.rules.dates import local_today
from domain.rules.occurrences import Occurrence, SourceKind, due_to_book

log = logging.getLogger("cashflow.booking")
BOOKING_LOCK_KEY = 0x63617368666C6F77  # "cashflow": one booking pass at a time
CHUNK_USERS = 1000


@dataclass
class PassReport:
    """What a pass did: rows booked per user, and the users it could not book."""

    booked: Counter[int] = field(default_factory=Counter)
    errors: dict[int, str] = field(default_factory=dict)
    skipped: bool = False

    @property
    def total(self) -> int:
        """Rows booked for everyone."""
        return sum(self.booked.values())


@dataclass(frozen=True)
class _PassContext:
    now: datetime
    as_of: date | None
    run_id: int | None


def _book_users(session: Session, users: Sequence[Any], ctx: _PassContext) -> Counter[int]:
    """Book everything due for a few users in set-based statements."""
    today = {u.id: ctx.as_of or local_today(ctx.now, u.timezone) for u in users}
    due: list[Occurrence] = []
    through: dict[tuple[SourceKind, int], date] = {}
    for spec in load_specs(session, list(today)):
        day = today[spec.info.user_id]
        due.extend(due_to_book(spec, day))
        through[(spec.info.kind, spec.info.source_id)] = day
    booked = Counter(book_occurrences(session, due, job_run_id=ctx.run_id))
    advance_watermarks(session, through)
    return booked


def _isolated(
    session: Session, users: Sequence[Any], ctx: _PassContext, report: PassReport
) -> None:
    """Book a chunk; when it fails, book its users one by one so one failure stops no one."""
    try:
        with session.begin_nested():
            report.booked.update(_book_users(session, users, ctx))
        return
    except Exception:  # isolate below, user by user
        if len(users) == 1:
            raise
    for user in users:
        try:
            with session.begin_nested():
                report.booked.update(_book_users(session, [user], ctx))
        except Exception as exc:
            log.exception("booking failed for user %s", user.id)
            report.errors[user.id] = f"{type(exc).__name__}: {exc}"


def run_booking_pass(
    session: Session, *, now: datetime, as_of: date | None = None, run_id: int | None = None
) -> PassReport:
    """Book every due occurrence of every active user, up to each user's today (or `as_of`).

    One pass is one transaction; an advisory lock lets a second concurrent pass skip the
    work, and the booking key guarantees nothing is booked twice even without it.
    """
    report = PassReport()
    ctx = _PassContext(now, as_of, run_id)
    locked = session.scalar(
        text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": BOOKING_LOCK_KEY}
    )
    if not locked:
        report.skipped = True
        return report
    users = session.execute(
        select(User.id, User.timezone).where(User.is_active).order_by(User.id)
    ).all()
    for start in range(0, len(users), CHUNK_USERS):
        chunk = users[start : start + CHUNK_USERS]
        try:
            _isolated(session, chunk, ctx, report)
        except Exception as exc:
            user = chunk[0]
            log.exception("booking failed for user %s", user.id)
            report.errors[user.id] = f"{type(exc).__name__}: {exc}"
    return report


def preview_booking(session: Session, user: User, through: date) -> list[Occurrence]:
    """What a pass up to `through` would book for the user, without booking it."""
    due = [o for spec in load_specs(session, [user.id]) for o in due_to_book(spec, through)]
    if not due:
        return []
    keys = {(o.kind, o.source_id, o.due_date) for o in due}
    taken = {
        tuple(row)
        for row in session.execute(
            select(
                RecurringBooking.source_kind, RecurringBooking.source_id, RecurringBooking.due_date
            ).where(
                tuple_(
                    RecurringBooking.source_kind,
                    RecurringBooking.source_id,
                    RecurringBooking.due_date,
                ).in_(list(keys))
            )
        ).all()
    }
    return sorted(
        (o for o in due if (o.kind, o.source_id, o.due_date) not in taken),
        key=lambda o: (o.due_date, o.kind, o.source_id),
    )
