"""`python -m benchmarks.serve ARGS`: uvicorn's own CLI with TCP_NODELAY kept under --workers.

With --workers N > 1 uvicorn binds the listening socket itself with `proto` 0; accepted
sockets inherit it and asyncio then leaves Nagle's algorithm on, so on Linux every keep-alive
response waits ~40 ms for the client's delayed ACK (Kludex/uvicorn#3149, open). Rebuilding
the bound socket from its descriptor lets the kernel report IPPROTO_TCP. With one worker
uvicorn never calls `bind_socket`, so that path is exactly stock uvicorn.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.config import Config

_stock_bind_socket = Config.bind_socket


def _bind_socket_with_tcp_proto(config: Config) -> socket.socket:
    """Uvicorn's listening socket, re-wrapped so its protocol reads IPPROTO_TCP."""
    bound = _stock_bind_socket(config)
    if bound.family not in {socket.AF_INET, socket.AF_INET6}:
        return bound
    return socket.socket(fileno=bound.detach())


if __name__ == "__main__":
    Config.bind_socket = _bind_socket_with_tcp_proto  # type: ignore[method-assign,assignment]
    uvicorn.main()
