"""A small HTTP/1.1 load generator: keep-alive connections on asyncio streams.

Hand-written rather than httpx so that the generator's own CPU, which competes with the
servers on this 2-core machine, stays small (tens of microseconds a request).
"""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

HEADER_END = b"\r\n\r\n"
LENGTH_HEADER = b"\r\ncontent-length:"


class LoadError(RuntimeError):
    """The server answered something other than a plain 200 with a length."""


@dataclass(frozen=True)
class Sample:
    """One measurement: how many requests completed in how long, and their latencies."""

    requests: int
    seconds: float
    latencies: tuple[float, ...]
    client_cpu: float = 0.0  # CPU seconds this generator used
    server_cpu: float = 0.0  # CPU seconds the server used meanwhile, when known

    @property
    def rps(self) -> float:
        """Requests per second."""
        return self.requests / self.seconds

    @property
    def p50(self) -> float:
        """The median latency in seconds."""
        return statistics.median(self.latencies)

    @property
    def p99(self) -> float:
        """The 99th percentile latency in seconds."""
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(0.99 * len(ordered)) - 1)]

    @property
    def cpu_per_request(self) -> float:
        """Server CPU seconds per request."""
        return self.server_cpu / self.requests

    @property
    def client_cpu_per_request(self) -> float:
        """The generator's own CPU seconds per request."""
        return self.client_cpu / self.requests


def _request_bytes(url: str, headers: Mapping[str, str]) -> tuple[str, int, bytes]:
    parts = urlsplit(url)
    target = f"{parts.path}?{parts.query}" if parts.query else parts.path
    lines = [f"GET {target} HTTP/1.1", f"Host: {parts.netloc}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return (
        parts.hostname or "127.0.0.1",
        parts.port or 80,
        ("\r\n".join(lines) + "\r\n\r\n").encode(),
    )


def _content_length(head: bytes) -> int:
    """The body length of a 200 response head; anything else stops the measurement."""
    if not head.startswith(b"HTTP/1.1 200 "):
        raise LoadError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
    lowered = head.lower()
    start = lowered.find(LENGTH_HEADER)
    if start < 0:
        raise LoadError("response without content-length")
    end = lowered.index(b"\r\n", start + 2)
    return int(lowered[start + len(LENGTH_HEADER) : end])


async def _client(
    host: str, port: int, request: bytes, deadline: float, latencies: list[float]
) -> None:
    """One keep-alive connection sending requests back to back until the deadline."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while (started := time.perf_counter()) < deadline:
            writer.write(request)
            head = await reader.readuntil(HEADER_END)
            await reader.readexactly(_content_length(head))
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def _run(url: str, headers: Mapping[str, str], seconds: float, connections: int) -> Sample:
    host, port, request = _request_bytes(url, headers)
    latencies: list[float] = []
    cpu_started = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(_client(host, port, request, deadline, latencies) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return Sample(len(latencies), elapsed, tuple(latencies), client_cpu=cpu)


def measure(url: str, headers: Mapping[str, str], *, seconds: float, connections: int) -> Sample:
    """Load `url` with `connections` concurrent keep-alive clients for `seconds`."""
    return asyncio.run(_run(url, headers, seconds, connections))
