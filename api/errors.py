"""One place that turns errors into HTTP answers, and the request id that ties logs together."""

from __future__ import annotations

import logging
import time
import uuid

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.errors import DomainError, InvalidInputError, ThrottledError

log = logging.getLogger("cashflow.api")
request_log = logging.getLogger("cashflow.requests")
REQUEST_ID_HEADER = "X-Request-ID"


def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)  # noqa: S101 - registered for DomainError only
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidInputError):
        loc: list[str | int] = ["body"]
        if exc.index is not None:
            loc.append(exc.index)
        loc.append(exc.field)
        body: object = [{"loc": loc, "msg": exc.message, "type": "value_error"}]
    else:
        body = exc.message
    if isinstance(exc, ThrottledError):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"detail": body}, status_code=exc.status_code, headers=headers)


def _unexpected_error(request: Request, exc: Exception) -> Response:
    request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex
    log.exception("unhandled error", extra={"request_id": request_id})
    detail = "internal server error"
    if request.app.state.settings.debug:
        detail = f"{type(exc).__name__}: {exc}"
    return JSONResponse(
        {"detail": detail, "request_id": request_id},
        status_code=500,
        headers={REQUEST_ID_HEADER: request_id},
    )


class RequestIdMiddleware:
    """Give every request an id, return it in a header, and log one line per request.

    The line holds the request id, method, path, status, duration and user id; never
    a header, a body, a token or a password. A plain ASGI middleware: Starlette's
    BaseHTTPMiddleware costs a task per request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Tag the request and its response, then log it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(REQUEST_ID_HEADER.lower().encode(), b"").decode()
        request_id = given if given.isalnum() and len(given) <= 64 else uuid.uuid4().hex
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "user_id": state.get("user_id"),
                },
            )


def install_error_handling(app: FastAPI) -> None:
    """Register the domain error mapping, the 500 handler and the request id middleware."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.add_middleware(RequestIdMiddleware)
