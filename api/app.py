"""The application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute

from api.docs import install_docs
from api.errors import install_error_handling
from api.routes import (
    accounts,
    alerts,
    audit,
    auth,
    balance,
    budgets,
    categories,
    dashboard,
    fixed,
    forecast,
    health,
    households,
    import_export,
    installments,
    loans,
    rates,
    settings,
    transactions,
    transfers,
)
from domain.config import Settings, get_settings
from domain.db.engine import create_db_engine, make_read_session_factory, make_session_factory
from domain.logs import configure_logging

API_PREFIX = "/api/v1"
# The largest body a JSON route may receive: a bulk call of 1,000 rows whose every text is
# at its limit in characters outside the BMP, each escaped as a \uXXXX\uXXXX pair (12 bytes,
# as Python's json does by default), stays under it. Larger bodies answer 413 before they
# are read; the import route has its own limit (the file's plus the form).
MAX_BODY_BYTES = 32 * 1024 * 1024
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed request body"},
    401: {"description": "Missing, invalid, expired or revoked token"},
    403: {"description": "Your role in the household does not allow this"},
    404: {"description": "Not found, or not your household's"},
    409: {"description": "Conflicts with stored data"},
    413: {"description": "The request body is over the route's size limit"},
    422: {"description": "A field breaks a rule; `detail` names it"},
    429: {"description": "Too many failed attempts"},
}
API_ROUTERS = (
    auth.router,
    households.router,
    households.invitations_router,
    audit.router,
    categories.router,
    transactions.router,
    accounts.router,
    transfers.router,
    fixed.router,
    installments.router,
    loans.router,
    dashboard.router,
    balance.router,
    forecast.router,
    budgets.router,
    rates.router,
    alerts.router,
    settings.router,
    import_export.router,
)


def operation_id(route: APIRoute) -> str:
    """A stable, readable OpenAPI operation id, "<tag>-<function>", for generated clients."""
    return f"{route.tags[0]}-{route.name}" if route.tags else route.name


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Close the database pool's connections when the server shuts down."""
    yield
    app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API with its database engine, routes, CORS and error handling."""
    settings = settings or get_settings()
    if not logging.getLogger().handlers:  # a uvicorn worker process starts unconfigured
        configure_logging(debug=settings.debug)
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is not set; start the API with `cashflow api`")
    app = FastAPI(
        title="Cashflow API",
        version=health.VERSION,
        description="Self-hosted cash-flow manager. Amounts are decimal strings.",
        responses=ERROR_RESPONSES,
        max_body_size=MAX_BODY_BYTES,
        lifespan=_lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,  # served by api/docs.py, with their assets, offline
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = create_db_engine(settings.database_url, echo=settings.debug)
    app.state.session_factory = make_session_factory(app.state.engine)
    app.state.read_session_factory = make_read_session_factory(app.state.engine)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    install_error_handling(app)
    install_docs(app)
    app.include_router(health.router)
    for router in API_ROUTERS:
        app.include_router(router, prefix=API_PREFIX)
    return app
