"""Bank and card files as the banks give them: titles, sections, totals, footers, headers.

The layouts follow public open-source importers of these exports (see the sources listed
above `ALIASES` in domain/rules/import_mapping.py); nothing here is a made-up layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings
from domain.db.models import Household, Transaction
from domain.rules.import_files import RawRow, read_table
from domain.rules.import_mapping import ColumnMapping, guess_mapping, locate_header, positive_flow
from domain.rules.import_rows import parse_rows
from tests.io_support import counts, csv_file, io_client, post_file, xlsx_file

TODAY = date(2026, 8, 15)
EMPTY = {"transactions": 0, "import_keys": 0, "import_batches": 0, "import_profiles": 0}
ISRACARD_DOMESTIC = (
    "תאריך רכישה",
    "שם בית עסק",
    "סכום עסקה",
    "מטבע עסקה",
    "סכום חיוב",
    "מטבע חיוב",
    "מס' שובר",
    "פירוט נוסף",
)
ISRACARD_ABROAD = (
    "תאריך רכישה",
    "תאריך חיוב",
    "שם בית עסק",
    "סכום מקורי",
    "מטבע מקור",
    "סכום חיוב",
    "מטבע לחיוב",
    "מס' שובר",
    "פירוט נוסף",
)
# An Isracard / American Express statement: title and card lines, the domestic section and
# its total, a heading, the abroad section under its own header with a "TOTAL FOR DATE"
# line and its total, and the legal footer (noamshabat/expensifier isracard.ts; the sections
# and footer as yaronmolho1/Expense-tracker lib/parsers/isracard-parser.ts reads them).
CARD: list[list[Any]] = [
    ["פירוט עסקאות", "", "יולי 2026"],
    [],
    ["ישראכרט אמריקן אקספרס - 1234", "", "", "", "", "", "", 'סה"כ לחיוב: ₪ 599.27'],
    ["על שם ישראל ישראלי", "", "", "", "", "", "", "לחיוב ב-10.08"],
    ["עסקאות למועד חיוב"],
    list(ISRACARD_DOMESTIC),
    ["03/07/2026", "שופרסל דיל", "245.90", "₪", "245.90", "₪", "123456", ""],
    ["05/07/2026", "איקאה נתניה", "3,600.00", "₪", "300.00", "₪", "123457", "תשלום 2 מתוך 12"],
    ["09/07/2026", "סופר פארם", "-45.00", "₪", "-45.00", "₪", "123458", "זיכוי"],
    ["", 'סך חיוב בש"ח:', "", "", "500.90", "₪", "", ""],
    [],
    ['עסקאות בחו"ל'],
    list(ISRACARD_ABROAD),
    ["28/06/2026", "10/08/2026", "NETFLIX.COM", "15.99", "$", "54.37", "₪", "", 'אתר חו"ל'],
    ["01/07/2026", "10/08/2026", "AMAZON MKTPLACE", "12.50", "$", "44.00", "₪", "", ""],
    ["01/07/2026", "10/08/2026", "TOTAL FOR DATE", "", "", "44.00", "₪", "", ""],
    ["", "", 'סך חיוב בש"ח:', "", "", "98.37", "₪", "", ""],
    [],
    ["תנאים משפטיים: המידע המוצג הינו לידיעה בלבד ואינו מחליף את דף הפירוט החודשי"],
]
CARD_SKIPPED = [
    (10, 'a totals line ("סך חיוב בש"ח:")'),
    (12, "no date and no amount"),
    (13, "the header of a new section"),
    (16, 'a totals line ("TOTAL FOR DATE")'),
    (17, 'a totals line ("סך חיוב בש"ח:")'),
    (19, "no date and no amount"),
]
CARD_LEDGER = [
    (date(2026, 6, 28), Decimal("54.37"), "expense", "NETFLIX.COM", 'אתר חו"ל'),
    (date(2026, 7, 1), Decimal("44.00"), "expense", "AMAZON MKTPLACE", ""),
    (date(2026, 7, 3), Decimal("245.90"), "expense", "שופרסל דיל", ""),
    (
        date(2026, 7, 5),
        Decimal("300.00"),
        "expense",
        "איקאה נתניה",
        "תשלום 2 מתוך 12; סכום עסקה: 3,600.00",
    ),
    (date(2026, 7, 9), Decimal("45.00"), "income", "סופר פארם", "זיכוי"),
]
# A Leumi current account: title and account lines, the header, a page break that repeats
# the header, a totals line and a footer (Leumi's columns: see import_mapping.ALIASES).
LEUMI_HEADER = ["תאריך", "תאריך ערך", "תיאור", "אסמכתא", "בחובה", "בזכות", 'היתרה בש"ח']
LEUMI: list[list[Any]] = [
    ["בנק לאומי - תנועות בחשבון"],
    ["חשבון: 12-345-678901", "", "", "", "", "", "תאריך הפקה: 15/08/2026"],
    [],
    LEUMI_HEADER,
    ["01/07/2026", "01/07/2026", "שכר דירה", "5001", "5,200.00", "", "4,800.00"],
    ["02/07/2026", "02/07/2026", "משכורת", "5002", "", "12,600.00", "17,400.00"],
    LEUMI_HEADER,
    ["05/07/2026", "05/07/2026", "ישראכרט", "5003", "599.27", "", "16,800.73"],
    ['סה"כ', "", "", "", "5,799.27", "12,600.00", ""],
    ["* המידע כפוף לתנאי השימוש באתר"],
]


@pytest.fixture
def client(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    yield from io_client(settings, session_factory)


def _ledger(session: Session, household: Household) -> list[tuple[Any, ...]]:
    session.expire_all()
    rows = session.execute(
        select(
            Transaction.date,
            Transaction.amount,
            Transaction.type,
            Transaction.description,
            Transaction.notes,
        )
        .where(Transaction.household_id == household.id)
        .order_by(Transaction.date, Transaction.id)
    )
    return [tuple(row) for row in rows]


# --- which columns each bank's header maps to ------------------------------------------

MAX_HEADER = (
    "תאריך עסקה",
    "שם בית העסק",
    "קטגוריה",
    "4 ספרות אחרונות של כרטיס האשראי",
    "סוג עסקה",
    "סכום חיוב",
    "מטבע חיוב",
    "סכום עסקה מקורי",
    "מטבע עסקה מקורי",
    "תאריך חיוב",
    "הערות",
    "תיוגים",
    "מועדון הנחות",
    "מפתח דיסקונט",
    "אופן ביצוע ההעסקה",
    'שער המרה ממטבע מקור/התחשבנות לש"ח',
)
# (layout, header, (date, description, amount, debit, credit, notes, a positive amount is,
#  purchase amount))
LAYOUTS: list[tuple[str, tuple[str, ...], tuple[str | None, ...]]] = [
    (
        "Leumi",
        (*LEUMI_HEADER, "תאור מורחב"),
        ("תאריך", "תיאור", None, "בחובה", "בזכות", None, "income", None),
    ),
    (
        "Hapoalim",
        (
            "תאריך",
            "תיאור הפעולה",
            "פרטים",
            "חשבון",
            "אסמכתא",
            "תאריך ערך",
            "חובה",
            "זכות",
            "יתרה לאחר פעולה",
        ),
        ("תאריך", "תיאור הפעולה", None, "חובה", "זכות", None, "income", None),
    ),
    (
        "Discount",
        ("תאריך", "יום ערך", "תיאור התנועה", "₪ זכות/חובה", "₪ יתרה", "אסמכתה"),
        ("תאריך", "תיאור התנועה", "₪ זכות/חובה", None, None, None, "income", None),
    ),
    (
        "Mizrahi",
        ("תאריך", "סוג תנועה", "חובה", "זכות", "אסמכתא"),
        ("תאריך", "סוג תנועה", None, "חובה", "זכות", None, "income", None),
    ),
    (
        "Isracard and American Express, domestic",
        ISRACARD_DOMESTIC,
        (
            "תאריך רכישה",
            "שם בית עסק",
            "סכום חיוב",
            None,
            None,
            "פירוט נוסף",
            "expense",
            "סכום עסקה",
        ),
    ),
    (
        "Isracard and American Express, abroad",
        ISRACARD_ABROAD,
        (
            "תאריך רכישה",
            "שם בית עסק",
            "סכום חיוב",
            None,
            None,
            "פירוט נוסף",
            "expense",
            "סכום מקורי",
        ),
    ),
    (
        "Max",
        MAX_HEADER,
        (
            "תאריך עסקה",
            "שם בית העסק",
            "סכום חיוב",
            None,
            None,
            "הערות",
            "expense",
            "סכום עסקה מקורי",
        ),
    ),
    (
        "Cal",  # the names noamshabat/expensifier cal.ts checks, the column between unnamed
        ("תאריך העסקה", "שם בית העסק", "", "סכום החיוב"),
        ("תאריך העסקה", "שם בית העסק", "סכום החיוב", None, None, None, "expense", None),
    ),
]


@pytest.mark.parametrize(("layout", "header", "expected"), LAYOUTS, ids=[c[0] for c in LAYOUTS])
def test_each_banks_header_is_recognised(
    layout: str, header: tuple[str, ...], expected: tuple[str | None, ...]
) -> None:
    found = guess_mapping(header)
    assert (
        found.date,
        found.description,
        found.amount,
        found.debit,
        found.credit,
        found.notes,
        positive_flow(found, card_account=False),
        found.purchase,
    ) == expected, layout


# --- lines that are not transactions, in the pure rules ----------------------------------


def _parse(rows: list[list[Any]]) -> Any:
    table = read_table(csv_file(rows))
    layout = locate_header(table, ColumnMapping(), {})
    return parse_rows(table, layout, TODAY)


def test_lines_that_are_not_transactions_are_skipped_with_their_reason() -> None:
    parsed = _parse(CARD)
    assert [(s.line, s.reason) for s in parsed.skipped] == CARD_SKIPPED
    assert parsed.errors == ()
    assert [(r.line, r.amount, r.type) for r in parsed.rows] == [
        (7, Decimal("245.90"), "expense"),
        (8, Decimal("300.00"), "expense"),
        (9, Decimal("45.00"), "income"),
        (14, Decimal("54.37"), "expense"),
        (15, Decimal("44.00"), "expense"),
    ]
    assert parsed.total == 5
    assert parsed.skipped[-1].text.startswith("תנאים משפטיים")


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["עסקאות בחיוב מיידי"], "no date and no amount"),
        (["", "סך הכל", "", "", "1,234.50 ₪"], 'a totals line ("סך הכל")'),
        (['סה"כ לחיוב', "", "", "", "₪ 1,234.50"], 'a totals line ("סה"כ לחיוב")'),
        (["Total:", "", "", "", "99.00"], 'a totals line ("Total:")'),
        (["תאריך", "תיאור", "אסמכתא", "חובה", "זכות"], "a repeated header"),
    ],
)
def test_each_kind_of_non_transaction_line(row: list[str], reason: str) -> None:
    header = ["תאריך", "תיאור", "אסמכתא", "חובה", "זכות"]
    parsed = _parse([header, ["01/07/2026", "קפה", "1", "18.00", ""], row])
    assert [(s.line, s.reason) for s in parsed.skipped] == [(3, reason)]
    assert parsed.errors == ()


def test_the_figure_under_a_totals_label_is_skipped_but_a_lone_amount_elsewhere_is_an_error() -> (
    None
):
    header = ["תאריך עסקה", "שם בית העסק", "סכום חיוב"]
    max_footer = [header, ["01/07/2026", "קפה", "18.00"], ["סך הכל"], ["", "", "4889.27₪"]]
    assert [s.reason for s in _parse(max_footer).skipped] == [
        'a totals line ("סך הכל")',
        "the figure of the totals line above",
    ]
    lone = _parse([header, ["01/07/2026", "קפה", "18.00"], ["", "", "12.00"]])
    assert [(e.line, e.field) for e in lone.errors] == [(3, "date")]


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (["31/02/2026", "קפה", "18.00"], "date"),  # a date that is no day
        (["01/07/2026", "קפה", ""], "amount"),  # a dated line without its amount
        (["", "קפה", "18.00"], "date"),  # an amount and a description without a date
        (["01/07/2026", "Total Energies", "250.00x"], "amount"),  # a merchant, not a total
    ],
)
def test_a_line_that_looks_like_a_transaction_but_is_broken_is_still_an_error(
    row: list[str], field: str
) -> None:
    parsed = _parse([["תאריך", "תיאור", "סכום"], row])
    assert [(e.line, e.field) for e in parsed.errors] == [(2, field)]
    assert parsed.skipped == ()


def test_an_installment_note_is_kept_wherever_the_export_writes_it() -> None:
    header = ["תאריך עסקה", "שם בית העסק", "סכום חיוב", "סוג עסקה", "הערות"]
    rows = [
        header,
        ["05/07/2026", "איקאה", "300.00", "תשלומים", "תשלום 2 מתוך 12"],
        ["06/07/2026", "ACE  תשלום 3 מתוך 6", "50.00", "תשלומים", "הוראת קבע"],
    ]
    parsed = _parse(rows)
    assert [r.notes for r in parsed.rows] == ["תשלום 2 מתוך 12", "הוראת קבע; תשלום 3 מתוך 6"]


def test_a_file_with_nothing_but_skipped_lines_under_the_header_is_refused() -> None:
    from domain.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="no rows"):
        _parse([["תאריך", "תיאור", "סכום"], ['סה"כ', "", "0.00"]])


def test_a_section_header_is_not_mistaken_for_data() -> None:
    row = RawRow(1, ("28/06/2026", "10/08/2026", "NETFLIX.COM", "15.99"))
    from domain.rules.import_mapping import section_columns

    assert section_columns(row, guess_mapping(ISRACARD_ABROAD)) is None


# --- over HTTP: the whole statement in one go --------------------------------------------


def _card_xlsx() -> bytes:
    """The card statement as an Excel export: dates as text, amounts as numbers."""
    return xlsx_file([[_number_or_text(cell) for cell in row] for row in CARD])


def _number_or_text(cell: Any) -> Any:
    text = str(cell)
    return Decimal(text.replace(",", "")) if re.fullmatch(r"-?[\d,]+\.\d{2}", text) else cell


@pytest.mark.parametrize(
    ("name", "data", "encoding"),
    [
        ("isracard.csv", csv_file(CARD, encoding="cp1255"), "windows-1255"),
        ("Export_1234.xlsx", _card_xlsx(), "xlsx"),
    ],
    ids=["csv-windows-1255", "xlsx"],
)
def test_a_card_statement_with_two_sections_and_totals_imports_in_one_go(
    client: TestClient,
    session: Session,
    household: Household,
    headers: dict[str, str],
    name: str,
    data: bytes,
    encoding: str,
) -> None:
    preview = post_file(client, headers, data, name=name)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["encoding"], body["header_line"], body["error_count"]) == (encoding, 6, 0)
    assert [(s["line"], s["reason"]) for s in body["skipped"]] == CARD_SKIPPED
    assert (body["skipped_count"], body["total_rows"], body["new_rows"]) == (6, 5, 5)
    assert counts(session, household) == EMPTY
    committed = post_file(client, headers, data, name=name, dry_run=False)
    assert committed.status_code == 200, committed.text
    assert (committed.json()["imported"], committed.json()["skipped_lines"]) == (5, 6)
    assert _ledger(session, household) == CARD_LEDGER


def test_a_bank_export_with_a_page_break_and_a_totals_line_imports_in_one_go(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    data = csv_file(LEUMI, encoding="cp1255")
    committed = post_file(client, headers, data, name="leumi.csv", dry_run=False)
    assert committed.status_code == 200, committed.text
    assert (committed.json()["imported"], committed.json()["skipped_lines"]) == (3, 3)
    assert [row[:4] for row in _ledger(session, household)] == [
        (date(2026, 7, 1), Decimal("5200.00"), "expense", "שכר דירה"),
        (date(2026, 7, 2), Decimal("12600.00"), "income", "משכורת"),
        (date(2026, 7, 5), Decimal("599.27"), "expense", "ישראכרט"),
    ]
    preview = post_file(client, headers, data, name="leumi.csv").json()
    assert [(s["line"], s["reason"]) for s in preview["skipped"]] == [
        (7, "a repeated header"),
        (9, 'a totals line ("סה"כ")'),
        (10, "no date and no amount"),
    ]


def test_a_broken_line_among_skipped_ones_still_blocks_the_commit(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    broken = [*LEUMI[:5], ["31/06/2026", "31/06/2026", "שגוי", "5009", "10.00", "", ""], *LEUMI[5:]]
    response = post_file(client, headers, csv_file(broken, encoding="cp1255"), dry_run=False)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", 6, "date"]
    assert counts(session, household) == EMPTY


# Starlette decodes form fields in the charset the request names, so UTF-7 ("+2AA-") is how a
# lone surrogate reaches the field; a NUL travels as it is.
@pytest.mark.parametrize(
    ("charset", "bad"),
    [
        ("utf-8", b"Leumi\x00checking"),
        ("utf-7", b"Leumi +2AA-"),
    ],
)
def test_the_source_refuses_text_that_cannot_be_stored(
    client: TestClient,
    session: Session,
    household: Household,
    headers: dict[str, str],
    charset: str,
    bad: bytes,
) -> None:
    part = b'--b\r\nContent-Disposition: form-data; name="%s"%s\r\n\r\n%s\r\n'
    plain = csv_file([["Date", "Amount", "Description"], ["01/03/2026", "-5.00", "Bread"]])
    body = part % (b"file", b'; filename="l.csv"', plain)
    body += part % (b"source", b"", bad)
    body += part % (b"dry_run", b"", b"false") + b"--b--\r\n"
    response = client.post(
        "/api/v1/import/transactions",
        headers={**headers, "Content-Type": f"multipart/form-data; boundary=b; charset={charset}"},
        content=body,
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == "source"
    assert counts(session, household) == EMPTY
