"""The audit log: who changed what in the household (owners and admins see everyone's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import ScopeDep, SessionDep
from api.schemas.households import AuditEntryOut, AuditPageOut, AuditQuery
from domain.db.models import AuditEntry
from domain.rules.dates import exclusive_end, local_midnight
from domain.services import audit

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("")
def list_audit(
    query: Annotated[AuditQuery, Query()], scope: ScopeDep, session: SessionDep
) -> AuditPageOut:
    """Changes newest first; members and viewers see only their own."""
    zone = scope.household.timezone
    end = exclusive_end(query.date_to)
    spec = audit.AuditFilter(
        actor_id=query.actor_id,
        entity=query.entity,
        start=local_midnight(query.date_from, zone) if query.date_from else None,
        end=local_midnight(end, zone) if end else None,
    )
    page = audit.list_entries(session, scope, spec, limit=query.limit, offset=query.offset)
    items = [
        AuditEntryOut.model_validate({**_fields(entry), "actor_name": name})
        for entry, name in page.rows
    ]
    return AuditPageOut(items=items, total=page.total)


def _fields(entry: AuditEntry) -> dict[str, object]:
    return {
        name: getattr(entry, name) for name in AuditEntryOut.model_fields if name != "actor_name"
    }
