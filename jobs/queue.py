"""The nightly pass's chunks as Procrastinate tasks: the scheduler defers, workers run them.

Procrastinate keeps its queue in PostgreSQL (migration 0014): any number of
`cashflow worker` processes, on any machine that reaches the database, claim the chunks
with `SELECT ... FOR UPDATE SKIP LOCKED`. Each worker beats every `heartbeat` seconds;
a periodic task (deferred by whichever worker's clock comes first, once per tick) puts
back to the queue the chunks of workers silent for `stalled_after` seconds, so a chunk
whose worker was killed is run again by another within about `stalled_after +
check_every` seconds, plus the time that worker needs to finish the chunk in hand.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import date, datetime

from procrastinate import App, PsycopgConnector, RetryStrategy, SyncPsycopgConnector
from procrastinate.types import JSONDict, JSONValue
from sqlalchemy.orm import Session, sessionmaker

from domain.config import get_settings
from domain.db.engine import create_db_engine, libpq_url, make_session_factory
from jobs.passes import nightly_chunk_pass

log = logging.getLogger("cashflow.jobs")
QUEUE = "nightly"
CHUNK_TASK = "nightly_chunk"
STALLED_TASK = "retry_stalled_chunks"
HEARTBEAT_SECONDS = 10.0
STALLED_AFTER_SECONDS = 30.0
CHECK_EVERY_SECONDS = 10
STALLED_PRIORITY = 10  # before any chunk waiting in the queue
CHUNK_RETRY = RetryStrategy(max_attempts=3, wait=10)  # a chunk that raised (the database gone)


@functools.cache
def _factory(url: str) -> sessionmaker[Session]:
    """This worker process's session factory (one engine, shared by its chunks)."""
    return make_session_factory(create_db_engine(url))


def run_chunk_task(
    run_id: int, index: int, household_ids: list[int], now: str, as_of: str | None
) -> None:
    """A worker's side of a chunk: book, evaluate alerts, report into the pass's record."""
    url = get_settings().database_url
    if not url:
        raise RuntimeError("DATABASE_URL is not set")
    nightly_chunk_pass(
        _factory(str(url)),
        run_id,
        index,
        household_ids,
        now=datetime.fromisoformat(now),
        as_of=date.fromisoformat(as_of) if as_of else None,
    )


def _chunk_kwargs(
    run_id: int, chunks: Sequence[list[int]], now: datetime, as_of: date | None
) -> list[JSONDict]:
    return [
        {
            "run_id": run_id,
            "index": index,
            "household_ids": list[JSONValue](ids),
            "now": now.isoformat(),
            "as_of": as_of.isoformat() if as_of else None,
        }
        for index, ids in enumerate(chunks)
    ]


class NightlyQueue:
    """The scheduler's end of the queue: it defers one task per chunk of a pass."""

    def __init__(self, url: str) -> None:
        self.url = url

    def enqueue(
        self, run_id: int, chunks: Sequence[list[int]], *, now: datetime, as_of: date | None
    ) -> list[int]:
        """Defer every chunk of the pass in one statement; return the job ids."""
        if not chunks:
            return []
        app = App(connector=SyncPsycopgConnector(conninfo=libpq_url(self.url)))
        with app.open():
            deferrer = app.configure_task(CHUNK_TASK, queue=QUEUE)
            return deferrer.batch_defer(*_chunk_kwargs(run_id, chunks, now, as_of))


def worker_app(url: str, *, stalled_after: float, check_every: int) -> App:
    """A worker's app: the chunk task, and the periodic retry of stalled chunks."""
    app = App(connector=PsycopgConnector(conninfo=libpq_url(url)))
    app.task(name=CHUNK_TASK, queue=QUEUE, retry=CHUNK_RETRY)(run_chunk_task)

    async def retry_stalled(timestamp: int) -> None:
        """Put back the chunks of workers whose heartbeat stopped (killed, or the machine gone)."""
        stalled = await app.job_manager.get_stalled_jobs(
            queue=QUEUE, task_name=CHUNK_TASK, seconds_since_heartbeat=stalled_after
        )
        for job in stalled:
            log.warning("chunk job %s of a stalled worker goes back to the queue", job.id)
            await app.job_manager.retry_job(job)

    task = app.task(
        name=STALLED_TASK, queue=QUEUE, queueing_lock=STALLED_TASK, priority=STALLED_PRIORITY
    )(retry_stalled)
    # croniter's sixth field is the seconds: "*/10 * * * * *" was every second of every
    # tenth minute, so a stalled chunk waited up to ten minutes.
    app.periodic(cron=f"* * * * * */{check_every}")(task)
    return app


def run_worker(
    url: str,
    *,
    heartbeat: float = HEARTBEAT_SECONDS,
    stalled_after: float = STALLED_AFTER_SECONDS,
    check_every: int = CHECK_EVERY_SECONDS,
    name: str | None = None,
) -> None:
    """Claim and run chunks until SIGINT or SIGTERM (a chunk in hand is finished first)."""
    app = worker_app(url, stalled_after=stalled_after, check_every=check_every)
    if not log.isEnabledFor(logging.DEBUG):  # its lines for every check would drown the rest
        logging.getLogger("procrastinate").setLevel(logging.WARNING)
    log.info("worker started on queue %s (heartbeat every %ss)", QUEUE, heartbeat)
    app.run_worker(
        queues=[QUEUE],
        name=name or "worker",
        concurrency=1,
        update_heartbeat_interval=heartbeat,
        stalled_worker_timeout=stalled_after,
        delete_jobs="successful",
    )
