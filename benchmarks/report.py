"""The benchmark's printed output: one line per figure, targets beside them."""

from __future__ import annotations

import statistics

from benchmarks.api_bench import (
    Comparison,
    Options,
    median_client_cpu,
    median_cpu,
    median_p99,
    median_rps,
)
from benchmarks.booking_bench import (
    BookingComparison,
    BookingSample,
    median_rows_per_second,
    median_seconds,
)
from benchmarks.booking_data import BookingDataset
from benchmarks.booking_parts import Breakdown
from benchmarks.booking_rows import AS_OF, WATERMARK
from benchmarks.dataset import BenchUser
from benchmarks.forecast_bench import MONTHS, ForecastComparison
from benchmarks.forecast_data import ForecastDataset
from benchmarks.forecast_parts import (
    BUILD_STEPS,
    GATHER_STEPS,
    KINDS,
    PASSES,
    SESSION_STEPS,
    ForecastParts,
)
from benchmarks.forecast_read import READS
from benchmarks.forecast_rows import SCHEDULER_SINCE, TODAY, YEARS
from benchmarks.load import Sample
from benchmarks.nodelay_probe import NodelayProbe
from benchmarks.page import PageSpec
from benchmarks.sql_bench import PairTiming
from benchmarks.ui_bench import UiResult

RPS_TARGET = 0.50
BOOKING_TARGET = 0.20
MIN_ROUNDS = 3
RENDER_TARGET_SECONDS = 1.0
NAGLE_SUSPECT_SECONDS = 0.020  # delayed ACK adds ~40 ms on Linux
FORECAST_RATIO_TARGET = 3.0
FORECAST_SECONDS_TARGET = 1.0
MIN_FORECAST_ROUNDS = 5
STEP_LABELS = {
    "session": "session (pool checkout, load the household, rollback)",
    "future": "future transactions",
    "keys": "booking keys",
    "flows": "known flows",
    "variable": "variable spending (bootstrap + spread)",
    "band": "band (paths, sort, P10/P90, chances)",
    "decimals": "Decimal columns",
    "frame": "DataFrame",
}


def emit(line: str = "") -> None:
    """Print one line of the report at once, whatever is buffered."""
    print(line, flush=True)  # noqa: T201 - the report is the benchmark's output


def verdict(met: bool) -> str:
    """MET or MISSED."""
    return "MET" if met else "MISSED"


def dataset_line(user: BenchUser) -> str:
    """Where the data came from."""
    how = "reused" if user.load_seconds is None else f"loaded by COPY in {user.load_seconds:.1f} s"
    return (
        f"data: user 'bench' in household {user.household_id}, {user.rows:,} transactions over "
        f"ten years to {user.last_day} ({how}, audit trigger off)"
    )


def page_line(spec: PageSpec, options: Options) -> str:
    """What page is measured and how."""
    few = "; fewer than 3 rounds: indicative only" if options.rounds < MIN_ROUNDS else ""
    return (
        f"page: type={spec.type}, {spec.date_from}..{spec.date_to}, sort -date, "
        f"limit {spec.limit}; {options.connections} keep-alive connections, "
        f"{options.seconds:g} s per measurement, {options.rounds} interleaved rounds{few}"
    )


def _side(name: str, samples: list[Sample]) -> str:
    return (
        f"{name} {median_rps(samples):.0f} rps (p99 {median_p99(samples) * 1000:.0f} ms, "
        f"{median_cpu(samples) * 1000:.2f} ms server CPU/req)"
    )


def comparison_lines(result: Comparison) -> list[str]:
    """The headline line of one worker count, then each round's figures."""
    plural = "worker" if result.workers == 1 else "workers"
    cpu_ratio = median_cpu(result.baseline_samples) / median_cpu(result.list_samples)
    headline = (
        f"ledger list, {result.workers} {plural}: {_side('list', result.list_samples)} | "
        f"{_side('baseline', result.baseline_samples)} | ratio {result.ratio:.2f} "
        f"(target >= {RPS_TARGET:.2f}) {verdict(result.ratio >= RPS_TARGET)}"
    )
    rounds = " ".join(
        f"{a.rps:.0f}/{b.rps:.0f}"
        for a, b in zip(result.list_samples, result.baseline_samples, strict=True)
    )
    client = median_client_cpu(result.list_samples + result.baseline_samples)
    return [
        headline,
        "    list = token and household scope (from the process's verification cache once "
        "warm, else two queries) + page query (count inline) through the "
        "API; baseline = the same page and count SQL, filtered by the same household_id, "
        "through plain psycopg, no authentication, no validation",
        f"    rounds list/baseline rps: {rounds}; server CPU per request baseline/list "
        f"{cpu_ratio:.2f}; load generator {client * 1000:.2f} ms CPU/req; both served the "
        f"same page of {result.matching_rows:,} matching rows",
    ]


