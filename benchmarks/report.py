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
from benchmarks.dataset import BenchUser
from benchmarks.load import Sample
from benchmarks.nodelay_probe import NodelayProbe
from benchmarks.page import PageSpec
from benchmarks.ui_bench import UiResult

RPS_TARGET = 0.50
MIN_ROUNDS = 3
RENDER_TARGET_SECONDS = 1.0
NAGLE_SUSPECT_SECONDS = 0.020  # delayed ACK adds ~40 ms on Linux


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
        f"data: user 'bench', {user.rows:,} transactions over ten years to {user.last_day} ({how})"
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
        f"    rounds list/baseline rps: {rounds}; server CPU per request baseline/list "
        f"{cpu_ratio:.2f}; load generator {client * 1000:.2f} ms CPU/req; both served the "
        f"same page of {result.matching_rows:,} matching rows",
    ]


def sql_line(timings: dict[str, tuple[float, float]]) -> str:
    """The page query alone, with and without its window count."""
    parts = " | ".join(
        f"{label} {full * 1000:.1f} ms ({bare * 1000:.1f} ms without count(*) OVER ())"
        for label, (full, bare) in timings.items()
    )
    return f"page SQL alone (psycopg, one connection, sequential): {parts}"


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
    """Stock uvicorn with two workers against the same with TCP_NODELAY kept."""
    stock, kept = probe.stock, probe.kept
    lost = stock.p50 > kept.p50 + NAGLE_SUSPECT_SECONDS
    finding = (
        "TCP_NODELAY is lost: Nagle + delayed ACK (Kludex/uvicorn#3149); "
        "`cashflow api --workers N` pays this on every keep-alive response"
        if lost
        else "no Nagle stall seen"
    )
    return [
        f"uvicorn --workers 2, one connection to the baseline: stock {stock.rps:.0f} rps "
        f"(median {stock.p50 * 1000:.1f} ms) vs TCP_NODELAY kept {kept.rps:.0f} rps "
        f"(median {kept.p50 * 1000:.1f} ms): {finding}",
        "    the comparisons below run uvicorn through benchmarks/serve.py, which keeps "
        "TCP_NODELAY (with 1 worker it is stock uvicorn)",
    ]
