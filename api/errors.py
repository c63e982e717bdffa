"""One place that turns errors into HTTP answers, and the request id that ties logs together."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.errors import DomainError, InvalidInputError, ThrottledError
from domain.i18n import accept_language, translate

log = logging.getLogger("cashflow.api")
request_log = logging.getLogger("cashflow.requests")
REQUEST_ID_HEADER = "X-Request-ID"
# Every answer: no sniffing, no referrer, no framing; nothing from the API is cached
# (tokens and money alike). The docs pages load their own scripts and styles only.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
DOCS_CSP = "; ".join(
    (
        "default-src 'self'",
        # Everything from this server: the assets come from a package (api/docs.py).
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self'",
        "img-src 'self' data:",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    )
)
# A 422 shows what was sent only as a short prefix, and never a secret.
ECHO_MAX = 64
SECRET_FIELDS = ("password", "token", "code")  # "code": two-factor and recovery codes


def _words(request: Request) -> Callable[[str], str]:
    """Translate a message into the request's Accept-Language (he or en; English fallback)."""
    language = accept_language(request.headers.get("accept-language"))

    def words(message: str) -> str:
        # pydantic prefixes a validator's own message; the catalog holds the message alone.
        head, found, rest = message.partition("Value error, ")
        if language != "en" and found and not head:
            return translate(rest, language)
        return translate(message, language)

    return words


def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)  # noqa: S101 - registered for DomainError only
    headers: dict[str, str] = {}
    words = _words(request)
    if isinstance(exc, InvalidInputError):
        loc: list[str | int] = ["body"]
        if exc.index is not None:
            loc.append(exc.index)
        loc.append(exc.field)
        body: object = [{"loc": loc, "msg": words(exc.message), "type": "value_error"}]
    else:
        body = words(exc.message)
    if isinstance(exc, ThrottledError):
        headers["Retry-After"] = str(exc.retry_after)
    if exc.status_code == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse({"detail": body}, status_code=exc.status_code, headers=headers)


def _stale_row(request: Request, exc: Exception) -> Response:
    """A row this request read was deleted by another before the change was written."""
    return JSONResponse({"detail": "not found (deleted meanwhile)"}, status_code=404)


def _echo(value: Any) -> Any:
    """What a 422 shows of the value sent: a short prefix of a text, no large structure."""
    if isinstance(value, str):
        # What could not be stored cannot be sent back as JSON either: escape it.
        shown = value.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
        return shown if len(shown) <= ECHO_MAX else shown[:ECHO_MAX] + "…"
    if isinstance(value, Mapping | list | tuple | set):
        return f"<{type(value).__name__} of {len(value)}>"
    return value


def _is_secret(loc: Iterable[object]) -> bool:
    return any(isinstance(part, str) and part.endswith(SECRET_FIELDS) for part in loc)


def _validation_error(request: Request, exc: Exception) -> Response:
    """422 naming each field, echoing a short prefix of the input and never a secret."""
    assert isinstance(exc, RequestValidationError)  # noqa: S101 - registered for it only
    errors = []
    words = _words(request)
    for error in exc.errors():
        shown = {key: value for key, value in error.items() if key not in ("input", "url")}
        if isinstance(shown.get("msg"), str):
            shown["msg"] = words(shown["msg"])
        if "input" in error and not _is_secret(error.get("loc", ())):
            shown["input"] = _echo(error["input"])
        if isinstance(shown.get("ctx"), dict):
            shown["ctx"] = {key: str(value) for key, value in shown["ctx"].items()}
        errors.append(shown)
    return JSONResponse({"detail": jsonable_encoder(errors)}, status_code=422)


def _internal_error_body(scope: Scope, exc: BaseException, request_id: str) -> bytes:
    app = scope.get("app")
    detail = "internal server error"
    if app is not None and app.state.settings.debug:
        detail = f"{type(exc).__name__}: {exc}"
    return bytes(JSONResponse({"detail": detail, "request_id": request_id}).body)


ID_SEGMENT = "[0-9]+"  # every path parameter is a row id, declared `{name:int}`


def _route_methods(app: Any) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Each documented path as a pattern, with the methods served there (built once)."""
    table: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "route_methods", None
    )
    if table is None:
        table = [
            (
                re.compile("^" + re.sub(r"\\\{\w+?\\\}", ID_SEGMENT, re.escape(path)) + "$"),
                frozenset(method.upper() for method in operations),
            )
            for path, operations in app.openapi()["paths"].items()
        ]
        app.state.route_methods = table
    return table


def _allowed_methods(scope: Scope) -> str:
    """Every method served at this path (Starlette names only the first route's)."""
    app = scope.get("app")
    methods: set[str] = set()
    if app is not None:
        for pattern, served in _route_methods(app):
            if pattern.match(scope["path"]):
                methods |= served
    return ", ".join(sorted(methods))


class RequestIdMiddleware:
    """Give every request an id, return it in a header, and log one line per request.

    The line holds the request id, method, path, status, duration and user id; never
    a header, a body, a token or a password. A plain ASGI middleware: Starlette's
    BaseHTTPMiddleware costs a task per request.

    It also puts the security headers on every answer, names every allowed method in a
    405's Allow header, and answers an unexpected error itself with a 500 and the
    request id: Starlette's outermost error middleware would re-raise it to the server,
    which then drops the keep-alive connection without saying `Connection: close`.
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

        started_response = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers[REQUEST_ID_HEADER] = request_id
                _secure(headers, scope["path"])
                if status == 405:
                    headers["Allow"] = _allowed_methods(scope)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            log.error("unhandled error", exc_info=exc, extra={"request_id": request_id})
            if started_response:
                raise  # too late for an answer of our own: the server ends the connection
            status = 500
            body = _internal_error_body(scope, exc, request_id)
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
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


def _secure(headers: MutableHeaders, path: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    if path in DOCS_PATHS:
        headers["Content-Security-Policy"] = DOCS_CSP
    elif path.startswith("/api/"):
        headers["Cache-Control"] = "no-store"


def install_error_handling(app: FastAPI) -> None:
    """Register the error mappings and the middleware that answers unexpected errors."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(StaleDataError, _stale_row)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_middleware(RequestIdMiddleware)
