"""Persistence of imports: profiles, rules, the at-most-once keys and the set-based insert."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.db.models import (
    Category,
    CategoryRule,
    ImportKey,
    ImportProfile,
    RecurringBooking,
    Transfer,
)
from domain.rules.categories import FlowType
from domain.rules.import_categories import ActiveCategory
from domain.rules.import_matching import BookedCharge


def active_categories(session: Session, household_id: int) -> list[ActiveCategory]:
    """The household's active categories, both names."""
    rows = session.execute(
        select(Category.id, Category.name, Category.name_he, Category.type).where(
            Category.household_id == household_id, Category.archived_at.is_(None)
        )
    )
    return [ActiveCategory(r.id, r.name, r.name_he, cast("FlowType", r.type)) for r in rows]


def load_rules(session: Session, household_id: int) -> dict[str, int]:
    """Description key to category id, for every remembered rule of the household."""
    rows = session.execute(
        select(CategoryRule.pattern, CategoryRule.category_id).where(
            CategoryRule.household_id == household_id
        )
    )
    return {row.pattern: row.category_id for row in rows}


def save_rules(session: Session, household_id: int, rules: dict[str, int]) -> None:
    """Remember (or replace) description-to-category rules."""
    if not rules:
        return
    statement = insert(CategoryRule).values(
        [{"household_id": household_id, "pattern": k, "category_id": v} for k, v in rules.items()]
    )
    session.execute(
        statement.on_conflict_do_update(
            constraint="uq_category_rules_household_pattern",
            set_={"category_id": statement.excluded.category_id, "updated_at": func.now()},
        )
    )


def load_profiles(session: Session, household_id: int) -> dict[str, ImportProfile]:
    """The household's remembered mappings by header signature."""
    rows = session.scalars(select(ImportProfile).where(ImportProfile.household_id == household_id))
    return {row.signature: row for row in rows}


def save_profile(
    session: Session,
    household_id: int,
    *,
    signature: str,
    source: str,
    columns: Sequence[str],
    mapping: dict[str, Any],
) -> None:
    """Remember how files of this shape map, and their source name."""
    values = {"source": source, "columns": list(columns), "mapping": mapping}
    statement = insert(ImportProfile).values(
        household_id=household_id, signature=signature, **values
    )
    session.execute(
        statement.on_conflict_do_update(
            constraint="uq_import_profiles_household_signature",
            set_={**values, "updated_at": func.now()},
        )
    )


EXISTING_SQL = text(
    """
SELECT k.fingerprint, k.ordinal
FROM import_keys k
JOIN unnest(CAST(:fingerprints AS text[]), CAST(:ordinals AS int[])) AS r(fingerprint, ordinal)
  ON k.fingerprint = r.fingerprint AND k.ordinal = r.ordinal
WHERE k.household_id = :household_id AND k.source = :source
"""
)


def existing_keys(
    session: Session, household_id: int, source: str, keys: Sequence[tuple[str, int]]
) -> set[tuple[str, int]]:
    """Which of the keys this source has already imported."""
    if not keys:
        return set()
    rows = session.execute(
        EXISTING_SQL,
        {
            "household_id": household_id,
            "source": source,
            "fingerprints": [k[0] for k in keys],
            "ordinals": [k[1] for k in keys],
        },
    )
    return {(row.fingerprint, row.ordinal) for row in rows}


