"""Running uvicorn, with TCP_NODELAY kept when it forks several workers.

With --workers N > 1 uvicorn binds the listening socket itself; accepted sockets
inherit a protocol of 0 and asyncio then leaves Nagle's algorithm on, so every
keep-alive response waits about 40 ms for the client's delayed ACK (open upstream:
Kludex/uvicorn#3149; measured here at 20 against 135 requests per second on one
connection). Rebuilding the bound socket from its descriptor lets the kernel report
IPPROTO_TCP, and asyncio sets TCP_NODELAY again. One worker never takes that path.

The patch replaces `uvicorn.config.Config.bind_socket`, which `uvicorn.run` calls for
several workers; it was verified against uvicorn UVICORN_VERIFIED (pyproject.toml keeps
uvicorn on that minor version, and tests/test_serving.py fails when the patch no longer
reaches the socket uvicorn serves on, or is no longer needed).
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.config import Config

UVICORN_VERIFIED = "0.54"
_stock_bind_socket = Config.bind_socket


def _bind_socket_with_tcp_proto(config: Config) -> socket.socket:
    """Uvicorn's listening socket, re-wrapped so its protocol reads IPPROTO_TCP."""
    bound = _stock_bind_socket(config)
    if bound.family not in {socket.AF_INET, socket.AF_INET6}:
        return bound
    return socket.socket(fileno=bound.detach())


def run_uvicorn(app_path: str, *, host: str, port: int, workers: int, factory: bool) -> None:
    """Serve an ASGI app with uvicorn, several workers keeping TCP_NODELAY."""
    if workers > 1:
        Config.bind_socket = _bind_socket_with_tcp_proto  # type: ignore[method-assign,assignment]
    uvicorn.run(
        app_path,
        factory=factory,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        server_header=False,  # no product name in answers (#11)
    )
