"""One place that turns errors into HTTP answers, and the request id that ties logs together."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from domain.errors import DomainError, InvalidInputError, ThrottledError

log = logging.getLogger("cashflow.api")
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


async def _request_id(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    request.state.request_id = given if given.isalnum() and len(given) <= 64 else uuid.uuid4().hex
    response = await call_next(request)
    response.headers[REQUEST_ID_HEADER] = request.state.request_id
    return response


def install_error_handling(app: FastAPI) -> None:
    """Register the domain error mapping, the 500 handler and the request id middleware."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(Exception, _unexpected_error)
    app.middleware("http")(_request_id)
