"""The list endpoint against the psycopg baseline over HTTP, interleaved round by round."""

from __future__ import annotations

import statistics
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace

import httpx

from benchmarks.environment import server_env
from benchmarks.load import Sample, measure
from benchmarks.page import PAGE_ENV, PageSpec
from benchmarks.servers import group_cpu_seconds, uvicorn_server

API_APP = "api.app:create_app"
BASELINE_APP = "benchmarks.baseline_app:create_app"
LIST_PATH = "/api/v1/transactions"
WARM_UP_SECONDS = 2.0


class MismatchError(RuntimeError):
    """The two endpoints did not serve the same page."""


@dataclass(frozen=True)
class Target:
    """An endpoint to load: its full URL, headers, and its server's process id."""

    name: str
    url: str
    headers: Mapping[str, str]
    pid: int


@dataclass(frozen=True)
class Options:
    """How hard and how long to measure."""

    rounds: int = 3
    seconds: float = 5.0
    connections: int = 8


@dataclass
class Comparison:
    """Every round of the list endpoint and of the baseline at one worker count."""

    workers: int
    matching_rows: int = 0
    list_samples: list[Sample] = field(default_factory=list)
    baseline_samples: list[Sample] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Median list rps over median baseline rps."""
        return median_rps(self.list_samples) / median_rps(self.baseline_samples)


def median_rps(samples: list[Sample]) -> float:
    """The median requests per second over the rounds."""
    return statistics.median(sample.rps for sample in samples)


def median_p99(samples: list[Sample]) -> float:
    """The median of the rounds' 99th percentile latencies, in seconds."""
    return statistics.median(sample.p99 for sample in samples)


def median_cpu(samples: list[Sample]) -> float:
    """The median server CPU seconds per request over the rounds."""
    return statistics.median(sample.cpu_per_request for sample in samples)


def median_client_cpu(samples: list[Sample]) -> float:
    """The median load generator CPU seconds per request over the rounds."""
    return statistics.median(sample.client_cpu_per_request for sample in samples)


def _ids(target: Target) -> tuple[list[int], int]:
    response = httpx.get(target.url, headers=dict(target.headers), timeout=30.0)
    response.raise_for_status()
    body = response.json()
    return [item["id"] for item in body["items"]], int(body["total"])


def check_same_page(first: Target, second: Target) -> int:
    """Both endpoints must answer the same rows in the same order; return the filter's total."""
    ids, total = _ids(first)
    if (ids, total) != _ids(second) or not ids:
        raise MismatchError(f"{first.name} and {second.name} serve different pages")
    return total


def _sample(target: Target, options: Options, seconds: float) -> Sample:
    before = group_cpu_seconds(target.pid)
    sample = measure(target.url, target.headers, seconds=seconds, connections=options.connections)
    cpu = group_cpu_seconds(target.pid) - before
    return replace(sample, server_cpu=cpu)


@contextmanager
def _targets(url: str, spec: PageSpec, token: str, workers: int) -> Iterator[tuple[Target, Target]]:
    """Start the API and the baseline with `workers` workers each."""
    query = spec.query_string()
    with ExitStack() as stack:
        api, api_pid = stack.enter_context(
            uvicorn_server(API_APP, workers=workers, env=server_env(url))
        )
        base, base_pid = stack.enter_context(
            uvicorn_server(
                BASELINE_APP, workers=workers, env=server_env(url, **{PAGE_ENV: spec.to_env()})
            )
        )
        auth = {"Authorization": f"Bearer {token}"}
        yield (
            Target("list", f"{api}{LIST_PATH}?{query}", auth, api_pid),
            Target("baseline", f"{base}/page?{query}", {}, base_pid),
        )


def compare(url: str, spec: PageSpec, token: str, workers: int, options: Options) -> Comparison:
    """Warm both servers up, then measure list, baseline, list, baseline ... for each round."""
    result = Comparison(workers)
    with _targets(url, spec, token, workers) as (listing, baseline):
        result.matching_rows = check_same_page(listing, baseline)
        for target in (listing, baseline):
            _sample(target, options, WARM_UP_SECONDS)
        for _ in range(options.rounds):
            result.list_samples.append(_sample(listing, options, options.seconds))
            result.baseline_samples.append(_sample(baseline, options, options.seconds))
    return result
