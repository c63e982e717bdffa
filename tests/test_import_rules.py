"""The pure rules of importing and exporting: cells, headers, keys, neutralisation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInputError
from domain.rules.export_csv import csv_chunks, neutralise
from domain.rules.import_categories import ActiveCategory, CategoryBook, rule_key
from domain.rules.import_files import decode_text, read_table, sniff_delimiter
from domain.rules.import_mapping import ColumnMapping, guess_mapping, header_signature
from domain.rules.import_rows import ImportRow, keyed
from domain.rules.import_values import (
    CellValueError,
    DateFormat,
    DecimalMark,
    guess_date_format,
    guess_decimal_mark,
    one_line,
    parse_amount,
    parse_date,
    parse_flow,
)

AMOUNTS: list[tuple[str, DecimalMark, str]] = [
    ("1234.50", ".", "1234.50"),
    ("1,234.50", ".", "1234.50"),
    ("-1,234.5", ".", "-1234.50"),
    ("1,234.50-", ".", "-1234.50"),  # a trailing minus, as Israeli banks print it
    ("(99.90)", ".", "-99.90"),
    ("₪ 12.00", ".", "12.00"),
    ('12.00 ש"ח', ".", "12.00"),
    ("+7", ".", "7.00"),
    ("1.234,56", ",", "1234.56"),
    ("-0,5", ",", "-0.50"),
    ("1 234,56", ",", "1234.56"),
    ("12.340", ".", "12.34"),  # a third place that is zero is fine
    ("\u200f-45.10\u200f", ".", "-45.10"),  # direction marks of Hebrew exports
]
BAD_AMOUNTS: list[tuple[str, DecimalMark, str]] = [
    ("12.345", ".", "3 decimal places"),
    ("1,234.567", ".", "3 decimal places"),
    ("abc", ".", "not an amount"),
    ("1.2.3", ".", "not an amount"),
    ("12,34,5", ".", "not an amount"),
    ("", ".", "not an amount"),
]
DATES: list[tuple[str, DateFormat, date]] = [
    ("15/01/2026", "DD/MM/YYYY", date(2026, 1, 15)),
    ("5/1/2026", "DD/MM/YYYY", date(2026, 1, 5)),
    ("15/01/26", "DD/MM/YYYY", date(2026, 1, 15)),
    ("15/01/2026 00:00", "DD/MM/YYYY", date(2026, 1, 15)),
    ("2026-01-15", "DD/MM/YYYY", date(2026, 1, 15)),  # ISO is always understood
    ("01/15/2026", "MM/DD/YYYY", date(2026, 1, 15)),
    ("15.01.2026", "DD.MM.YYYY", date(2026, 1, 15)),
    ("2026/01/15", "YYYY/MM/DD", date(2026, 1, 15)),
]


@pytest.mark.parametrize(("text", "mark", "expected"), AMOUNTS)
def test_amounts(text: str, mark: DecimalMark, expected: str) -> None:
    assert parse_amount(text, mark) == Decimal(expected)


@pytest.mark.parametrize(("text", "mark", "message"), BAD_AMOUNTS)
def test_bad_amounts(text: str, mark: DecimalMark, message: str) -> None:
    with pytest.raises(CellValueError, match=message):
        parse_amount(text, mark)


@pytest.mark.parametrize(("text", "fmt", "expected"), DATES)
def test_dates(text: str, fmt: DateFormat, expected: date) -> None:
    assert parse_date(text, fmt) == expected


@pytest.mark.parametrize("text", ["31/02/2026", "15-01-2026x", "2026", "13/13/2026"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(CellValueError):
        parse_date(text, "DD/MM/YYYY")


@given(
    st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False),
    st.sampled_from([".", ","]),
)
def test_a_formatted_amount_reads_back_exactly(amount: Decimal, mark: DecimalMark) -> None:
    text = f"{amount:,.2f}"
    if mark == ",":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    assert parse_amount(text, mark) == amount


def test_guesses_from_samples() -> None:
    assert guess_date_format(["01/02/2026", "13/02/2026"]) == "DD/MM/YYYY"
    assert guess_date_format(["02/13/2026", "02/14/2026"]) == "MM/DD/YYYY"
    assert guess_date_format(["13.02.2026"]) == "DD.MM.YYYY"
    assert guess_decimal_mark(["1.234,50", "12,00"]) == ","
    assert guess_decimal_mark(["1,234.50", "7"]) == "."
    assert sniff_delimiter("a;b;c\n1;2;3\n") == ";"
    assert sniff_delimiter("a\tb\n1,5\t2\n") == "\t"


def test_flows_in_both_languages() -> None:
    assert [parse_flow(w) for w in ("Income", "הכנסה", "זכות", "expense", "הוצאה", "חובה")] == [
        "income",
        "income",
        "income",
        "expense",
        "expense",
        "expense",
    ]


def test_encodings() -> None:
    text = "תאריך,סכום\n"
    assert decode_text(text.encode("utf-8")) == (text, "utf-8")
    assert decode_text(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode_text(text.encode("cp1255")) == (text, "windows-1255")
    assert decode_text(text.encode("utf-16")) == (text, "utf-16")


def test_guessed_mappings() -> None:
    hebrew = guess_mapping(("תאריך עסקה", "שם בית העסק", "סכום עסקה", "סכום חיוב", "הערות"))
    assert (hebrew.date, hebrew.description, hebrew.amount, hebrew.notes) == (
        "תאריך עסקה",
        "שם בית העסק",
        "סכום חיוב",  # the billed amount, not the purchase amount
        "הערות",
    )
    bank = guess_mapping(("Date", "Details", "Debit", "Credit", "Balance"))
    assert (bank.amount, bank.debit, bank.credit) == (None, "Debit", "Credit")
    assert header_signature((" Date", "AMOUNT")) == header_signature(("date", "amount"))


def test_a_chosen_money_column_replaces_the_remembered_ones() -> None:
    remembered = ColumnMapping(date="D", debit="Out", credit="In", decimal=",")
    merged = ColumnMapping(amount="Sum").merged(remembered)
    assert (merged.amount, merged.debit, merged.credit, merged.decimal) == ("Sum", None, None, ",")


def test_title_lines_above_the_header_are_skipped() -> None:
    table = read_table(b"Statement\n\nDate,Amount\n01/03/2026,-5\n")
    assert [row.line for row in table.rows] == [1, 3, 4]


def _row(description: str, amount: str = "10.00", day: int = 1) -> ImportRow:
    return ImportRow(1, date(2026, 3, day), Decimal(amount), "expense", description)


def test_identical_rows_of_one_file_get_increasing_ordinals() -> None:
    keys = keyed((_row("Coffee"), _row("coffee "), _row("Coffee", "11.00"), _row("Coffee")))
    assert [ordinal for _, ordinal in keys] == [1, 2, 1, 3]
    assert keys[0][0] == keys[1][0] != keys[2][0]


def test_rules_match_descriptions_without_their_numbers() -> None:
    assert rule_key("PAYPAL *NETFLIX 4411") == rule_key("paypal *netflix 9021") == "paypal *netflix"
    groceries = ActiveCategory(7, "Groceries", "מכולת וסופר", "expense")
    salary = ActiveCategory(8, "Salary", "משכורת", "income")
    book = CategoryBook([groceries, salary], {"shufersal": 7, "salary": 7})
    assert book.assign(_row("Shufersal 12")).category_id == 7
    named = ImportRow(1, date(2026, 3, 1), Decimal(5), "expense", "x", category="מכולת וסופר")
    assert book.assign(named).origin == "file"
    wrong_type = ImportRow(1, date(2026, 3, 1), Decimal(5), "income", "Salary")
    assert book.assign(wrong_type).category_id is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+972-50", "'+972-50"),
        ("-refund", "'-refund"),
        ("@home", "'@home"),
        ("\tx", "'\tx"),
        ("Shufersal", "Shufersal"),
        ("", ""),
    ],
)
def test_neutralise(text: str, expected: str) -> None:
    assert neutralise(text) == expected


@given(st.text(max_size=40).filter(lambda t: t == " ".join(t.split()) and not t.startswith("'")))
def test_a_neutralised_description_imports_back_unchanged(text: str) -> None:
    assert one_line(neutralise(text)) == one_line(text)


def test_csv_chunks_start_with_a_bom_and_keep_amounts_numeric() -> None:
    rows = [(date(2026, 3, 1), "expense", None, Decimal("-5.00"), "=1+2", "", "ILS", "manual")]
    data = b"".join(csv_chunks(("Date", "Type", "Category", "Amount"), rows, "he"))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0] == "תאריך,סוג,קטגוריה,סכום"
    assert text.splitlines()[1] == "2026-03-01,expense,,-5.00,'=1+2,,ILS,manual"


def test_a_file_over_the_limit_is_refused_before_reading() -> None:
    with pytest.raises(InvalidInputError, match="limit is 10 MB"):
        read_table(b"x" * (10 * 1024 * 1024 + 1))
