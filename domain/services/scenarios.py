"""Saved scenarios: named lists of what-if operations."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.db.models import Household, Scenario
from domain.errors import NotFoundError
from domain.services.forecasting import gather_inputs, scenario_inputs


def _check(
    session: Session, household: Household, operations: list[dict[str, Any]], today: date
) -> None:
    """Operations must apply to the household's real data (their ids exist, their fields hold)."""
    scenario_inputs(
        session, household, gather_inputs(session, household, today, months=1), operations
    )


def create_scenario(
    session: Session,
    household: Household,
    *,
    name: str,
    operations: list[dict[str, Any]],
    today: date,
) -> Scenario:
    """Save a scenario."""
    _check(session, household, operations, today)
    scenario = Scenario(household_id=household.id, name=name.strip(), operations=operations)
    session.add(scenario)
    session.flush()
    return scenario


def list_scenarios(session: Session, household: Household) -> list[Scenario]:
    """The household's scenarios, newest first."""
    return list(
        session.scalars(
            select(Scenario)
            .where(Scenario.household_id == household.id)
            .order_by(Scenario.id.desc())
        )
    )


def get_scenario(session: Session, household: Household, scenario_id: int) -> Scenario:
    """One of the household's scenarios."""
    found = session.scalars(
        select(Scenario).where(Scenario.id == scenario_id, Scenario.household_id == household.id)
    ).one_or_none()
    if found is None:
        raise NotFoundError("scenario not found")
    return found


def update_scenario(
    session: Session,
    household: Household,
    scenario_id: int,
    *,
    today: date,
    name: str | None = None,
    operations: list[dict[str, Any]] | None = None,
) -> Scenario:
    """Rename a scenario or replace its operations."""
    scenario = get_scenario(session, household, scenario_id)
    if operations is not None:
        _check(session, household, operations, today)
        scenario.operations = operations
    if name is not None:
        scenario.name = name.strip()
    session.flush()
    return scenario


def delete_scenario(session: Session, household: Household, scenario_id: int) -> None:
    """Delete a scenario."""
    session.delete(get_scenario(session, household, scenario_id))
    session.flush()
