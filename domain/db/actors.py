"""Who is acting: the database's audit trigger reads it from a transaction-local setting.

A unit of work names its actor once (`act_as`); every transaction it begins carries the
name in `cashflow.actor`, so the trigger in migration 0011 records the author of each
change in the change's own transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

ACTOR = "cashflow_actor"
SCHEDULER = "scheduler"
_SET = text("SELECT set_config('cashflow.actor', :actor, true)")


def user_actor(user_id: int) -> str:
    """The actor name of a person."""
    return f"user:{user_id}"


def act_as(session: Session, actor: str) -> None:
    """Record every change of this unit of work, from now on, as made by `actor`."""
    session.info[ACTOR] = actor
    if session.in_transaction():
        session.execute(_SET, {"actor": actor})


def set_local(session: Session, name: str, value: str) -> None:
    """Set a `cashflow.*` switch for the rest of the current transaction only."""
    session.execute(text("SELECT set_config(:name, :value, true)"), {"name": name, "value": value})


def actor_of(session: Session) -> str | None:
    """The actor this unit of work names, if any."""
    found = session.info.get(ACTOR)
    return str(found) if found is not None else None


@contextmanager
def unaudited(session: Session) -> Iterator[None]:
    """Changes made inside are not recorded (a new household's starter rows, say)."""
    before = session.scalar(text("SELECT current_setting('cashflow.audit', true)"))
    set_local(session, "cashflow.audit", "off")
    try:
        yield
    finally:
        set_local(session, "cashflow.audit", before or "on")


@event.listens_for(Session, "after_begin")
def _name_the_actor(session: Session, transaction: Any, connection: Any) -> None:
    actor = session.info.get(ACTOR)
    if actor is not None:
        connection.execute(_SET, {"actor": actor})
