"""The nightly pass in chunks of households: book what is due, then evaluate their alerts.

A chunk is one unit of work: its bookings, its alerts and its share of the pass's record
(`jobs.report_chunk`) commit together or not at all. So a chunk whose worker dies leaves
nothing behind and runs again whole elsewhere, and a chunk that an earlier attempt
already reported is refused at the end (`ChunkTakenError`: the caller rolls it back),
so every household's alerts are evaluated once per pass and its totals counted once.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.db.models import Household
from domain.errors import DomainError
from domain.rules.alert_rules import BookingFailure
from domain.rules.dates import local_today
from domain.services.alerts import refresh_chunk
from domain.services.audit import act_as_scheduler
from domain.services.booking import PassReport, book_households
from domain.services.jobs import chunk_reported, report_chunk

log = logging.getLogger("cashflow.nightly")
CHUNK_HOUSEHOLDS = 250  # a chunk's alerts load their answers once; a retry redoes this many


class ChunkTakenError(DomainError):
    """Another attempt at this chunk has reported already: this one must roll back."""


@dataclass(frozen=True)
class ChunkOutcome:
    """What a chunk did: its booking report, alerts evaluated and failed, seconds per phase."""

    report: PassReport
    evaluated: int
    failed: int
    booking_seconds: float
    alerts_seconds: float


def plan_chunks(session: Session, *, size: int = CHUNK_HOUSEHOLDS) -> list[list[int]]:
    """Every household's id, oldest first, cut into chunks of `size`."""
    ids = list(session.scalars(select(Household.id).order_by(Household.id)))
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def _failures(report: PassReport) -> dict[int, list[BookingFailure]]:
    found: dict[int, list[BookingFailure]] = defaultdict(list)
    for f in report.failures:
        found[f.household_id].append(BookingFailure(f.kind, f.source_id, f.name, f.reason))
    return found


def _todays(homes: Sequence[Household], now: datetime) -> tuple[list[Household], dict[int, date]]:
    """Each household's own today; one whose timezone is broken is left out (and logged)."""
    kept, today = [], {}
    for home in homes:
        try:
            today[home.id] = local_today(now, home.timezone)
        except Exception:  # a bad timezone stops this household's alerts only
            log.exception("no today for the alerts of household %s", home.id)
            continue
        kept.append(home)
    return kept, today


def evaluate_alerts(
    session: Session, ids: Sequence[int], now: datetime, report: PassReport
) -> tuple[int, int]:
    """These households' alerts after the booking `report` (evaluated, failed), read at once."""
    homes = list(
        session.scalars(select(Household).where(Household.id.in_(ids)).order_by(Household.id))
    )
    kept, today = _todays(homes, now)
    evaluated, failed = refresh_chunk(session, kept, today, now, failed=_failures(report))
    return evaluated, failed + len(homes) - len(kept)


def share_of(outcome: ChunkOutcome) -> dict[str, object]:
    """A chunk's share of its pass's record (see `jobs.open_chunked_run`)."""
    details = outcome.report.details()
    details.pop("max_per_source", None)
    return {
        **details,
        "alerts": {"evaluated": outcome.evaluated, "failed": outcome.failed},
        "seconds": {"booking": outcome.booking_seconds, "alerts": outcome.alerts_seconds},
        "workers": [f"{socket.gethostname()}:{os.getpid()}"],
    }


def run_chunk(
    session: Session,
    run_id: int,
    index: int,
    household_ids: Sequence[int],
    *,
    now: datetime,
    as_of: date | None = None,
) -> ChunkOutcome:
    """Book the chunk's households, evaluate their alerts, report into the pass's record."""
    if chunk_reported(session, run_id, index):
        raise ChunkTakenError(f"chunk {index} of pass {run_id} is done already")
    act_as_scheduler(session)
    started = time.perf_counter()
    report = book_households(session, household_ids, now=now, as_of=as_of, run_id=run_id)
    booked = time.perf_counter()
    evaluated, failed = evaluate_alerts(session, household_ids, now, report)
    outcome = ChunkOutcome(
        report, evaluated, failed, booked - started, time.perf_counter() - booked
    )
    if not report_chunk(session, run_id, index, share_of(outcome), now=datetime.now(now.tzinfo)):
        raise ChunkTakenError(f"chunk {index} of pass {run_id} was reported meanwhile")
    log.info(
        "chunk %s of pass %s: %s rows, %s charges, %s alerts evaluated (%s failed)",
        index,
        run_id,
        report.total,
        report.charges_total,
        evaluated,
        failed,
    )
    return outcome
