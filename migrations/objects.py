"""Which database objects the models describe: all but the task queue's (Procrastinate's)."""

from __future__ import annotations

# Migration 0014 creates Procrastinate's tables from its own SQL; no model maps them.
QUEUE_PREFIX = "procrastinate_"


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Autogenerate's filter: leave out the task queue's tables and their indexes."""
    table = getattr(obj, "table", None)
    owner = name if type_ == "table" else getattr(table, "name", name)
    return not (owner or "").startswith(QUEUE_PREFIX)
