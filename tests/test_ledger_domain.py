"""Ledger rules and services against the real database."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.errors import InvalidInputError
from domain.rules.ledger import LedgerFilter, TransactionDraft, check_draft, total_rows
from domain.services.transactions import bulk_record, ledger_totals, list_transactions
from tests.conftest import home_of, make_user

D = Decimal
DAY = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (TransactionDraft(DAY, D("0.00"), "expense"), "amount"),
        (TransactionDraft(DAY, D("-1.00"), "expense"), "amount"),
        (TransactionDraft(DAY, D("1.005"), "expense"), "amount"),
        (TransactionDraft(DAY, D("10000000000000"), "expense"), "amount"),
        (TransactionDraft(DAY, D("1.00"), "gift"), "type"),  # type: ignore[arg-type]
        (TransactionDraft(DAY, D("1.00"), "expense", description="x" * 501), "description"),
        (TransactionDraft(DAY, D("1.00"), "expense", notes="x" * 2001), "notes"),
        (TransactionDraft(DAY, D("1.00"), "expense", currency="ils"), "currency"),
    ],
)
def test_draft_rules_name_the_field(draft: TransactionDraft, field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        check_draft(draft)
    assert err.value.field == field


def test_totals_of_literal_rows() -> None:
    totals = total_rows([("income", D("100.10")), ("expense", D("0.20")), ("expense", D("0.10"))])
    assert (totals.income, totals.expense, totals.net, totals.count) == (
        D("100.10"),
        D("0.30"),
        D("99.80"),
        3,
    )


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["income", "expense"]),
        st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2),
        st.integers(min_value=0, max_value=120),
    ),
    min_size=1,
    max_size=40,
)


@given(rows=rows_strategy, window=st.tuples(st.integers(0, 120), st.integers(0, 120)))
@hypothesis_settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_totals_of_a_filtered_range_equal_the_sum_of_its_rows(
    session: Session,
    settings: Settings,
    rows: list[tuple[str, Decimal, int]],
    window: tuple[int, int],
) -> None:
    home = home_of(session, make_user(session, settings))
    drafts = [
        TransactionDraft(DAY + timedelta(days=day), amount, flow)  # type: ignore[arg-type]
        for flow, amount, day in rows
    ]
    bulk_record(session, home, drafts)
    start, end = sorted(window)
    spec = LedgerFilter(start=DAY + timedelta(days=start), end=DAY + timedelta(days=end))
    listed: list[Any] = []
    offset = 0
    while True:
        page = list_transactions(session, home, spec, limit=7, offset=offset)
        listed.extend(page.rows)
        offset += 7
        if offset >= page.total:
            break
    expected = total_rows((row.type, row.amount) for row in listed)
    in_window = [r for r in rows if start <= r[2] < end]
    assert len(listed) == len(in_window) == expected.count
    assert ledger_totals(session, home, spec) == expected
    assert all(isinstance(row.amount, Decimal) for row in listed)
