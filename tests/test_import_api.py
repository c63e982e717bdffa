"""Import over HTTP: dry run, commit, double import, remembered mappings, bad files, a kill."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from domain.config import PROJECT_ROOT, Settings
from domain.db.models import Household, Transaction, User
from domain.rules.dates import local_today
from domain.rules.import_files import MAX_BYTES, MAX_ROWS
from tests.builders import category_named
from tests.conftest import home_of
from tests.io_support import counts, csv_file, io_client, post_file, xlsx_file
from tests.kill_import import APPLICATION_NAME

API = "/api/v1"
EMPTY = {"transactions": 0, "import_keys": 0, "import_batches": 0, "import_profiles": 0}
# A Hebrew bank export as banks write it: title lines, debit and credit, a balance column.
BANK = [
    ["תנועות בחשבון 12-345-678901"],
    [],
    ["תאריך", "תיאור", "אסמכתא", "חובה", "זכות", "יתרה"],
    ["01/03/2026", "שופרסל דיל", "1001", "1,234.50", "", "10,000.00"],
    ["02/03/2026", "משכורת", "1002", "", "12,600.00", "22,600.00"],
    ["05/03/2026", "קפה גרג", "1003", "18.00", "", "22,582.00"],
    ["05/03/2026", "קפה גרג", "1004", "18.00", "", "22,564.00"],
    ["10/03/2026", "ארנונה", "1005", "689.90", "", "21,874.10"],
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
            Transaction.source,
        )
        .where(Transaction.household_id == household.id)
        .order_by(Transaction.date, Transaction.id)
    )
    return [tuple(row) for row in rows]


def test_dry_run_reads_a_hebrew_bank_export_and_writes_nothing(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    response = post_file(client, headers, csv_file(BANK, encoding="cp1255"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["dry_run"], body["encoding"], body["header_line"]) == (True, "windows-1255", 3)
    assert body["mapping"]["debit_column"] == "חובה"
    assert body["mapping"]["date_format"] == "DD/MM/YYYY"
    assert (body["total_rows"], body["new_rows"], body["error_count"]) == (5, 5, 0)
    first = body["rows"][0]
    assert (first["line"], first["date"], first["amount"], first["type"]) == (
        4,
        "2026-03-01",
        "1234.50",
        "expense",
    )
    assert body["rows"][1]["type"] == "income"
    assert body["uncategorised"] == 5
    assert counts(session, household) == EMPTY


def test_commit_then_the_same_file_again_books_nothing_twice(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    data = csv_file(BANK, encoding="cp1255")
    first = post_file(client, headers, data, dry_run=False)
    assert first.status_code == 200, first.text
    assert (first.json()["imported"], first.json()["skipped_duplicates"]) == (5, 0)
    ledger = _ledger(session, household)
    coffees = [row for row in ledger if row[3] == "קפה גרג"]
    assert len(coffees) == 2  # two real coffees on one day both count
    assert {row[4] for row in ledger} == {"import"}
    again = post_file(client, headers, data, dry_run=False)
    assert (again.json()["imported"], again.json()["skipped_duplicates"]) == (0, 5)
    preview = post_file(client, headers, data).json()
    assert (preview["duplicates"], preview["new_rows"]) == (5, 0)
    assert all(row["duplicate"] for row in preview["rows"])
    assert _ledger(session, household) == ledger


def test_an_overlapping_export_adds_only_the_new_rows(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    post_file(client, headers, csv_file(BANK[:6], encoding="cp1255"), dry_run=False)
    later = [*BANK[2:], ["15/03/2026", "חשמל", "1006", "412.00", "", "21,462.10"]]
    response = post_file(client, headers, csv_file(later, encoding="cp1255"), dry_run=False)
    assert (response.json()["imported"], response.json()["skipped_duplicates"]) == (3, 3)
    assert len(_ledger(session, household)) == 6


def test_another_source_is_not_a_duplicate(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    data = csv_file(BANK, encoding="cp1255")
    post_file(client, headers, data, dry_run=False, source="Leumi checking")
    other = post_file(client, headers, data, dry_run=False, source="Joint account")
    assert other.json()["imported"] == 5
    assert len(_ledger(session, household)) == 10


def test_mapping_and_formats_are_remembered_for_the_next_file_of_that_shape(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    rows = [
        ["Wann", "Betrag", "Was"],
        ["2.3.2026", "-1.234,50", "Miete"],
        ["3.3.2026", "99,9", "x"],
    ]
    data = csv_file(rows, encoding="utf-8-sig", sep=";")
    mapping = {
        "date_column": "Wann",
        "amount_column": "Betrag",
        "description_column": "Was",
        "date_format": "DD.MM.YYYY",
        "decimal_separator": ",",
        "source": "Sparkasse",
    }
    committed = post_file(client, headers, data, dry_run=False, **mapping)
    assert committed.status_code == 200, committed.text
    assert [(r[1], r[2]) for r in _ledger(session, household)] == [
        (Decimal("1234.50"), "expense"),
        (Decimal("99.90"), "income"),
    ]
    later = csv_file([rows[0], ["4.3.2026", "-10,00", "Brot"]], encoding="utf-8-sig", sep=";")
    preview = post_file(client, headers, later).json()
    assert preview["remembered"] is True
    assert preview["source"] == "Sparkasse"
    assert preview["encoding"] == "utf-8-sig"
    assert preview["rows"][0]["amount"] == "10.00"


def test_categories_come_from_the_file_then_from_remembered_rules(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    rows = [
        ["Date", "Amount", "Description", "Category"],
        ["2026-03-01", "-250.00", "Shufersal Deal 1234", "Groceries"],
        ["2026-03-02", "-80.00", "Mystery shop", "Astrology"],
        ["2026-03-03", "12600", "Salary", "Salary"],
    ]
    body = post_file(client, headers, csv_file(rows), dry_run=False).json()
    assert body["uncategorised"] == 1
    groceries = category_named(session, household, "Groceries").id
    next_month = [
        ["Date", "Amount", "Description"],
        ["2026-04-01", "-310.20", "Shufersal Deal 5678"],
    ]
    preview = post_file(client, headers, csv_file(next_month)).json()
    assert preview["rows"][0]["category_id"] == groceries
    assert preview["rows"][0]["category"] == "Groceries"
    warned = post_file(client, headers, csv_file(rows)).json()["warnings"]
    assert warned[0]["line"] == 3
    assert "Astrology" in warned[0]["message"]
    uncategorised = client.get(
        f"{API}/transactions", headers=headers, params={"uncategorised": "true"}
    ).json()
    assert [t["description"] for t in uncategorised["items"]] == ["Mystery shop"]


def test_an_excel_file_with_dates_and_numbers_imports(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    rows: list[list[Any]] = [
        ["Date", "Description", "Amount"],
        [datetime(2026, 3, 1), "Rent", -5200],  # noqa: DTZ001 - Excel times are naive
        [date(2026, 3, 10), "Salary", 12600.5],
        [date(2026, 3, 11), "Float noise", 0.1 + 0.2],
    ]
    response = post_file(client, headers, xlsx_file(rows), name="bank.xlsx", dry_run=False)
    assert response.status_code == 200, response.text
    assert [(r[0], r[1], r[2]) for r in _ledger(session, household)] == [
        (date(2026, 3, 1), Decimal("5200.00"), "expense"),
        (date(2026, 3, 10), Decimal("12600.50"), "income"),
        (date(2026, 3, 11), Decimal("0.30"), "income"),
    ]


def test_the_dry_run_lists_every_error_with_its_line(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    rows = [
        ["Date", "Amount", "Description"],
        ["01/03/2026", "-10.00", "fine"],
        ["31/02/2026", "-10.00", "no such day"],
        ["02/03/2026", "-12.345", "three decimals"],
        ["01/01/2099", "-1.00", "far future"],
        ["03/03/2026", "=1+2", "formula"],
        ["04/03/2026", "0", "zero"],
        ["05/03/2026", "abc", "words"],
    ]
    body = post_file(client, headers, csv_file(rows)).json()
    found = {(e["line"], e["field"]) for e in body["errors"]}
    assert found == {
        (3, "date"),
        (4, "amount"),
        (5, "date"),
        (6, "amount"),
        (7, "amount"),
        (8, "amount"),
    }
    assert body["error_count"] == 6
    assert body["new_rows"] == 0
    assert [r["line"] for r in body["rows"]] == [2]
    assert counts(session, household) == EMPTY


def _bad(rows: list[list[object]]) -> bytes:
    return csv_file([["Date", "Amount", "Description"], *rows])


BIG_ROW = b"01/03/2026,-1.00," + b"x" * 200 + b"\n"
BAD_FILES: list[tuple[str, bytes, dict[str, str], str]] = [
    ("empty", b"", {}, "the file is empty"),
    ("blank", b"  \r\n\r\n", {}, "the file is empty"),
    ("binary", bytes(range(256)) * 40, {}, "binary file"),
    ("old xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, {}, ".xls"),
    ("pdf", b"%PDF-1.7\n" + b"x" * 100, {}, "PDF"),
    ("damaged xlsx", b"PK\x03\x04" + b"garbage" * 50, {}, "damaged"),
    (
        "no header",
        csv_file([["01/03/2026", "-1.00", "shop"], ["02/03/2026", "-2", "x"]]),
        {},
        "not column names",
    ),
    (
        "wrong columns",
        _bad([["01/03/2026", "-1.00", "x"]]),
        {"date_column": "Datum"},
        'no column "Datum"',
    ),
    ("unrecognised", csv_file([["Foo", "Bar"], ["a", "b"]]), {}, "could not tell which columns"),
    ("header only", _bad([]), {}, "no rows"),
    ("three decimals", _bad([["01/03/2026", "-12.345", "x"]]), {}, "3 decimal places"),
    ("date in 2099", _bad([["01/01/2099", "-1.00", "x"]]), {}, "more than a year ahead"),
    ("formula cell", _bad([["01/03/2026", "-1.00", '=HYPERLINK("x")']]), {}, "formula"),
    ("formula injection", _bad([["01/03/2026", "-1.00", "-2+3+cmd|' /C calc'!A0"]]), {}, "formula"),
    (
        "excel formula",
        xlsx_file([["Date", "Amount"], [date(2026, 3, 1), 5]], formulas={"B2": "=1+2"}),
        {},
        "formula",
    ),
    ("too big", BIG_ROW * (MAX_BYTES // len(BIG_ROW) + 1), {}, "the limit is 10 MB"),
    (
        "too many rows",
        b"Date,Amount\n" + b"01/03/2026,-1.00\n" * (MAX_ROWS + 1),
        {},
        "more than 100,000 rows",
    ),
]


@pytest.mark.parametrize(
    ("case", "data", "form", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES]
)
def test_a_bad_file_gets_a_clear_error_and_writes_nothing(
    client: TestClient,
    session: Session,
    household: Household,
    headers: dict[str, str],
    case: str,
    data: bytes,
    form: dict[str, str],
    message: str,
) -> None:
    name = "bank.xlsx" if data.startswith(b"PK") else "bank.csv"
    response = post_file(client, headers, data, name=name, dry_run=False, **form)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert message in detail["msg"], detail
    assert counts(session, household) == EMPTY


def test_a_refused_commit_names_the_first_bad_line(
    client: TestClient, household: Household, headers: dict[str, str]
) -> None:
    data = _bad([["01/03/2026", "-1.00", "ok"], ["02/03/2026", "-1.005", "bad"]])
    detail = post_file(client, headers, data, dry_run=False).json()["detail"][0]
    assert detail["loc"] == ["body", 3, "amount"]
    assert detail["msg"].startswith("1 error; nothing was imported. line 3: amount:")


def test_the_upload_must_be_a_file(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post(f"{API}/import/transactions", headers=headers, data={"dry_run": "true"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "file"


def _backend_alive(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": APPLICATION_NAME},
            )
        )


def test_a_commit_killed_midway_leaves_nothing_behind(
    committed_user: User, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    with sessionmaker(bind=engine)() as session:
        home = home_of(session, committed_user)
    start = date(2020, 1, 1)
    rows = [["Date", "Amount", "Description"]]
    rows += [
        [f"{start + timedelta(days=i % 1500):%d/%m/%Y}", f"-{i % 900 + 1}.25", f"shop {i}"]
        for i in range(12_000)
    ]
    path = tmp_path / "big.csv"
    path.write_bytes(csv_file(rows))
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.kill_import",
            database_url,
            str(home.id),
            str(path),
        ],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("written 5000 of 12000"), line
        factory = sessionmaker(bind=engine)
        with factory() as session:
            assert counts(session, home) == EMPTY  # written, not committed
    finally:
        child.kill()
        child.wait(timeout=30)
    deadline = time.monotonic() + 15
    while _backend_alive(engine) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _backend_alive(engine)
    with sessionmaker(bind=engine)() as session:
        assert counts(session, home) == EMPTY
        household = session.get(Household, home.id)
        assert household is not None
        today = local_today(datetime.now(UTC), household.timezone)
        from domain.services.imports import Upload, preview_import

        preview = preview_import(session, household, Upload(path.read_bytes()), today)
        assert (preview.duplicates, preview.new_rows) == (0, 12_000)


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    """413 as soon as the declared length, or the bytes streamed so far, pass the limit."""
    huge = BIG_ROW * ((MAX_BYTES + 1024 * 1024) // len(BIG_ROW))
    declared = post_file(client, headers, huge, dry_run=False)
    assert declared.status_code == 413, declared.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while it streams
        boundary = b"--cashflow\r\n"
        yield boundary + b'Content-Disposition: form-data; name="file"; filename="b.csv"\r\n\r\n'
        for _ in range(12):
            yield b"x" * (1024 * 1024)
        yield b"\r\n--cashflow--\r\n"

    streamed = client.post(
        "/api/v1/import/transactions",
        headers={**headers, "Content-Type": "multipart/form-data; boundary=cashflow"},
        content=chunks(),
    )
    assert streamed.status_code == 413, streamed.text
    assert counts(session, household) == EMPTY
