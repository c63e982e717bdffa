"""Pure card statement views as literal tables: status, empty statements, exposure, charges due."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.rules.card_views import (
    StatementStatus,
    closes_between,
    convert_between,
    credit_exposure,
    due_statements,
    every_statement,
    statement_status,
)
from domain.rules.cards import CardCycle, CardLine, build_statements
from domain.rules.currency import Rate, build_rate_table

D = Decimal
CYCLE = CardCycle(close_day=10, charge_day=2)
FEB_END = CardCycle(close_day=31, charge_day=10)


@pytest.mark.parametrize(
    ("cycle", "closes", "today", "booked_through", "charged", "status"),
    [
        (CYCLE, date(2027, 1, 10), date(2027, 3, 15), date(2027, 2, 10), True, "charged"),
        (CYCLE, date(2027, 1, 10), date(2027, 3, 15), date(2027, 2, 10), False, "history"),
        (CYCLE, date(2027, 2, 10), date(2027, 3, 15), date(2027, 2, 10), False, "history"),
        (CYCLE, date(2027, 3, 10), date(2027, 3, 15), date(2027, 2, 10), False, "closed"),
        (CYCLE, date(2027, 3, 10), date(2027, 3, 15), None, False, "closed"),
        (CYCLE, date(2027, 4, 10), date(2027, 3, 15), date(2027, 2, 10), False, "open"),
        (CYCLE, date(2027, 5, 10), date(2027, 3, 15), date(2027, 2, 10), False, "coming"),
        # the close day itself still belongs to the open statement
        (CYCLE, date(2027, 3, 10), date(2027, 3, 10), date(2027, 2, 10), False, "open"),
        (CYCLE, date(2027, 3, 10), date(2027, 3, 11), date(2027, 2, 10), False, "closed"),
        # a close day of 31 closes on 28 February
        (FEB_END, date(2027, 2, 28), date(2027, 2, 28), None, False, "open"),
        (FEB_END, date(2027, 3, 31), date(2027, 2, 28), None, False, "coming"),
        (FEB_END, date(2027, 3, 31), date(2027, 3, 1), None, False, "open"),
    ],
)
def test_where_a_statement_stands(
    cycle: CardCycle,
    closes: date,
    today: date,
    booked_through: date | None,
    charged: bool,
    status: str,
) -> None:
    found = statement_status(
        cycle, closes, today=today, booked_through=booked_through, charged=charged
    )
    assert found == status


def _line(day: date, amount: str, flow: str = "expense") -> CardLine:
    return CardLine(day, D(amount), flow)  # type: ignore[arg-type]


def test_empty_statements_carry_the_credit_before_them() -> None:
    built = build_statements(
        CYCLE,
        [
            _line(date(2027, 1, 5), "50.00"),
            _line(date(2027, 1, 8), "90.00", "income"),  # 40.00 of credit
            _line(date(2027, 4, 1), "100.00"),
        ],
    )
    shown = every_statement(
        CYCLE, built, closes_between(CYCLE, date(2027, 2, 1), date(2027, 4, 10))
    )
    table = [(s.closes, s.charge, s.lines != (), s.carried_in, s.total, s.carried) for s in shown]
    assert table == [
        # close           charge            lines  carried in  total      carried
        (date(2027, 2, 10), date(2027, 3, 2), False, D("40.00"), D("0"), D("40.00")),
        (date(2027, 3, 10), date(2027, 4, 2), False, D("40.00"), D("0"), D("40.00")),
        (date(2027, 4, 10), date(2027, 5, 2), True, D("40.00"), D("60.00"), D("0")),
    ]


def test_the_statements_due_are_after_the_watermark_with_their_charge_day_come() -> None:
    built = build_statements(
        CYCLE,
        [_line(date(2027, month, 1), "10.00") for month in (1, 2, 3, 4)],
    )
    due = due_statements(built, booked_through=date(2027, 1, 10), today=date(2027, 4, 2))
    assert [(s.closes, s.charge) for s in due] == [
        (date(2027, 2, 10), date(2027, 3, 2)),
        (date(2027, 3, 10), date(2027, 4, 2)),  # its charge day is today
    ]
    everything = due_statements(built, booked_through=None, today=date(2027, 4, 1))
    assert [s.closes for s in everything] == [date(2027, 1, 10), date(2027, 2, 10)]


def test_exposure_sums_the_statements_not_charged_by_where_they_stand() -> None:
    built = build_statements(
        CYCLE,
        [
            _line(date(2027, 2, 1), "80.00"),  # charged
            _line(date(2027, 2, 20), "300.00"),  # closed, awaiting its charge
            _line(date(2027, 3, 14), "200.00"),  # open
            _line(date(2027, 4, 12), "100.00"),  # coming
            _line(date(2027, 5, 12), "100.00"),  # coming
        ],
    )
    statuses: list[StatementStatus] = ["charged", "closed", "open", "coming", "coming"]
    standing = dict(zip([s.closes for s in built], statuses, strict=True))
    table = [
        # limit        awaiting     open         coming       used          available
        (D("1000.00"), D("300.00"), D("200.00"), D("200.00"), D("700.00"), D("300.00"), False),
        (D("600.00"), D("300.00"), D("200.00"), D("200.00"), D("700.00"), D("-100.00"), True),
        (None, D("300.00"), D("200.00"), D("200.00"), D("700.00"), None, False),
    ]
    for limit, awaiting, open_, coming, used, available, over in table:
        exposure = credit_exposure(((s, standing[s.closes]) for s in built), limit)
        assert (
            exposure.awaiting_charge,
            exposure.open_statement,
            exposure.coming,
            exposure.used,
            exposure.available,
            exposure.over_limit,
        ) == (awaiting, open_, coming, used, available, over)


@pytest.mark.parametrize(
    ("amount", "currency", "to", "converted"),
    [
        ("100.00", "ILS", "ILS", "100.00"),
        ("100.00", "USD", "ILS", "350.00"),
        ("350.00", "ILS", "USD", "100.00"),
        ("10.00", "EUR", "USD", "11.43"),  # 40.00 ILS at 3.5, half up to the agora
    ],
)
def test_a_charge_between_currencies_goes_through_the_base(
    amount: str, currency: str, to: str, converted: str
) -> None:
    table = build_rate_table(
        "ILS", [Rate(date(2027, 1, 1), "USD", D("3.5")), Rate(date(2027, 1, 1), "EUR", D("4"))]
    )
    assert convert_between(D(amount), currency, to, date(2027, 3, 2), table) == D(converted)
