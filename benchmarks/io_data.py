"""Import and export benchmark data: households with N transactions, a bank CSV of N rows."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta

import psycopg
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.engine import libpq_url
from domain.db.models import Household
from domain.services.households import open_scope
from domain.services.users import create_user

START = date(2016, 1, 1)
DESCRIPTIONS = ("Shufersal", "Rami Levy", "Rav-Kav", "Paz fuel", "Cafe Landwer", "Super-Pharm")


def row(index: int) -> tuple[date, str, str, str]:
    """The index-th generated transaction: date, type, amount (positive), description."""
    flow = "income" if index % 25 == 0 else "expense"
    amount = f"{(index * 7919) % 250_000 / 100 + 1:.2f}"
    description = f"{DESCRIPTIONS[index % len(DESCRIPTIONS)]} {index % 97}"
    return START + timedelta(days=index % 3650), flow, amount, description


def new_household(session: Session, settings: Settings, prefix: str) -> Household:
    """A fresh person's personal household for one measurement."""
    user = create_user(
        session,
        settings,
        username=f"{prefix}_{uuid.uuid4().hex[:10]}",
        password="bench-password",  # noqa: S106 - a throwaway bench user
    )
    session.flush()
    return open_scope(session, user).household


def copy_text(count: int, household_id: int) -> bytes:
    """The rows as COPY text: household_id, date, amount, type, description, currency, source.

    Their source is "import", as the rows an import writes, which the audit trigger skips.
    """
    buffer = io.StringIO()
    for index in range(count):
        day, flow, amount, description = row(index)
        buffer.write(
            f"{household_id}\t{day.isoformat()}\t{amount}\t{flow}\t{description}\tILS\timport\n"
        )
    return buffer.getvalue().encode()


COPY_SQL = (
    "COPY transactions (household_id, date, amount, type, description, currency, source) FROM STDIN"
)
UNAUDITED_SQL = "SELECT set_config('cashflow.audit', 'off', true)"


def copy_rows(url: str, data: bytes, *, audited: bool = True) -> None:
    """COPY the rows into transactions and commit (the trigger switched off when not audited)."""
    with psycopg.connect(libpq_url(url)) as conn:
        if not audited:
            conn.execute(UNAUDITED_SQL)
        with conn.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
            copy.write(data)
        conn.commit()


def fill_ledger(url: str, household_id: int, count: int) -> None:
    """Give a household `count` generated transactions (COPY: this is set-up, not measured)."""
    copy_rows(url, copy_text(count, household_id), audited=False)


def bank_csv(count: int) -> bytes:
    """The rows as an Israeli bank export: DD/MM/YYYY, signed amounts, UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Date", "Description", "Amount"])
    for index in range(count):
        day, flow, amount, description = row(index)
        writer.writerow(
            [f"{day:%d/%m/%Y}", description, amount if flow == "income" else f"-{amount}"]
        )
    return buffer.getvalue().encode()
