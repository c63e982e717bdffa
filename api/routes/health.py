"""The health probe (public, outside the /api/v1 prefix)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import Engine

from domain.db.engine import database_ok

router = APIRouter(tags=["health"])
VERSION = "0.1.0"


class HealthOut(BaseModel):
    """What the probe reports."""

    status: Literal["healthy", "unhealthy"]
    version: str
    database: Literal["ok", "unreachable"]


@router.get(
    "/health",
    responses={503: {"model": HealthOut, "description": "The database is unreachable"}},
)
def health(request: Request, response: Response) -> HealthOut:
    """Report whether the service and its database answer."""
    engine: Engine = request.app.state.engine
    if database_ok(engine):
        return HealthOut(status="healthy", version=VERSION, database="ok")
    response.status_code = 503
    return HealthOut(status="unhealthy", version=VERSION, database="unreachable")
