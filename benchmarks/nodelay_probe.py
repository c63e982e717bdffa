"""Does stock `uvicorn --workers 2` lose TCP_NODELAY here, and does the product keep it?"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.api_bench import BASELINE_APP
from benchmarks.environment import server_env
from benchmarks.load import Sample, measure
from benchmarks.page import PAGE_ENV, PageSpec
from benchmarks.servers import uvicorn_server

WORKERS = 2
WARM_UP_SECONDS = 0.5


@dataclass(frozen=True)
class NodelayProbe:
    """The baseline over one keep-alive connection: stock uvicorn, and as the product serves."""

    stock: Sample
    kept: Sample


def _one_connection(url: str, spec: PageSpec, *, stock: bool, seconds: float) -> Sample:
    """One request at a time against the baseline with two workers."""
    env = server_env(url, **{PAGE_ENV: spec.to_env()})
    server = uvicorn_server(BASELINE_APP, workers=WORKERS, env=env, stock=stock)
    with server as (base, _pid):
        target = f"{base}/page?{spec.query_string()}"
        measure(target, {}, seconds=WARM_UP_SECONDS, connections=1)
        return measure(target, {}, seconds=seconds, connections=1)


def probe_nodelay(url: str, spec: PageSpec, *, seconds: float = 2.0) -> NodelayProbe:
    """Measure the same server both ways, one request at a time."""
    stock = _one_connection(url, spec, stock=True, seconds=seconds)
    kept = _one_connection(url, spec, stock=False, seconds=seconds)
    return NodelayProbe(stock, kept)
