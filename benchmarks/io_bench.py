"""Import and export at 100,000 transactions, each beside its baseline in the same run.

- Excel: `export_workbook` (every sheet, the ledger streamed from a server-side cursor)
  against a bare openpyxl write-only loop over the same rows read by the same SQL. Time,
  and peak memory growth at a tenth of the rows and at all of them (flat means the two
  are close). Each measurement runs in a fresh process, so peaks do not mix.
- Import: `commit_import` of a 100,000-row bank CSV (parse, check, categorise, key, insert,
  commit) against a plain COPY of the same rows (source "import", as an import writes them:
  the audit trigger runs for each row and skips it), and a COPY with the trigger switched
  off, whose difference is what the trigger costs an import.

Rounds are interleaved (A B A B ...) and medians compared; figures are printed, not asserted.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from openpyxl import Workbook
from sqlalchemy.orm import Session

from benchmarks.dataset import delete_people
from benchmarks.environment import bench_databases, configure
from benchmarks.io_data import bank_csv, copy_rows, copy_text, fill_ledger, new_household
from domain.db.engine import create_db_engine, libpq_url, make_session_factory, unit_of_work
from domain.db.migrate import upgrade_database
from domain.db.models import Household, User
from domain.services.exports import export_workbook
from domain.services.imports import Upload, commit_import

PREFIX = "iobench"
BARE_SQL = """
SELECT t.date, t.type, c.name, t.amount, t.description, t.notes, t.currency, t.source
FROM transactions t
LEFT JOIN categories c ON c.id = t.category_id AND c.household_id = t.household_id
WHERE t.household_id = %s ORDER BY t.date, t.id
"""


def _peak_kib() -> int:
    """The process's highest resident memory so far (Linux's VmHWM).

    Not `getrusage`'s ru_maxrss: Linux carries that over from the parent through fork and
    exec, so a child started by a large benchmark process reports the parent's peak.
    """
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def _resident_kib() -> int:
    """The process's resident memory now (Linux)."""
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * resource.getpagesize() // 1024


def _export_ours(url: str, household_id: int) -> None:
    factory = make_session_factory(create_db_engine(url))
    with unit_of_work(factory) as session, tempfile.TemporaryFile() as out:
        household = session.get(Household, household_id)
        assert household is not None  # noqa: S101 - set up by the parent
        export_workbook(session, household, datetime.now(UTC).date(), out, language="en")


def _export_bare(url: str, household_id: int) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Transactions")
    with (
        psycopg.connect(libpq_url(url)) as conn,
        conn.cursor(name="bare") as cursor,
        tempfile.TemporaryFile() as out,
    ):
        cursor.itersize = 5000
        cursor.execute(BARE_SQL, (household_id,))
        for row in cursor:
            sheet.append(row)
        book.save(out)


def child(argv: list[str]) -> None:
    """In a fresh process: run one export, print its seconds and its peak memory growth."""
    kind, url, household_id = argv
    configure(url)
    before = _resident_kib()
    start = time.perf_counter()
    (_export_ours if kind == "ours" else _export_bare)(url, int(household_id))
    seconds = time.perf_counter() - start
    sys.stdout.write(f"{seconds:.3f} {_peak_kib() - before}\n")