def sql_line(timings: dict[str, PairTiming]) -> str:
    """The list endpoint's two data queries alone: the page, then its count."""
    parts = " | ".join(
        f"{label}: page {t.page * 1000:.2f} ms + count {t.count * 1000:.2f} ms"
        for label, t in timings.items()
    )
    return f"list SQL alone (psycopg, one connection, sequential, median): {parts}"


def ui_line(result: UiResult) -> str:
    """The ledger page's first render against its target."""
    if result.skipped is not None:
        return f"ledger page first render (AppTest): SKIPPED - {result.skipped}"
    median = statistics.median(result.seconds)
    each = " ".join(f"{s * 1000:.0f}" for s in result.seconds)
    return (
        f"ledger page first render (AppTest): median {median * 1000:.0f} ms over "
        f"{len(result.seconds)} rounds ({each} ms; {result.grid_rows} rows in the grid) "
        f"vs target < {RENDER_TARGET_SECONDS * 1000:.0f} ms "
        f"{verdict(median < RENDER_TARGET_SECONDS)}"
    )


def nodelay_lines(probe: NodelayProbe) -> list[str]:
    """Stock uvicorn with two workers against the product's way of serving."""
    stock, kept = probe.stock, probe.kept
    lost = stock.p50 > kept.p50 + NAGLE_SUSPECT_SECONDS
    still_lost = kept.p50 > stock.p50 + NAGLE_SUSPECT_SECONDS or kept.p50 > NAGLE_SUSPECT_SECONDS
    finding = (
        "stock uvicorn loses TCP_NODELAY (Nagle + delayed ACK, Kludex/uvicorn#3149); "
        "cashflow.serving keeps it"
        if lost
        else "no Nagle stall seen with stock uvicorn"
    )
    if still_lost:
        finding += "; WARNING: cashflow.serving still stalls"
    return [
        f"uvicorn --workers 2, one connection to the baseline: stock {stock.rps:.0f} rps "
        f"(median {stock.p50 * 1000:.1f} ms) vs cashflow.serving.run_uvicorn {kept.rps:.0f} rps "
        f"(median {kept.p50 * 1000:.1f} ms): {finding}",
        "    the comparisons below serve the API and the baseline alike through "
        "cashflow.serving.run_uvicorn (access log off)",
    ]


def booking_data_line(data: BookingDataset) -> str:
    """The households under the booking pass and where they came from."""
    how = "reused" if data.load_seconds is None else f"created in {data.load_seconds:.1f} s"
    return (
        f"booking data: {data.households:,} households with {data.fixed:,} fixed items, "
        f"{data.plans:,} installment plans, {data.loans:,} loans, all booked through "
        f"{WATERMARK}; one pass catches up to {AS_OF} ({how}; separate database)"
    )


def _booking_side(name: str, samples: list[BookingSample]) -> str:
    return f"{name} {median_seconds(samples):.2f} s, {median_rows_per_second(samples):,.0f} rows/s"


def booking_lines(result: BookingComparison) -> list[str]:
    """The headline of the booking pass against its baselines, its rounds and its parts."""
    headline = (
        f"booking pass, {result.rows:,} rows: {_booking_side('pass', result.pass_samples)} | "
        f"{_booking_side('baseline', result.baseline_samples)} | ratio {result.ratio:.2f} "
        f"(target >= {BOOKING_TARGET:.2f}) {verdict(result.ratio >= BOOKING_TARGET)}"
    )
    rounds = " ".join(
        f"{a.seconds:.2f}/{b.seconds:.2f}/{c.seconds:.2f}"
        for a, b, c in zip(
            result.pass_samples, result.baseline_samples, result.unaudited_samples, strict=True
        )
    )
    audit = median_seconds(result.baseline_samples) - median_seconds(result.unaudited_samples)
    return [
        headline,
        "    pass = run_booking_pass in one transaction as the scheduler, committed (loads, "
        "expands, claims, inserts, advances watermarks); baseline = the same transactions and "
        "booking keys, precomputed, one multi-row INSERT per table, committed, audit trigger on",
        f"    audit log: the pass wrote {result.audit_rows:,} audit rows; the baseline without "
        f"the trigger {_booking_side('', result.unaudited_samples).lstrip()}: the trigger costs "
        f"{audit:.2f} s ({audit / median_seconds(result.pass_samples):.0%} of the pass, "
        f"{1e6 * audit / max(result.rows, 1):.1f} us per booked row)",
        f"    rounds pass/baseline/unaudited baseline s: {rounds}; the first pass's rows are the "
        "baselines', every step wrote the same (count, sum, dates, keys checked); no older "
        "rows in the tables",
        _parts_line(result.parts),
        _parts_line(result.unaudited_parts),
    ]


