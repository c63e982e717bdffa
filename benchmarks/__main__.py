"""`python -m benchmarks` (`make bench`): ledger, booking pass, forecast, import and export."""

from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime

from benchmarks import report
from benchmarks.api_bench import Options, compare
from benchmarks.booking_bench import compare_booking
from benchmarks.booking_data import ensure_booking_dataset
from benchmarks.dataset import PASSWORD, USERNAME, ensure_dataset
from benchmarks.environment import bench_databases, configure
from benchmarks.forecast_bench import compare_forecast
from benchmarks.forecast_data import ensure_forecast_dataset, forecast_database
from benchmarks.io_bench import run_io_benchmarks
from benchmarks.nightly import run_nightly_benchmarks
from benchmarks.nodelay_probe import probe_nodelay
from benchmarks.page import PageSpec
from benchmarks.sql_bench import page_variants, time_queries
from benchmarks.ui_bench import measure_ledger_page
from benchmarks.ui_pages import measure_ui_pages, ui_pages_lines
from domain.db.migrate import upgrade_database

# PERFORMANCE.md's targets for the heavy household: a page, a forecast slider change.
PAGE_TARGET, SLIDER_TARGET = 0.300, 0.500


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="uvicorn workers")
    parser.add_argument("--ui-rounds", type=int, default=3, help="AppTest rounds")
    parser.add_argument("--skip-ledger", action="store_true", help="skip everything ledger")
    parser.add_argument("--skip-api", action="store_true", help="skip the HTTP comparison")
    parser.add_argument("--skip-ui", action="store_true", help="skip the AppTest render")
    parser.add_argument("--skip-booking", action="store_true", help="skip the booking pass")
    parser.add_argument("--skip-forecast", action="store_true", help="skip the forecast")
    parser.add_argument(
        "--skip-ui-pages", action="store_true", help="skip every page's render (AppTest)"
    )
    parser.add_argument("--skip-io", action="store_true", help="skip Excel export and CSV import")
    parser.add_argument("--skip-nightly", action="store_true", help="skip the nightly pass")
    parser.add_argument(
        "--forecast-rounds", type=int, default=11, help="interleaved forecast/read rounds"
    )
    return parser


def _options(args: argparse.Namespace) -> Options:
    return Options(rounds=args.rounds, seconds=args.seconds, connections=args.connections)


def _run_api(url: str, spec: PageSpec, token: str, args: argparse.Namespace) -> None:
    if any(workers > 1 for workers in args.workers):
        for line in report.nodelay_lines(probe_nodelay(url, spec)):
            report.emit(line)
    options = _options(args)
    for workers in args.workers:
        result = compare(url, spec, token, workers, options)
        for line in report.comparison_lines(result):
            report.emit(line)


def _run_ledger(url: str, args: argparse.Namespace) -> None:
    """The list endpoint against its baseline, its SQL alone, the ledger page's render."""
    settings = configure(url)
    user = ensure_dataset(settings, url, datetime.now(UTC).date())
    report.emit(report.dataset_line(user))
    spec = PageSpec.last_year(user.household_id, user.last_day)
    report.emit(report.page_line(spec, _options(args)))
    report.emit(report.sql_line(time_queries(url, page_variants(spec), rounds=args.rounds)))
    if not args.skip_api:
        _run_api(url, spec, user.token, args)
    if not args.skip_ui:
        result = measure_ledger_page(USERNAME, PASSWORD, rounds=args.ui_rounds)
        report.emit(report.ui_line(result))


def _run_booking(url: str, args: argparse.Namespace) -> None:
    """The booking pass over 10,000 households against its multi-row INSERT baselines."""
    report.emit(report.booking_data_line(ensure_booking_dataset(url)))
    for line in report.booking_lines(compare_booking(url, rounds=args.rounds)):
        report.emit(line)


def _run_forecast(ledger_url: str, args: argparse.Namespace) -> None:
    """The heavy household's 36-month forecast against reading its rows, on its own database."""
    with forecast_database(ledger_url) as url:
        upgrade_database(url)
        data = ensure_forecast_dataset(configure(url), url)
        report.emit(report.forecast_data_line(data))
        if not args.skip_forecast:
            result = compare_forecast(url, data.household_id, rounds=args.forecast_rounds)
            for line in report.forecast_lines(result):
                report.emit(line)
        if not args.skip_ui_pages:  # the same heavy household, through the UI
            pages = measure_ui_pages(args.ui_rounds)
            for line in ui_pages_lines(pages, target=PAGE_TARGET, slider_target=SLIDER_TARGET):
                report.emit(line)


def main(argv: list[str] | None = None) -> int:
    """Run the ledger benchmarks, the booking pass's, the forecast's, each on its own database."""
    args = _parser().parse_args(argv)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The booking pass's set-based statements take seconds by design; the figures say so.
    logging.getLogger("cashflow.slow_query").setLevel(logging.ERROR)
    report.emit("Cashflow benchmarks: figures are printed, not asserted; the machine is noisy.")
    with bench_databases() as databases:
        upgrade_database(databases.ledger)
        upgrade_database(databases.booking)
        if not args.skip_ledger:
            _run_ledger(databases.ledger, args)
        if not args.skip_booking:
            _run_booking(databases.booking, args)
        if not (args.skip_forecast and args.skip_ui_pages):
            _run_forecast(databases.ledger, args)
        if not args.skip_io:
            for line in run_io_benchmarks(databases.ledger, rounds=args.rounds):
                report.emit(line)
        if not args.skip_nightly:  # 10,000 households, 1 and 2 workers (benchmarks/nightly.py)
            for line in run_nightly_benchmarks(databases.ledger):
                report.emit(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