def _measure(kind: str, url: str, household_id: int) -> tuple[float, float]:
    """(seconds, peak MiB growth) of one export in a fresh process."""
    done = subprocess.run(  # noqa: S603 - our own module with fixed arguments
        [sys.executable, "-m", "benchmarks.io_bench", "child", kind, url, str(household_id)],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, kib = done.stdout.split()
    return float(seconds), int(kib) / 1024


def _households(url: str, sizes: tuple[int, ...]) -> dict[int, int]:
    settings = configure(url)
    factory = make_session_factory(create_db_engine(url))
    ids = {}
    for size in sizes:
        with unit_of_work(factory) as session:
            ids[size] = new_household(session, settings, PREFIX).id
        fill_ledger(url, ids[size], size)
    return ids


def _export_lines(url: str, rows: int, rounds: int) -> list[str]:
    small = rows // 10
    homes = _households(url, (small, rows))
    times: dict[str, list[float]] = {"ours": [], "bare": []}
    peaks: dict[tuple[str, int], float] = {}
    for _ in range(rounds):
        for kind in ("ours", "bare"):
            seconds, peak = _measure(kind, url, homes[rows])
            times[kind].append(seconds)
            peaks[(kind, rows)] = max(peaks.get((kind, rows), 0.0), peak)
    for kind in ("ours", "bare"):
        peaks[(kind, small)] = _measure(kind, url, homes[small])[1]
    ours, bare = statistics.median(times["ours"]), statistics.median(times["bare"])
    return [
        f"Excel export, {rows:,} transactions ({rounds} interleaved rounds, medians): "
        f"export_workbook {ours:.1f} s, bare openpyxl write-only loop {bare:.1f} s: "
        f"{ours / bare:.2f}x (target <= 1.5x)",
        f"  peak memory growth: export_workbook {peaks[('ours', small)]:.0f} MiB at "
        f"{small:,} rows, {peaks[('ours', rows)]:.0f} MiB at {rows:,}; bare loop "
        f"{peaks[('bare', small)]:.0f} MiB and {peaks[('bare', rows)]:.0f} MiB",
    ]


def _import_once(url: str, data: bytes) -> float:
    settings = configure(url)
    factory = make_session_factory(create_db_engine(url))
    with unit_of_work(factory) as session:
        household_id = new_household(session, settings, PREFIX).id
    start = time.perf_counter()
    with unit_of_work(factory) as session:
        household = session.get(Household, household_id)
        assert household is not None  # noqa: S101 - created above
        commit_import(session, household, Upload(data, "bench.csv"), datetime.now(UTC).date())
    return time.perf_counter() - start


def _copy_once(url: str, rows: int, *, audited: bool) -> float:
    settings = configure(url)
    factory = make_session_factory(create_db_engine(url))
    with unit_of_work(factory) as session:
        household_id = new_household(session, settings, PREFIX).id
    data = copy_text(rows, household_id)
    start = time.perf_counter()
    copy_rows(url, data, audited=audited)
    return time.perf_counter() - start


def _import_lines(url: str, rows: int, rounds: int) -> list[str]:
    data = bank_csv(rows)
    ours: list[float] = []
    plain: list[float] = []
    quiet: list[float] = []
    for _ in range(rounds):
        ours.append(_import_once(url, data))
        plain.append(_copy_once(url, rows, audited=True))
        quiet.append(_copy_once(url, rows, audited=False))
    ours_rate, copy_rate = rows / statistics.median(ours), rows / statistics.median(plain)
    quiet_rate = rows / statistics.median(quiet)
    return [
        f"CSV import, {rows:,} rows ({len(data) / 1e6:.1f} MB, {rounds} interleaved rounds, "
        f"medians): commit_import {ours_rate:,.0f} rows/s, plain COPY {copy_rate:,.0f} rows/s: "
        f"{100 * ours_rate / copy_rate:.0f}% of COPY (target >= 10%)",
        f"    the audit trigger on import rows (called for each, skips it): COPY with it "
        f"{copy_rate:,.0f} rows/s, without it {quiet_rate:,.0f} rows/s "
        f"({1e6 * (1 / copy_rate - 1 / quiet_rate):.1f} us per row)",
    ]


def _clean(url: str) -> None:
    engine = create_db_engine(url)
    with Session(engine) as session, session.begin():
        delete_people(session, User.username.like(f"{PREFIX}_%"))
    engine.dispose()


def run_io_benchmarks(url: str | None = None, *, rounds: int = 3, rows: int = 100_000) -> list[str]:
    """Run both comparisons on the database at `url` (or a bench database); return the lines."""
    if url is None:
        with bench_databases() as databases:
            upgrade_database(databases.ledger)
            return run_io_benchmarks(databases.ledger, rounds=rounds, rows=rows)
    try:
        return _export_lines(url, rows, rounds) + _import_lines(url, rows, rounds)
    finally:
        _clean(url)


if __name__ == "__main__":
    if sys.argv[1:2] == ["child"]:
        child(sys.argv[2:])
    else:
        for line in run_io_benchmarks():
            sys.stdout.write(line + "\n")