def _share(seconds: float, parts: Breakdown) -> str:
    return f"{seconds:.2f} s ({seconds / parts.total:.0%})"


def _parts_line(parts: Breakdown) -> str:
    """The pass's steps on its first chunk of households."""
    expand = ", ".join(
        f"{kind} {parts.expand[kind]:.2f} s for {parts.sources[kind]:,}"
        for kind in sorted(parts.expand)
    )
    return (
        f"    where the pass's time goes (its first chunk, {parts.households:,} households, "
        f"audit trigger {'on' if parts.audited else 'off'}, once, rolled back; "
        f"{parts.total:.2f} s): load specs {_share(parts.load, parts)}, expand "
        f"{_share(sum(parts.expand.values()), parts)} ({expand}), insert "
        f"{_share(parts.insert, parts)}, watermarks {_share(parts.watermarks, parts)}"
    )


def forecast_data_line(data: ForecastDataset) -> str:
    """The heavy household under the forecast and where the rows came from."""
    how = "reused" if data.load_seconds is None else f"created in {data.load_seconds:.1f} s"
    return (
        f"forecast data: user 'forecast-heavy' (own household), {data.transactions:,} "
        f"transactions over "
        f"{YEARS} years to {TODAY} ({data.booked:,} booked by the scheduler since "
        f"{SCHEDULER_SINCE}, {data.dated_ahead} dated ahead), {data.fixed} fixed items "
        f"({data.paused} paused), {data.plans} installment plans, {data.loans} loans "
        f"({data.prepayments} prepayments), {data.bookings:,} booking keys ({data.paid_ahead} "
        f"paid ahead of their due dates), {data.balances} "
        f"balance readings ({how}; separate database)"
    )


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def _steps(parts: ForecastParts, names: tuple[str, ...]) -> str:
    return ", ".join(f"{STEP_LABELS.get(name, name)} {_ms(parts.steps[name])}" for name in names)


def _forecast_parts_line(parts: ForecastParts) -> str:
    """The forecast's steps: its session, gather, build, with expansion alone by kind."""
    session, gather = parts.total(SESSION_STEPS), parts.total(GATHER_STEPS)
    build = parts.total(BUILD_STEPS)
    total = session + gather + build
    expand = ", ".join(f"{kind} {_ms(parts.expand[kind])}" for kind in KINDS)
    return (
        f"    where the forecast's time goes (median of {PASSES} passes, ms; sum "
        f"{_ms(total)}): {_steps(parts, SESSION_STEPS)} ({session / total:.0%}); gather_inputs "
        f"{_ms(gather)} ({gather / total:.0%}) = {_steps(parts, GATHER_STEPS)}; "
        f"build_forecast {_ms(build)} ({build / total:.0%}) = {_steps(parts, BUILD_STEPS)}; "
        f"of expected_events, the expansion alone: {expand}"
    )


def forecast_lines(result: ForecastComparison) -> list[str]:
    """The forecast against merely reading its rows, the rounds, where the time goes."""
    shape, rows, rounds = result.shape, result.rows, len(result.forecast_seconds)
    few = "; fewer than 5 rounds: indicative only" if rounds < MIN_FORECAST_ROUNDS else ""
    ratio_met = result.ratio <= FORECAST_RATIO_TARGET
    fast = result.forecast < FORECAST_SECONDS_TARGET
    sources = ", ".join(f"{count} {kind}" for kind, count in shape.sources.items())
    read = ", ".join(f"{rows[table]:,} {table}" for table in READS)
    pairs = " ".join(
        f"{_ms(f)}/{_ms(r)}"
        for f, r in zip(result.forecast_seconds, result.read_seconds, strict=True)
    )
    return [
        f"forecast, {MONTHS} months daily with the band: forecast {result.forecast:.3f} s | "
        f"read {result.read:.3f} s | ratio {result.ratio:.2f} (target <= "
        f"{FORECAST_RATIO_TARGET:.2f}) {verdict(ratio_met)} | forecast < "
        f"{FORECAST_SECONDS_TARGET:g} s {verdict(fast)}",
        f"    forecast = forecast_for(session, household, {TODAY}, months={MONTHS}) end to end in "
        f"one rolled-back session from a warm pool: {shape.days:,} days x {shape.paths} paths; "
        f"{sources} sources -> {shape.events:,} expected events; {shape.future} future "
        f"transactions, {shape.keys} booking keys, {shape.history} history categories",
        f"    read = plain psycopg, every column of every row the forecast depends on, "
        f"fetchall, one rolled-back transaction, no computation: {read}. The forecast sums "
        "the balance and the history in SQL, so it fetches far fewer rows than the read",
        f"    {rounds} interleaved rounds, forecast/read ms: {pairs}{few}",
        _forecast_parts_line(result.parts),
    ]
