"""The audit log: who changed what in a household, read by the people allowed to see it.

The rows are written by the database's trigger (migration 0011) in the transaction of the
change itself; this module names the actor of a unit of work, reads the log, and prunes
it after the retention period. Nothing here updates or deletes an entry otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from domain.db.actors import SCHEDULER, act_as, set_local, user_actor
from domain.db.models import AuditEntry, User
from domain.rules.roles import MANAGE_MEMBERS, allows
from domain.services.households import Scope

PAGE_MAX = 500


def act_as_person(session: Session, user_id: int) -> None:
    """Every change of this unit of work is authored by the person `user_id`."""
    act_as(session, user_actor(user_id))


def act_as_scheduler(session: Session) -> None:
    """Every change of this unit of work is authored by the scheduler."""
    act_as(session, SCHEDULER)


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to list: by person, entity and a half-open time range."""

    actor_id: int | None = None
    entity: str | None = None
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class AuditPage:
    """One page of entries, newest first, with the author's name, and the filter's count."""

    rows: list[tuple[AuditEntry, str | None]]
    total: int


def list_entries(
    session: Session, scope: Scope, spec: AuditFilter, *, limit: int = 100, offset: int = 0
) -> AuditPage:
    """The household's entries; owners and admins see everyone's, others only their own."""
    where = [AuditEntry.household_id == scope.household.id]
    if not allows(scope.role, MANAGE_MEMBERS):
        where.append(AuditEntry.actor_id == scope.user.id)
    if spec.actor_id is not None:
        where.append(AuditEntry.actor_id == spec.actor_id)
    if spec.entity is not None:
        where.append(AuditEntry.entity == spec.entity)
    if spec.start is not None:
        where.append(AuditEntry.at >= spec.start)
    if spec.end is not None:
        where.append(AuditEntry.at < spec.end)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    rows = session.execute(
        select(AuditEntry, User.display_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(min(limit, PAGE_MAX))
        .offset(offset)
    ).all()
    return AuditPage([(entry, name) for entry, name in rows], total)


def prune_audit(session: Session, *, before: datetime) -> int:
    """Delete entries older than `before` (the retention prune: the one delete allowed)."""
    set_local(session, "cashflow.audit_prune", "on")
    result = session.execute(delete(AuditEntry).where(AuditEntry.at < before))
    set_local(session, "cashflow.audit_prune", "off")
    return int(getattr(result, "rowcount", 0) or 0)
