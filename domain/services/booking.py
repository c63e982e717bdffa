"""The booking pass: due occurrences become transactions, due card statements transfers, once.

Every due occurrence of every source becomes a transaction, and every credit card statement
whose charge day has come a transfer from its bank to the card. The recurring sources are
booked first, so a statement charged in the same pass holds the occurrences on its card up
to that day. A source or card that cannot be booked fails alone: the pass books a chunk of
households in one savepoint, and when that fails, each household in one, and then each of
its sources and cards in one. The failed one is reported with its reason and keeps its
watermark, so the pass after the fix books what was missed on its own dates.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Any, Literal, TypeVar

from sqlalchemy import Row, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from domain.db.card_bookings import CardCharge, advance_cards, book_charges, load_cards
from domain.db.models import Household
from domain.db.recurring import advance_watermarks, book_occurrences, load_specs, unbooked
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
from domain.services.statements import charges_due

log = logging.getLogger("cashflow.booking")
BOOKING_LOCK_KEY = 0x63617368666C6F77  # "cashflow": one booking pass at a time
CHUNK_HOUSEHOLDS = 1000
REASON_MAX = 300
T = TypeVar("T")
BookingKind = SourceKind | Literal["card_statement"]


@dataclass(frozen=True)
class SourceFailure:
    """A source (or a card's statements) the pass could not book, and why."""

    household_id: int
    kind: BookingKind
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
    """What a pass did: rows booked and statements charged per household, what failed."""

    booked: Counter[int] = field(default_factory=Counter)
    charged: Counter[int] = field(default_factory=Counter)
    errors: dict[int, str] = field(default_factory=dict)
    failures: list[SourceFailure] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)
    skipped: bool = False

    @property
    def total(self) -> int:
        """Rows booked for everyone."""
        return sum(self.booked.values())

    @property
    def charges_total(self) -> int:
        """Statement charges (transfers) booked for everyone."""
        return sum(self.charged.values())

    def details(self) -> dict[str, object]:
        """The report as the job run records it (JSON)."""
        return {
            "booked_total": self.total,
            "booked": {str(household): count for household, count in sorted(self.booked.items())},
            "charges_total": self.charges_total,
            "charges": {str(household): count for household, count in sorted(self.charged.items())},
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
    charges: Counter[int] = field(default_factory=Counter)
    held_back: list[HeldBack] = field(default_factory=list)


@dataclass(frozen=True)
class _Work:
    """What a pass books for some households: their recurring sources and credit cards."""

    specs: Sequence[SourceSpec] = ()
    cards: Sequence[Row[Any]] = ()


def _load(session: Session, household_ids: Sequence[int]) -> _Work:
    return _Work(load_specs(session, household_ids), load_cards(session, household_ids))


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


def _book_cards(
    session: Session, cards: Sequence[Row[Any]], today: dict[int, date], ctx: _PassContext
) -> Counter[int]:
    """Charge every card's due statements in one statement; count the transfers booked."""
    charges: list[CardCharge] = []
    through: dict[int, date] = {}
    for card in cards:
        due, upto = charges_due(session, card, today[card.household_id])
        charges.extend(due)
        if card.booked_through is None or upto > card.booked_through:
            through[card.id] = upto
    booked = book_charges(session, charges, job_run_id=ctx.run_id)
    advance_cards(session, through)
    return Counter(household for household, transfer in booked if transfer is not None)


def _book(session: Session, work: _Work, today: dict[int, date], ctx: _PassContext) -> _Booked:
    """Book the sources, then charge the cards (whose statements now hold today's bookings)."""
    done = _book_specs(session, work.specs, today, ctx)
    done.charges.update(_book_cards(session, work.cards, today, ctx))
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
    report.charged.update(done.charges)
    report.held_back.extend(done.held_back)


def _units(work: _Work) -> list[tuple[_Work, BookingKind, int, str]]:
    """Each source and each card as work of its own, with what names it in a failure."""
    units: list[tuple[_Work, BookingKind, int, str]] = [
        (_Work(specs=[spec]), spec.info.kind, spec.info.source_id, spec.info.name)
        for spec in work.specs
    ]
    units += [(_Work(cards=[card]), "card_statement", card.id, card.name) for card in work.cards]
    return units


def _book_sources_one_by_one(
    session: Session, household: Any, today: date, ctx: _PassContext, report: PassReport
) -> None:
    work = _attempt(session, lambda: _load(session, [household.id]))
    if isinstance(work, Exception):
        report.errors[household.id] = reason_of(work)
        return
    failed: list[SourceFailure] = []
    for unit, kind, source_id, name in _units(work):
        outcome = _attempt(session, partial(_book, session, unit, {household.id: today}, ctx))
        if isinstance(outcome, Exception):
            reason = reason_of(outcome)
            log.warning("booking failed for %s %s: %s", kind, source_id, reason)
            failed.append(SourceFailure(household.id, kind, source_id, name, reason))
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
        session, lambda: _book(session, _load(session, [household.id]), {household.id: today}, ctx)
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
        return _book(session, _load(session, list(today)), today, ctx)

    outcome = _attempt(session, whole)
    if isinstance(outcome, Exception):
        for household in households:
            _book_household(session, household, ctx, report)
    else:
        _merge(report, outcome)


def run_booking_pass(
    session: Session, *, now: datetime, as_of: date | None = None, run_id: int | None = None
) -> PassReport:
    """Book every due occurrence and card statement charge, up to each household's today.

    `as_of` books up to that day instead, for every household.
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


def book_households(
    session: Session,
    household_ids: Sequence[int],
    *,
    now: datetime,
    as_of: date | None = None,
    run_id: int | None = None,
) -> PassReport:
    """Book what is due for these households only: one chunk of a pass spread over workers.

    Chunks of one pass run side by side, so each takes the pass lock shared: they wait
    for a whole pass holding it (and a whole pass skips while they run); the booking key
    keeps every occurrence and charge booked once whoever gets there first.
    """
    report = PassReport()
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": BOOKING_LOCK_KEY})
    households = session.execute(
        select(Household.id, Household.timezone)
        .where(Household.id.in_(list(household_ids)))
        .order_by(Household.id)
    ).all()
    _book_chunk(session, households, _PassContext(now, as_of, run_id), report)
    return report


def preview_booking(session: Session, household: Household, through: date) -> list[Occurrence]:
    """What a pass up to `through` would book for the household, without booking it."""
    due = [o for spec in load_specs(session, [household.id]) for o in due_to_book(spec, through)]
    return sorted(unbooked(session, due), key=lambda o: (o.due_date, o.kind, o.source_id))
