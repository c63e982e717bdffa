"""Live servers for tests that need real HTTP: a free port, waiting for health, the API."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(url: str, seconds: float) -> None:
    """Poll until the URL answers 200, or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not come up within {seconds} s")


@contextmanager
def api_process(
    database_url: str,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    stderr: IO[bytes] | int = subprocess.DEVNULL,
) -> Iterator[str]:
    """`cashflow api` against a database in its own process group; yield its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cashflow", "api", "--workers", str(workers), "--port", str(port)],
        env={**os.environ, "DATABASE_URL": database_url, "BCRYPT_ROUNDS": "4", **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/health", 60)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
