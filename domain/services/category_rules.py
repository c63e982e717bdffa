"""Sorting out uncategorised transactions by description, remembered for the next import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.db import imports as store
from domain.db.models import Household, Transaction
from domain.rules.categories import FlowType
from domain.rules.import_categories import rule_key
from domain.rules.money import ZERO
from domain.services.categories import check_category_for

GROUPS_MAX = 200


@dataclass(frozen=True)
class UncategorisedGroup:
    """Uncategorised transactions that share a description key and a type."""

    key: str
    example: str
    type: FlowType
    count: int
    total: Decimal


def uncategorised_groups(session: Session, household: Household) -> list[UncategorisedGroup]:
    """The household's uncategorised transactions grouped by description, most frequent first."""
    rows = session.execute(
        select(
            Transaction.description, Transaction.type, func.count(), func.sum(Transaction.amount)
        )
        .where(Transaction.household_id == household.id, Transaction.category_id.is_(None))
        .group_by(Transaction.description, Transaction.type)
    )
    groups: dict[tuple[str, str], UncategorisedGroup] = {}
    for description, flow, count, total in rows:
        key = (rule_key(description), flow)
        found = groups.get(key)
        if found is None:
            kind = cast("FlowType", flow)
            groups[key] = UncategorisedGroup(key[0], description, kind, count, total or ZERO)
        else:
            groups[key] = UncategorisedGroup(
                found.key, found.example, found.type, found.count + count, found.total + total
            )
    ordered = sorted(groups.values(), key=lambda g: (-g.count, g.example))
    return ordered[:GROUPS_MAX]


def categorise_groups(
    session: Session, household: Household, choices: Mapping[tuple[str, FlowType], int]
) -> int:
    """Give every uncategorised transaction of each (key, type) its category; remember it.

    Returns how many transactions changed. A category of the wrong type is refused.
    """
    if not choices:
        return 0
    for (_, expected), chosen in choices.items():
        check_category_for(session, household, chosen, expected)
    rows = session.execute(
        select(Transaction.id, Transaction.description, Transaction.type).where(
            Transaction.household_id == household.id, Transaction.category_id.is_(None)
        )
    )
    targets: dict[int, list[int]] = {}
    for tx_id, description, flow in rows:
        found = choices.get((rule_key(description), cast("FlowType", flow)))
        if found is not None:
            targets.setdefault(found, []).append(tx_id)
    for category_id, ids in targets.items():
        session.execute(
            update(Transaction)
            .where(Transaction.household_id == household.id, Transaction.id.in_(ids))
            .values(category_id=category_id)
        )
    store.save_rules(session, household.id, {key: cid for (key, _), cid in choices.items() if key})
    return sum(len(ids) for ids in targets.values())
