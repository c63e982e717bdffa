"""The nightly pass for 10,000 typical households: its phases, peak memory, 1 and 2 workers.

Each measurement starts from the same night (`nightly_data.reset_pass`, outside the
clock), starts N `cashflow worker` processes, lets the scheduler's own function open
the pass and queue its chunks, and waits for the one job run to finish. The phases are
the run's own sums over its chunks (booking, alerts) and the prune pass, timed after it.
Peak memory is each worker's peak resident set (VmHWM), read when a quarter of the
chunks are done and again at the end: a pass over four times the households must not
need more memory than a quarter of it did.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from benchmarks.environment import (
    bench_databases,
    configure,
    server_env,
    side_database,
)
from benchmarks.nightly_data import NightlyDataset, ensure_dataset, reset_pass
from benchmarks.report import emit
from domain.db.engine import create_db_engine, make_session_factory
from domain.db.migrate import upgrade_database
from domain.db.models import JobRun
from domain.rules.dates import local_today
from jobs.passes import booking_and_alerts_pass, prune_pass
from jobs.queue import NightlyQueue

HOUSEHOLDS = 10_000
TARGET_SECONDS = 300.0
TIMEZONE = "Asia/Jerusalem"
POLL_SECONDS = 0.5


def nightly_database(ledger_url: str) -> AbstractContextManager[str]:
    """The nightly bench's own database beside the ledger's (see side_database)."""
    return side_database(ledger_url, "nightly")


@dataclass(frozen=True)
class NightlyRun:
    """One measured pass: wall seconds, phase sums, what it did, each worker's peak memory."""

    workers: int
    households: int
    seconds: float
    booking_seconds: float
    alerts_seconds: float
    prune_seconds: float
    booked: int
    evaluated: int
    failed: int
    chunks: int
    peak_quarter_mb: tuple[float, ...]  # each worker's peak RSS when 1/4 of the chunks were done
    peak_mb: tuple[float, ...]  # and at the end
    cpu_seconds: tuple[float, ...] = ()  # each worker's own CPU time (the database's not counted)


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident set size so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far, user and system (on a shared machine, wall time is not)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _details(factory: sessionmaker[Session], run_id: int) -> tuple[str, dict[str, object]]:
    with factory() as session:
        run = session.get_one(JobRun, run_id)
        return run.status, dict(run.details or {})


def _number(details: dict[str, object], key: str, part: str) -> float:
    found = details.get(key)
    return float(found.get(part, 0)) if isinstance(found, dict) else 0.0


def _wait(
    factory: sessionmaker[Session], run_id: int, workers: list[subprocess.Popen[bytes]]
) -> tuple[dict[str, object], tuple[float, ...]]:
    """Poll the run until it is done; note the workers' peaks once a quarter is done."""
    quarter: tuple[float, ...] = ()
    while True:
        status, details = _details(factory, run_id)
        done = details.get("chunks_done")
        chunks = int(str(details.get("chunks", 0)))
        if not quarter and isinstance(done, list) and len(done) * 4 >= chunks:
            quarter = tuple(peak_rss_mb(w.pid) for w in workers)
        if status != "running":
            return details, quarter
        if any(w.poll() is not None for w in workers):
            raise RuntimeError("a worker died during the nightly pass")
        time.sleep(POLL_SECONDS)


def measure_pass(url: str, households: int, workers: int) -> NightlyRun:
    """Reset, start `workers` worker processes, run one queued pass, then prune; time it."""
    reset_pass(url, local_today(datetime.now(UTC), TIMEZONE) - timedelta(days=1))
    settings = configure(url)
    engine = create_db_engine(url)
    factory = make_session_factory(engine)
    env = server_env(url)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "cashflow", "worker"], env=env, stderr=subprocess.DEVNULL
        )
        for _ in range(workers)
    ]
    try:
        started = time.perf_counter()
        run_id = booking_and_alerts_pass(factory, queue=NightlyQueue(url))
        if run_id is None:
            raise RuntimeError("the nightly pass was skipped")
        details, quarter = _wait(factory, run_id, procs)
        passed = time.perf_counter() - started
        peaks = tuple(peak_rss_mb(w.pid) for w in procs)
        cpu = tuple(cpu_seconds(w.pid) for w in procs)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
    with tempfile.TemporaryDirectory() as backups:
        settings.backup_dir = Path(backups)
        pruning = time.perf_counter()
        prune_pass(factory, settings)
        pruned = time.perf_counter() - pruning
    engine.dispose()
    return NightlyRun(
        workers,
        households,
        passed + pruned,
        _number(details, "seconds", "booking"),
        _number(details, "seconds", "alerts"),
        pruned,
        int(str(details.get("booked_total", 0))),
        int(_number(details, "alerts", "evaluated")),
        int(_number(details, "alerts", "failed")),
        int(str(details.get("chunks", 0))),
        quarter,
        peaks,
        cpu,
    )


def data_line(data: NightlyDataset) -> str:
    """Where the households came from."""
    how = "reused" if data.load_seconds is None else f"seeded in {data.load_seconds:.0f} s"
    return (
        f"nightly data: {data.households:,} households, {data.history:,} transactions over a "
        f"year, {data.fixed:,} fixed items, {data.plans:,} plans, {data.loans:,} loans ({how})"
    )


def run_line(run: NightlyRun) -> str:
    """One pass's figures, its target beside them."""
    met = "MET" if run.seconds < TARGET_SECONDS else "MISSED"
    quarter = "/".join(f"{mb:.0f}" for mb in run.peak_quarter_mb) or "-"
    peak = "/".join(f"{mb:.0f}" for mb in run.peak_mb)
    return (
        f"nightly pass, {run.workers} worker{'s' if run.workers > 1 else ''}: "
        f"{run.households:,} households in {run.seconds:.1f} s (target < {TARGET_SECONDS:.0f} s:"
        f" {met}); phases summed over {run.chunks} chunks: booking {run.booking_seconds:.1f} s, "
        f"alerts {run.alerts_seconds:.1f} s; prune {run.prune_seconds:.2f} s; "
        f"{run.booked:,} rows booked, {run.evaluated:,} households' alerts evaluated "
        f"({run.failed} failed); worker peak RSS {quarter} MB at 1/4 of the chunks, "
        f"{peak} MB at the end; worker CPU {'/'.join(f'{c:.0f}' for c in run.cpu_seconds)} s"
    )


def run_nightly_benchmarks(
    ledger_url: str, *, households: int = HOUSEHOLDS, workers: tuple[int, ...] = (1, 2)
) -> Iterator[str]:
    """The pass over `households` with each number of workers, a line each."""
    with nightly_database(ledger_url) as url:
        upgrade_database(url)
        today = local_today(datetime.now(UTC), TIMEZONE)
        yield data_line(ensure_dataset(url, households, today))
        for count in workers:
            yield run_line(measure_pass(url, households, count))


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.nightly [--households N]`: this section alone."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.nightly", description=__doc__)
    parser.add_argument("--households", type=int, default=HOUSEHOLDS)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    with bench_databases() as databases:
        for line in run_nightly_benchmarks(
            databases.ledger, households=args.households, workers=tuple(args.workers)
        ):
            emit(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
