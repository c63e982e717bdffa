"""The TCP_NODELAY patch in cashflow/serving.py still reaches the socket uvicorn serves on."""

from __future__ import annotations

import importlib
import socket
import tomllib
from typing import Any

import pytest
import uvicorn
from uvicorn.config import Config

from cashflow import serving
from domain.config import PROJECT_ROOT

UVICORN_MAIN = importlib.import_module("uvicorn.main")  # `uvicorn.main` is also a click command


class _Captured:
    """Stands in for uvicorn's worker supervisor: keeps the sockets instead of forking."""

    sockets: list[socket.socket] = []

    def __init__(self, config: Config, sockets: list[socket.socket], **kwargs: Any) -> None:
        _Captured.sockets = sockets

    def run(self) -> None:
        """Fork nothing."""


def _served_socket(monkeypatch: pytest.MonkeyPatch, *, patched: bool) -> socket.socket:
    """The listening socket `uvicorn.run` hands to its workers, with or without the patch."""
    monkeypatch.setattr(Config, "bind_socket", Config.bind_socket)  # restored after the test
    monkeypatch.setattr(UVICORN_MAIN, "Multiprocess", _Captured)
    if patched:
        serving.run_uvicorn("api.app:create_app", host="127.0.0.1", port=0, workers=2, factory=True)
    else:
        uvicorn.run("api.app:create_app", factory=True, host="127.0.0.1", port=0, workers=2)
    (sock,) = _Captured.sockets
    return sock


def test_uvicorn_is_the_minor_version_the_patch_was_verified_against() -> None:
    assert uvicorn.__version__.startswith(f"{serving.UVICORN_VERIFIED}.")
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (spec,) = (d for d in project["project"]["dependencies"] if d.startswith("uvicorn"))
    assert spec == f"uvicorn>={serving.UVICORN_VERIFIED},<0.{int(serving.UVICORN_VERIFIED[2:]) + 1}"


def test_several_workers_serve_on_a_socket_that_reports_tcp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sock = _served_socket(monkeypatch, patched=True)
    try:
        assert sock.proto == socket.IPPROTO_TCP  # asyncio then sets TCP_NODELAY per connection
    finally:
        sock.close()


def test_stock_uvicorn_still_needs_the_patch(monkeypatch: pytest.MonkeyPatch) -> None:
    """When this fails, uvicorn fixed Kludex/uvicorn#3149: drop the patch."""
    sock = _served_socket(monkeypatch, patched=False)
    try:
        assert sock.proto == 0
    finally:
        sock.close()
