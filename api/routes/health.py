"""The health probe (public, outside the /api/v1 prefix)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel
from sqlalchemy import Engine

from domain.db.engine import database_ok, unit_of_work
from domain.rules.backups import is_stale
from domain.services.jobs import last_verified_backup

router = APIRouter(tags=["health"])
VERSION = "0.1.0"


class HealthOut(BaseModel):
    """What the probe reports; warnings do not make the service unhealthy."""

    status: Literal["healthy", "unhealthy"]
    version: str
    database: Literal["ok", "unreachable"]
    backup: Literal["ok", "stale", "unknown"] = "unknown"
    warnings: list[str] = []


def _backup_state(request: Request) -> tuple[Literal["ok", "stale"], list[str]]:
    with unit_of_work(request.app.state.session_factory) as session:
        last = last_verified_backup(session)
    if is_stale(last, datetime.now(UTC)):
        return "stale", ["no verified backup within 36 hours"]
    return "ok", []


@router.get(
    "/health",
    responses={503: {"model": HealthOut, "description": "The database is unreachable"}},
)
def health(request: Request, response: Response) -> HealthOut:
    """Report whether the service and its database answer."""
    engine: Engine = request.app.state.engine
    if database_ok(engine):
        backup, warnings = _backup_state(request)
        return HealthOut(
            status="healthy", version=VERSION, database="ok", backup=backup, warnings=warnings
        )
    response.status_code = 503
    return HealthOut(status="unhealthy", version=VERSION, database="unreachable")
