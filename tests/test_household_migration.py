"""Migrations 0011 and 0013 move every user's money into a household and an account, losing nothing.

A copy of the demo data (two people, each with two years of history, recurring sources,
a balance, a budget, a rate and settings), made by today's code, is written into a
database at revision 0010 in that revision's shape. The upgrade must keep every row and
every sum per owner, and move each setting to its new home.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, MetaData, Table, create_engine, select, text
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.migrate import upgrade_database
from domain.db.models import Budget, Category, ExchangeRate
from domain.services import balance, households
from domain.services.booking import run_booking_pass
from domain.services.demo import seed_demo_history, seed_demo_sources
from tests.conftest import _external_database, make_user

# Money tables in an order their rows can be inserted, with the column each one sums.
OWNED = {
    "categories": None,
    "transactions": "amount",
    "fixed_items": "amount",
    "installment_plans": "total_amount",
    "loans": "principal",
    "recurring_bookings": None,
    "balance_records": "amount",
    "alerts": None,
    "scenarios": None,
    "import_profiles": None,
    "category_rules": None,
    "import_batches": "row_count",
    "import_keys": None,
    "budgets": "amount",
    "category_budget_settings": None,
    "exchange_rates": "rate",
}
# Rows owned through a parent: (parent table, the key naming it, the column summed).
CHILDREN = {
    "fixed_pauses": ("fixed_items", "fixed_id", None),
    "loan_prepayments": ("loans", "loan_id", "amount"),
}
SETTINGS = ("forecast_horizon_months", "warning_threshold", "critical_threshold", "week_start")
TODAY = date(2026, 11, 15)


def _demo(session: Session, settings: Settings) -> dict[int, int]:
    """Two demo households made by today's code; {household id: its owner's id}."""
    owners = {}
    for language, currency in (("he", "ILS"), ("en", "USD")):
        person = make_user(session, settings)
        person.language = language
        home = households.open_scope(session, person).household
        home.currency = currency
        seed_demo_history(session, home, TODAY)
        seed_demo_sources(session, home, TODAY)
        balance.record_balance(session, home, amount=Decimal("12345.67"), as_of=TODAY, today=TODAY)
        food = session.scalars(
            select(Category).where(Category.household_id == home.id, Category.type == "expense")
        ).first()
        assert food is not None
        session.add(
            Budget(
                household_id=home.id,
                category_id=food.id,
                month=date(2026, 11, 1),
                kind="standing",
                amount=Decimal("900.00"),
            )
        )
        session.add(
            ExchangeRate(
                household_id=home.id,
                day=TODAY,
                currency="EUR",
                base=currency,
                rate=Decimal("3.9123"),
            )
        )
        owners[home.id] = person.id
    session.flush()
    run_booking_pass(session, now=datetime(2026, 11, 15, 8, tzinfo=UTC), as_of=TODAY)
    return owners


def _insert(old: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if rows:
        names = set(table.c.keys())
        old.execute(table.insert(), [{k: v for k, v in r.items() if k in names} for r in rows])


def _copy_users(new: Connection, old: Connection, meta: MetaData, owners: dict[int, int]) -> None:
    people = new.execute(
        text(
            "SELECT u.*, h.currency, h.timezone, h.id AS home FROM users u"
            " JOIN households h ON h.id = u.default_household_id WHERE u.id = ANY(:ids)"
        ),
        {"ids": list(owners.values())},
    ).mappings()
    rows = [dict(p) for p in people]
    _insert(old, meta.tables["users"], rows)
    chosen = new.execute(
        text("SELECT * FROM household_settings WHERE household_id = ANY(:ids)"),
        {"ids": list(owners)},
    ).mappings()
    language = {r["id"]: r["language"] for r in rows}
    prefs = [
        {**s, "user_id": owners[s["household_id"]], "language": language[owners[s["household_id"]]]}
        for s in chosen
    ]
    _insert(old, meta.tables["user_settings"], prefs)


def _copy_money(new: Connection, old: Connection, meta: MetaData, owners: dict[int, int]) -> None:
    for name in OWNED:
        order = "parent_id NULLS FIRST, id" if name == "categories" else "1"
        # Card statement charges came with accounts (0013): revision 0010 has no such kind.
        newer = " AND source_kind <> 'card_statement'" if name == "recurring_bookings" else ""
        found = new.execute(
            text(f"SELECT * FROM {name} WHERE household_id = ANY(:ids){newer} ORDER BY {order}"),  # noqa: S608 - names are constants
            {"ids": list(owners)},
        ).mappings()
        _insert(
            old, meta.tables[name], [{**r, "user_id": owners[r["household_id"]]} for r in found]
        )
    for name, (parent, key, _sum) in CHILDREN.items():
        found = new.execute(
            text(
                f"SELECT c.* FROM {name} c JOIN {parent} p ON p.id = c.{key}"  # noqa: S608
                " WHERE p.household_id = ANY(:ids)"
            ),
            {"ids": list(owners)},
        ).mappings()
        _insert(old, meta.tables[name], [dict(r) for r in found])


def test_every_row_and_sum_per_owner_survives_the_move(
    session: Session, settings: Settings, database_url: str
) -> None:
    owners = _demo(session, settings)
    with _external_database(database_url) as url:
        upgrade_database(url, "0010")
        engine = create_engine(url)
        try:
            meta = MetaData()
            meta.reflect(engine)
            with engine.begin() as old:
                old.execute(text("SET CONSTRAINTS ALL DEFERRED"))
                _copy_users(session.connection(), old, meta, owners)
                _copy_money(session.connection(), old, meta, owners)
            with engine.connect() as old:
                before = _tally_at_0010(old)
                prefs_before = old.execute(
                    text(f"SELECT user_id, {', '.join(SETTINGS)}, language FROM user_settings")  # noqa: S608
                ).all()
                people_before = old.execute(text("SELECT id, currency, timezone FROM users")).all()
            upgrade_database(url, "head")
            with engine.connect() as new:
                after = _tally_at_head(new)
                prefs_after = new.execute(
                    text(
                        f"SELECT m.user_id, {', '.join('s.' + c for c in SETTINGS)}, u.language"  # noqa: S608
                        " FROM household_settings s JOIN memberships m"
                        " ON m.household_id = s.household_id AND m.role = 'owner'"
                        " JOIN users u ON u.id = m.user_id"
                    )
                ).all()
                people_after = new.execute(
                    text(
                        "SELECT u.id, h.currency, h.timezone FROM users u"
                        " JOIN households h ON h.id = u.default_household_id"
                    )
                ).all()
                audit = new.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
                accounts = _accounts_at_head(new)
        finally:
            engine.dispose()
    assert sum(count for count, _ in before.values()) > 1000  # the demo data, not a token
    assert after == before
    assert {table for table, _owner in before} >= {"recurring_bookings", "transactions", "loans"}
    assert sorted(prefs_after) == sorted(prefs_before)
    assert sorted(people_after) == sorted(people_before)
    assert {row[-1] for row in prefs_after} == {"he", "en"}
    assert audit == 0  # moving the money is not a change anybody made
    # Migration 0013: each household has one account, its default bank account "Main
    # account", and every row that belongs to an account sits in it.
    assert accounts == {"accounts": len(owners), "outside": 0}


def _accounts_at_head(conn: Connection) -> dict[str, int]:
    mains = conn.execute(
        text(
            "SELECT count(*) FROM accounts"
            " WHERE is_default AND kind = 'bank' AND name = 'Main account'"
        )
    ).scalar_one()
    total = conn.execute(text("SELECT count(*) FROM accounts")).scalar_one()
    outside = sum(
        conn.execute(
            text(
                f"SELECT count(*) FROM {table} t JOIN accounts a ON a.id = t.account_id"  # noqa: S608
                " WHERE a.household_id <> t.household_id OR NOT a.is_default"
            )
        ).scalar_one()
        for table in (
            "transactions",
            "fixed_items",
            "installment_plans",
            "loans",
            "balance_records",
        )
    )
    return {"accounts": mains if mains == total else -total, "outside": outside}


def _tally_at_0010(conn: Connection) -> dict[tuple[str, int], tuple[int, Any]]:
    return _tally_with(conn, "user_id")


def _tally_at_head(conn: Connection) -> dict[tuple[str, int], tuple[int, Any]]:
    return _tally_with(conn, "household_id", owner_join=True)


def _tally_with(
    conn: Connection, column: str, *, owner_join: bool = False
) -> dict[tuple[str, int], tuple[int, Any]]:
    """Per (table, the owning person): the row count and the sum of its money column."""
    who = "m.user_id" if owner_join else f"o.{column}"
    join = (
        f" JOIN memberships m ON m.household_id = o.{column} AND m.role = 'owner'"
        if owner_join
        else ""
    )
    out: dict[tuple[str, int], tuple[int, Any]] = {}
    sources = {name: (f"{name} o", total) for name, total in OWNED.items()}
    for name, (parent, key, total) in CHILDREN.items():
        sources[name] = (
            f"{name} c JOIN {parent} o ON o.id = c.{key}",
            f"c.{total}" if total else None,
        )
    for name, (source, total) in sources.items():
        summed = f"sum({total})" if total else "NULL"
        rows = conn.execute(
            text(f"SELECT {who}, count(*), {summed} FROM {source}{join} GROUP BY 1")  # noqa: S608
        )
        out.update({(name, row[0]): (row[1], row[2]) for row in rows})
    return out
