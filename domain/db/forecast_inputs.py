"""Read-model queries the forecast needs: future movements, card lines, booked keys, history.

Every movement comes back on its account, in the base currency: a transaction at the
rate of its own date (or the latest before it), a transfer's legs likewise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Date, cast, exists, func, literal, or_, select, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from domain.db.currency import in_base, require_rates
from domain.db.models import (
    BalanceRecord,
    Category,
    FixedItem,
    InstallmentPlan,
    Loan,
    RecurringBooking,
    Transaction,
    Transfer,
)
from domain.db.recurring import any_of
from domain.rules.card_routing import Move
from domain.rules.cards import CardLine
from domain.rules.currency import RateTable, convert, explain_conversion
from domain.rules.forecast import HISTORY_MONTHS, CategoryHistory, Event
from domain.rules.money import ZERO
from domain.rules.occurrences import SourceSpec
from domain.rules.recurrence import add_months


def future_transactions(
    session: Session, household_id: int, today: date, end: date, rates: RateTable
) -> list[Event]:
    """Transactions dated after today and before the horizon's end, as signed events.

    One in another currency converts at the latest rate on or before its date, and its
    description says so.
    """
    return future_transactions_of(session, [household_id], today, end, {household_id: rates})[
        household_id
    ]


def future_transactions_of(
    session: Session,
    household_ids: Sequence[int],
    today: date,
    end: date,
    rates: Mapping[int, RateTable],
) -> dict[int, list[Event]]:
    """`future_transactions` of several households in one query (each with its own rates)."""
    rows = session.execute(
        select(
            Transaction.household_id,
            Transaction.date,
            Transaction.amount,
            Transaction.currency,
            Transaction.type,
            Transaction.description,
            Transaction.category_id,
            Transaction.account_id,
        )
        .where(
            Transaction.household_id == any_of(household_ids),
            Transaction.date > today,
            Transaction.date < end,
        )
        .order_by(Transaction.household_id, Transaction.date, Transaction.id)
    )
    events: dict[int, list[Event]] = {household_id: [] for household_id in household_ids}
    for r in rows:
        conversion = convert(r.amount, r.currency, r.date, rates[r.household_id])
        description = r.description or "Transaction"
        if conversion.converted:
            description = f"{description} ({explain_conversion(conversion)})"
        amount = conversion.base_amount
        events[r.household_id].append(
            Event(
                r.date,
                amount if r.type == "income" else -amount,
                description,
                "transaction",
                r.category_id,
                account_id=r.account_id,
            )
        )
    return events


def future_moves(
    session: Session,
    household_id: int,
    today: date,
    end: date,
    *,
    currencies: Mapping[int, str],
    rates: RateTable,
) -> list[Move]:
    """Transfers dated after today and before the horizon's end, each leg in the base currency.

    `currencies` holds each account's currency: what leaves is in the first account's,
    what arrives (`to_amount` when given) in the second's.
    """
    return future_moves_of(
        session, [household_id], today, end, currencies=currencies, rates={household_id: rates}
    )[household_id]


def future_moves_of(
    session: Session,
    household_ids: Sequence[int],
    today: date,
    end: date,
    *,
    currencies: Mapping[int, str],
    rates: Mapping[int, RateTable],
) -> dict[int, list[Move]]:
    """`future_moves` of several households in one query."""
    rows = session.execute(
        select(
            Transfer.household_id,
            Transfer.date,
            Transfer.amount,
            Transfer.to_amount,
            Transfer.from_account_id,
            Transfer.to_account_id,
            Transfer.description,
        )
        .where(
            Transfer.household_id == any_of(household_ids),
            Transfer.date > today,
            Transfer.date < end,
        )
        .order_by(Transfer.household_id, Transfer.date, Transfer.id)
    )
    moves: dict[int, list[Move]] = {household_id: [] for household_id in household_ids}
    for r in rows:
        table = rates[r.household_id]
        moves[r.household_id].append(
            Move(
                r.date,
                convert(r.amount, currencies[r.from_account_id], r.date, table).base_amount,
                convert(
                    r.to_amount or r.amount, currencies[r.to_account_id], r.date, table
                ).base_amount,
                r.from_account_id,
                r.to_account_id,
                r.description or "Transfer",
            )
        )
    return moves


def card_past_lines(
    session: Session,
    household_id: int,
    after: Mapping[int, date],
    today: date,
    *,
    currencies: Mapping[int, str],
    rates: RateTable,
) -> dict[int, tuple[CardLine, ...]]:
    """What moved on each credit card after its watermark (`after`), up to today.

    Purchases are expense lines; refunds, and transfers into the card that are not a
    statement's own charge (payments by hand), income lines; money taken out of the card
    is a purchase. Amounts in the base currency. Two queries for every card together.
    """
    if not after:
        return {}
    ids, since = list(after), min(after.values())
    lines: dict[int, list[CardLine]] = defaultdict(list)
    rows = session.execute(
        select(
            Transaction.account_id,
            Transaction.date,
            Transaction.amount,
            Transaction.currency,
            Transaction.type,
            Transaction.description,
        ).where(
            Transaction.household_id == household_id,
            Transaction.account_id.in_(ids),
            Transaction.date > since,
            Transaction.date <= today,
        )
    )
    for r in rows:
        if r.date > after[r.account_id]:
            amount = convert(r.amount, r.currency, r.date, rates).base_amount
            lines[r.account_id].append(CardLine(r.date, amount, r.type, r.description))
    transfers = session.execute(
        select(
            Transfer.date,
            Transfer.amount,
            Transfer.to_amount,
            Transfer.from_account_id,
            Transfer.to_account_id,
        ).where(
            Transfer.household_id == household_id,
            Transfer.to_account_id.in_(ids) | Transfer.from_account_id.in_(ids),
            Transfer.source != "card_statement",
            Transfer.date > since,
            Transfer.date <= today,
        )
    )
    for t in transfers:
        if t.to_account_id in after and t.date > after[t.to_account_id]:
            paid = t.to_amount or t.amount
            amount = convert(paid, currencies[t.to_account_id], t.date, rates).base_amount
            lines[t.to_account_id].append(CardLine(t.date, amount, "income", "Payment"))
        if t.from_account_id in after and t.date > after[t.from_account_id]:
            amount = convert(t.amount, currencies[t.from_account_id], t.date, rates).base_amount
            lines[t.from_account_id].append(CardLine(t.date, amount, "expense", "Transfer out"))
    return {
        card: tuple(sorted((x for x in found if x.amount > ZERO), key=lambda x: x.date))
        for card, found in lines.items()
    }


def booked_keys(
    session: Session, household_id: int, since: date
) -> frozenset[tuple[str, int, date]]:
    """Booking keys of the household from a day on (payments recorded ahead of the scheduler)."""
    return booked_keys_of(session, {household_id: since})[household_id]


def booked_keys_of(
    session: Session, since: Mapping[int, date]
) -> dict[int, frozenset[tuple[str, int, date]]]:
    """`booked_keys` of several households, each from its own day, in one query."""
    found: dict[int, set[tuple[str, int, date]]] = {household_id: set() for household_id in since}
    if since:
        rows = session.execute(
            select(
                RecurringBooking.household_id,
                RecurringBooking.source_kind,
                RecurringBooking.source_id,
                RecurringBooking.due_date,
            ).where(
                RecurringBooking.household_id == any_of(list(since)),
                RecurringBooking.due_date >= min(since.values()),
            )
        )
        for r in rows:
            if r.due_date >= since[r.household_id]:
                found[r.household_id].add((r.source_kind, r.source_id, r.due_date))
    return {household_id: frozenset(keys) for household_id, keys in found.items()}


def spending_history(
    session: Session, household_id: int, today: date, specs: list[SourceSpec], *, base: str
) -> list[CategoryHistory]:
    """Each (account, category)'s variable spending per month over the 12 whole months before this.

    Variable means not covered by a recurring item: not booked by the scheduler, not
    tied to a source, and not in a category that a recurring expense uses. Transfers are
    never spending (they are not transactions).
    """
    return spending_histories(session, {household_id: specs}, today, base=base)[household_id]


def spending_histories(
    session: Session, specs: Mapping[int, Sequence[SourceSpec]], today: date, *, base: str
) -> dict[int, list[CategoryHistory]]:
    """`spending_history` of several households with one today and base, in three queries."""
    ids = list(specs)
    first = date(*add_months(today.year, today.month, -HISTORY_MONTHS), 1)
    this_month = today.replace(day=1)
    recurring = sorted(
        {
            (household_id, s.info.category_id)
            for household_id, found in specs.items()
            for s in found
            if s.info.type == "expense" and s.info.category_id is not None
        }
    )
    # (household, category) pairs a recurring expense uses, as a set the planner can hash
    pairs = select(
        func.unnest(literal([p[0] for p in recurring], ARRAY(BigInteger))).label("h"),
        func.unnest(literal([p[1] for p in recurring], ARRAY(BigInteger))).label("c"),
    ).subquery()
    covered = exists().where(
        pairs.c.h == Transaction.household_id, pairs.c.c == Transaction.category_id
    )
    month = cast(func.date_trunc("month", Transaction.date), Date)
    where = (
        Transaction.household_id == any_of(ids),
        Transaction.type == "expense",
        Transaction.source != "recurring",
        Transaction.source_kind.is_(None),
        Transaction.date >= first,
        Transaction.date < this_month,
        or_(Transaction.category_id.is_(None), ~covered),
    )
    require_rates(session, base, *where)
    rows = session.execute(
        select(
            Transaction.household_id,
            Transaction.account_id,
            Transaction.category_id,
            month.label("month"),
            func.sum(in_base(base)),
        )
        .where(*where)
        .group_by(Transaction.household_id, Transaction.account_id, Transaction.category_id, month)
    ).all()
    names = {
        row.id: row.name
        for row in session.execute(
            select(Category.id, Category.name).where(Category.household_id == any_of(ids))
        )
    }
    by_key: dict[int, dict[tuple[int | None, int | None], dict[date, Decimal]]] = {
        household_id: defaultdict(dict) for household_id in ids
    }
    for household_id, account_id, category_id, start, total in rows:
        by_key[household_id][(account_id, category_id)][start] = total
    months = [date(*add_months(first.year, first.month, k), 1) for k in range(HISTORY_MONTHS)]
    return {
        household_id: [
            CategoryHistory(
                category_id,
                names.get(category_id, "Uncategorised") if category_id else "Uncategorised",
                tuple(totals.get(m, ZERO) for m in months),
                account_id=account_id,
            )
            for (account_id, category_id), totals in sorted(
                keyed.items(), key=lambda kv: (kv[0][1] or 0, kv[0][0] or 0)
            )
        ]
        for household_id, keyed in by_key.items()
    }


def has_any_data(session: Session, household_id: int) -> bool:
    """Whether the household has a transaction, a balance reading or a recurring source."""
    owned = union_all(
        *(
            select(table.id).where(table.household_id == household_id).limit(1)
            for table in (Transaction, BalanceRecord, FixedItem, InstallmentPlan, Loan)
        )
    )
    return bool(session.scalar(select(exists(owned))))
