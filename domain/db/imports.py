"""Persistence of imports: profiles, rules, the at-most-once keys and the set-based insert."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.db.models import Category, CategoryRule, ImportProfile
from domain.rules.categories import FlowType
from domain.rules.import_categories import ActiveCategory


def active_categories(session: Session, user_id: int) -> list[ActiveCategory]:
    """The user's active categories, both names."""
    rows = session.execute(
        select(Category.id, Category.name, Category.name_he, Category.type).where(
            Category.user_id == user_id, Category.archived_at.is_(None)
        )
    )
    return [ActiveCategory(r.id, r.name, r.name_he, cast("FlowType", r.type)) for r in rows]


def load_rules(session: Session, user_id: int) -> dict[str, int]:
    """Description key to category id, for every remembered rule of the user."""
    rows = session.execute(
        select(CategoryRule.pattern, CategoryRule.category_id).where(
            CategoryRule.user_id == user_id
        )
    )
    return {row.pattern: row.category_id for row in rows}


def save_rules(session: Session, user_id: int, rules: dict[str, int]) -> None:
    """Remember (or replace) description-to-category rules."""
    if not rules:
        return
    statement = insert(CategoryRule).values(
        [{"user_id": user_id, "pattern": k, "category_id": v} for k, v in rules.items()]
    )
    session.execute(
        statement.on_conflict_do_update(
            constraint="uq_category_rules_user_pattern",
            set_={"category_id": statement.excluded.category_id, "updated_at": func.now()},
        )
    )


def load_profiles(session: Session, user_id: int) -> dict[str, ImportProfile]:
    """The user's remembered mappings by header signature."""
    rows = session.scalars(select(ImportProfile).where(ImportProfile.user_id == user_id))
    return {row.signature: row for row in rows}


def save_profile(
    session: Session,
    user_id: int,
    *,
    signature: str,
    source: str,
    columns: Sequence[str],
    mapping: dict[str, Any],
) -> None:
    """Remember how files of this shape map, and their source name."""
    values = {"source": source, "columns": list(columns), "mapping": mapping}
    statement = insert(ImportProfile).values(user_id=user_id, signature=signature, **values)
    session.execute(
        statement.on_conflict_do_update(
            constraint="uq_import_profiles_user_signature",
            set_={**values, "updated_at": func.now()},
        )
    )


EXISTING_SQL = text(
    """
SELECT k.fingerprint, k.ordinal
FROM import_keys k
JOIN unnest(CAST(:fingerprints AS text[]), CAST(:ordinals AS int[])) AS r(fingerprint, ordinal)
  ON k.fingerprint = r.fingerprint AND k.ordinal = r.ordinal
WHERE k.user_id = :user_id AND k.source = :source
"""
)


def existing_keys(
    session: Session, user_id: int, source: str, keys: Sequence[tuple[str, int]]
) -> set[tuple[str, int]]:
    """Which of the keys this source has already imported."""
    if not keys:
        return set()
    rows = session.execute(
        EXISTING_SQL,
        {
            "user_id": user_id,
            "source": source,
            "fingerprints": [k[0] for k in keys],
            "ordinals": [k[1] for k in keys],
        },
    )
    return {(row.fingerprint, row.ordinal) for row in rows}


# One statement claims the keys and inserts the transactions of the claimed ones: a row
# whose key exists (an earlier import, or a concurrent one) is skipped, never doubled.
INSERT_SQL = text(
    """
WITH incoming AS (
    SELECT * FROM unnest(
        CAST(:fingerprints AS text[]), CAST(:ordinals AS int[]), CAST(:dates AS date[]),
        CAST(:amounts AS numeric[]), CAST(:types AS text[]), CAST(:category_ids AS bigint[]),
        CAST(:descriptions AS text[]), CAST(:notes AS text[])
    ) AS r(fingerprint, ordinal, date, amount, type, category_id, description, notes)
), keyed AS MATERIALIZED (
    SELECT incoming.*, nextval(pg_get_serial_sequence('transactions', 'id')) AS tx_id
    FROM incoming
), claimed AS (
    INSERT INTO import_keys (user_id, source, fingerprint, ordinal, transaction_id, batch_id)
    SELECT :user_id, :source, fingerprint, ordinal, tx_id, :batch_id FROM keyed
    ON CONFLICT (user_id, source, fingerprint, ordinal) DO NOTHING
    RETURNING transaction_id
)
INSERT INTO transactions
    (id, user_id, date, amount, type, category_id, description, notes, currency, source,
     source_kind, source_id)
SELECT k.tx_id, :user_id, k.date, k.amount, k.type, k.category_id, k.description, k.notes,
       :currency, 'import', 'import_batch', :batch_id
FROM keyed k JOIN claimed c ON c.transaction_id = k.tx_id
RETURNING category_id IS NULL AS uncategorised
"""
)


ROW_PARAMS = (
    "fingerprints",
    "ordinals",
    "dates",
    "amounts",
    "types",
    "category_ids",
    "descriptions",
    "notes",
)


def insert_rows(
    session: Session,
    *,
    user_id: int,
    currency: str,
    source: str,
    batch_id: int,
    rows: Sequence[tuple[str, int, date, Decimal, str, int | None, str, str]],
) -> tuple[int, int]:
    """Insert (fingerprint, ordinal, date, amount, type, category, description, notes) rows.

    Returns how many were new and how many of those have no category; rows whose key is
    taken are skipped.
    """
    if not rows:
        return 0, 0
    columns = [list(values) for values in zip(*rows, strict=True)]
    params: dict[str, Any] = dict(zip(ROW_PARAMS, columns, strict=True))
    params |= {"user_id": user_id, "currency": currency, "source": source, "batch_id": batch_id}
    flags = list(session.execute(INSERT_SQL, params).scalars())
    return len(flags), sum(1 for flag in flags if flag)
