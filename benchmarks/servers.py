"""Real uvicorn processes for the API and the baseline, each in its own process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import psutil

from domain.config import PROJECT_ROOT

HOST = "127.0.0.1"
READY_SECONDS = 60.0
STOP_SECONDS = 10.0


class ServerError(RuntimeError):
    """A server under test did not start."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_ready(base_url: str, process: subprocess.Popen[bytes]) -> None:
    """Poll /health until it answers 200, or fail when the process dies or time runs out."""
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"{base_url} exited with status {process.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise ServerError(f"{base_url} did not become ready in {READY_SECONDS:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate the server's process group (supervisor and workers), then make sure."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            continue
        return


def group_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds used so far by a process and its children."""
    try:
        root = psutil.Process(pid)
        members = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for member in members:
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _argv(app: str, port: int, workers: int, *, stock: bool) -> list[str]:
    """The product's way (`benchmarks.serve` over `cashflow.serving`), or stock uvicorn's CLI."""
    common = ["--host", HOST, "--port", str(port), "--workers", str(workers)]
    if stock:
        quiet = ["--log-level", "warning", "--no-access-log"]
        return [sys.executable, "-m", "uvicorn", app, "--factory", *common, *quiet]
    return [sys.executable, "-m", "benchmarks.serve", app, *common]


@contextmanager
def uvicorn_server(
    app: str, *, workers: int, env: dict[str, str], stock: bool = False
) -> Iterator[tuple[str, int]]:
    """Run `app` (an app factory) under uvicorn; yield its base URL and process id.

    By default it is served as `cashflow api` serves (TCP_NODELAY kept with several
    workers); `stock` runs uvicorn's own CLI instead.
    """
    port = _free_port()
    argv = _argv(app, port, workers, stock=stock)
    process = subprocess.Popen(  # noqa: S603 - our own argv
        argv,
        cwd=PROJECT_ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # a JSON line per request: the figures are what matter
    )
    base_url = f"http://{HOST}:{port}"
    try:
        _wait_ready(base_url, process)
        yield base_url, process.pid
    finally:
        _stop(process)
