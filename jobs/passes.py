"""One pass of each job: a unit of work of its own, recorded in `job_runs`."""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.services.auth import prune_auth_records
from domain.services.jobs import record_job_run

log = logging.getLogger("cashflow.jobs")


def heartbeat_pass(factory: sessionmaker[Session], settings: Settings) -> None:
    """Record that the scheduler is alive, and prune expired auth records."""
    started = datetime.now(UTC)
    with factory() as session, session.begin():
        pruned = prune_auth_records(session, settings, started)
        record_job_run(
            session,
            job="heartbeat",
            started_at=started,
            finished_at=datetime.now(UTC),
            status="ok",
            details={"host": socket.gethostname(), "pid": os.getpid(), "pruned": pruned},
        )
    log.info("heartbeat recorded", extra={"pruned": pruned})