STAGING_SQL = text(
    """
CREATE TEMPORARY TABLE IF NOT EXISTS import_staging (
    fingerprint text, ordinal int, date date, amount numeric(15, 2), type text,
    category_id bigint, description text, notes text
) ON COMMIT DROP
"""
)
COPY_SQL = (
    "COPY import_staging (fingerprint, ordinal, date, amount, type, category_id, description, "
    "notes) FROM STDIN"
)
# One statement claims the keys and inserts the transactions of the claimed ones: a row
# whose key exists (an earlier import, or a concurrent one) is skipped, never doubled.
INSERT_SQL = text(
    """
WITH claimed AS (
    INSERT INTO import_keys (household_id, source, fingerprint, ordinal, batch_id)
    SELECT :household_id, :source, fingerprint, ordinal, :batch_id FROM import_staging
    ON CONFLICT (household_id, source, fingerprint, ordinal) DO NOTHING
    RETURNING fingerprint, ordinal
)
INSERT INTO transactions
    (household_id, account_id, date, amount, type, category_id, description, notes, currency,
     source, source_kind, source_id)
SELECT :household_id, :account_id, r.date, r.amount, r.type, r.category_id, r.description,
       r.notes, :currency, 'import', 'import_batch', :batch_id
FROM import_staging r JOIN claimed c USING (fingerprint, ordinal)
RETURNING category_id IS NULL AS uncategorised
"""
)
StagedRow = tuple[str, int, date, Decimal, str, int | None, str, str]


def _stage(session: Session, rows: Sequence[StagedRow]) -> None:
    """COPY the rows into a temporary table of this transaction (dropped at its end)."""
    session.execute(STAGING_SQL)
    session.execute(text("TRUNCATE import_staging"))
    driver = session.connection().connection.driver_connection
    assert driver is not None  # noqa: S101 - a live psycopg connection inside the unit of work
    with driver.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(
    session: Session,
    *,
    household_id: int,
    account_id: int,
    currency: str,
    source: str,
    batch_id: int,
    rows: Sequence[StagedRow],
) -> tuple[int, int]:
    """Insert (fingerprint, ordinal, date, amount, type, category, description, notes) rows.

    Returns how many were new and how many of those have no category; rows whose key is
    taken are skipped. The rows travel by COPY, the claim and the insert are one statement.
    """
    if not rows:
        return 0, 0
    _stage(session, rows)
    params = {
        "household_id": household_id,
        "account_id": account_id,
        "currency": currency,
        "source": source,
        "batch_id": batch_id,
    }
    flags = list(session.execute(INSERT_SQL, params).scalars())
    return len(flags), sum(1 for flag in flags if flag)


def claim_keys(
    session: Session,
    *,
    household_id: int,
    source: str,
    batch_id: int,
    keys: Sequence[tuple[str, int]],
) -> set[tuple[str, int]]:
    """Write the keys of rows that book no transaction; return those not taken before."""
    if not keys:
        return set()
    statement = (
        insert(ImportKey)
        .values(
            [
                {
                    "household_id": household_id,
                    "source": source,
                    "fingerprint": fingerprint,
                    "ordinal": ordinal,
                    "batch_id": batch_id,
                }
                for fingerprint, ordinal in keys
            ]
        )
        .on_conflict_do_nothing(constraint="uq_import_keys_row")
        .returning(ImportKey.fingerprint, ImportKey.ordinal)
    )
    return {(row.fingerprint, row.ordinal) for row in session.execute(statement)}


def booked_charges(
    session: Session, household_id: int, bank_id: int, *, start: date, end: date
) -> list[BookedCharge]:
    """Statement charges booked out of a bank account dated in [start, end], with their close."""
    rows = session.execute(
        select(
            Transfer.id,
            Transfer.to_account_id,
            Transfer.date,
            Transfer.amount,
            RecurringBooking.due_date,
        )
        .outerjoin(
            RecurringBooking,
            (RecurringBooking.transfer_id == Transfer.id)
            & (RecurringBooking.household_id == household_id),
        )
        .where(
            Transfer.household_id == household_id,
            Transfer.from_account_id == bank_id,
            Transfer.source == "card_statement",
            Transfer.date >= start,
            Transfer.date <= end,
        )
        .order_by(Transfer.date, Transfer.id)
    )
    return [BookedCharge(r.id, r.to_account_id, r.date, r.amount, r.due_date) for r in rows]
