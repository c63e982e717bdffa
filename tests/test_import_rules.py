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
from domain.rules.import_mapping import (
    ColumnMapping,
    guess_mapping,
    header_signature,
    locate_header,
    positive_flow,
)
from domain.rules.import_matching import (
    BookedCharge,
    Card,
    card_debits,
    match_charges,
    names_card,
)
from domain.rules.import_rows import ImportRow, keyed, parse_rows
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
from tests.io_support import csv_file

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


# --- accounts and cards (#15) ------------------------------------------------------------

# (mapping, a card account?, a positive amount is)
SIGNS: list[tuple[ColumnMapping, bool, str]] = [
    (ColumnMapping(date="Date", amount="Amount"), False, "income"),
    (ColumnMapping(date="Date", amount="Amount"), True, "expense"),
    (ColumnMapping(date="Date", amount="Amount", positive_means="income"), True, "income"),
    (ColumnMapping(date="Date", amount="Amount", positive_means="expense"), False, "expense"),
    (ColumnMapping(date="תאריך עסקה", amount="סכום חיוב"), False, "expense"),  # a card export
    (ColumnMapping(date="Date", debit="Out", credit="In"), True, "income"),  # credit is in
    (
        ColumnMapping(date="Date", debit="Out", credit="In", positive_means="expense"),
        False,
        "expense",
    ),
]


@pytest.mark.parametrize(("mapping", "card", "expected"), SIGNS)
def test_what_a_positive_amount_is(mapping: ColumnMapping, card: bool, expected: str) -> None:
    assert positive_flow(mapping, card_account=card) == expected


def test_a_purchase_amount_is_recognised_only_beside_a_charged_one() -> None:
    isracard = guess_mapping(("תאריך רכישה", "שם בית עסק", "סכום עסקה", "סכום חיוב"))
    assert (isracard.amount, isracard.purchase) == ("סכום חיוב", "סכום עסקה")
    only_purchase = guess_mapping(("תאריך רכישה", "שם בית עסק", "סכום עסקה"))
    assert (only_purchase.amount, only_purchase.purchase) == ("סכום עסקה", None)


# (cells under the header, the notes kept)
INSTALLMENT_NOTES: list[tuple[list[str], str]] = [
    (
        ["05/07/2026", "איקאה", "3,600.00", "300.00", "תשלום 2 מתוך 12"],
        "תשלום 2 מתוך 12; סכום עסקה: 3,600.00",
    ),
    (["06/07/2026", "קפה", "18.00", "18.00", ""], ""),
    (
        ["07/07/2026", "ACE תשלום 3 מתוך 6", "300.00", "50.00", ""],
        "תשלום 3 מתוך 6; סכום עסקה: 300.00",
    ),
    (["08/07/2026", "AMAZON", "$ 12.50", "44.00", ""], "סכום עסקה: $ 12.50"),
    (["09/07/2026", "זיכוי", "-45.00", "-45.00", ""], ""),
    (["10/07/2026", "בלי סכום עסקה", "", "20.00", ""], ""),
    (["11/07/2026", "סכום לא קריא", "n/a", "20.00", ""], ""),
]


@pytest.mark.parametrize(("cells", "notes"), INSTALLMENT_NOTES)
def test_an_installment_books_the_charged_amount_and_notes_the_purchase(
    cells: list[str], notes: str
) -> None:
    header = ["תאריך רכישה", "שם בית עסק", "סכום עסקה", "סכום חיוב", "פירוט נוסף"]
    table = read_table(csv_file([header, cells]))
    parsed = parse_rows(table, locate_header(table, ColumnMapping(), {}), date(2026, 8, 15))
    assert parsed.errors == ()
    (row,) = parsed.rows
    assert (row.amount, row.notes) == (abs(Decimal(cells[3])), notes)


def test_a_key_scoped_to_an_account_differs_from_the_same_row_elsewhere() -> None:
    rows = (_row("Coffee"),)
    assert keyed(rows, "account 1") != keyed(rows, "account 2") != keyed(rows)
    assert keyed(rows, "account 1") == keyed(rows, "account 1")


ISRACARD = Card(1, "Isracard Gold", "Isracard")
MAX_CARD = Card(2, "Max", "")
CAL = Card(3, "כרטיס של דנה", "Cal")
# (a bank line's description, the card, named?)
NAMES: list[tuple[str, Card, bool]] = [
    ("ישראכרט", ISRACARD, True),  # the institution as Israeli banks print it
    ("ISRACARD GOLD 1234", ISRACARD, True),  # the card's own name, a card number after it
    ("לישראכרט", ISRACARD, True),  # a Hebrew prefix letter
    ("ישראכרטים", ISRACARD, False),  # a longer word
    ("מקס איט פיננסים", MAX_CARD, True),
    ("MAX IT FINANCE", MAX_CARD, True),
    ("MAXIMUM SPORT", MAX_CARD, False),
    ("SUPERMAX", MAX_CARD, False),
    ("כאל-ויזה", CAL, True),
    ("MEDICAL CENTER", CAL, False),
    ("כרטיס של דנה", CAL, True),
    ("שכר דירה", ISRACARD, False),
]


@pytest.mark.parametrize(("description", "card", "named"), NAMES)
def test_a_bank_line_names_a_card(description: str, card: Card, named: bool) -> None:
    assert names_card(description, card) is named


def _bank_line(
    index: int, day: int, amount: str, description: str, flow: str = "expense"
) -> tuple[int, ImportRow]:
    return index, ImportRow(index + 2, date(2026, 7, day), Decimal(amount), flow, description)  # type: ignore[arg-type]


def _charge(transfer_id: int, card: Card, day: int, amount: str) -> BookedCharge:
    return BookedCharge(transfer_id, card.id, date(2026, 7, day), Decimal(amount), date(2026, 7, 1))


# (bank lines, booked charges, row index to the transfer id it matches)
MATCHES: list[tuple[str, list[tuple[int, ImportRow]], list[BookedCharge], dict[int, int]]] = [
    (
        "exact",
        [_bank_line(0, 10, "599.27", "ישראכרט")],
        [_charge(7, ISRACARD, 10, "599.27")],
        {0: 7},
    ),
    (
        "three days before",
        [_bank_line(0, 7, "599.27", "ישראכרט")],
        [_charge(7, ISRACARD, 10, "599.27")],
        {0: 7},
    ),
    (
        "three days after",
        [_bank_line(0, 13, "599.27", "ישראכרט")],
        [_charge(7, ISRACARD, 10, "599.27")],
        {0: 7},
    ),
    (
        "four days",
        [_bank_line(0, 14, "599.27", "ישראכרט")],
        [_charge(7, ISRACARD, 10, "599.27")],
        {},
    ),
    (
        "an agora",
        [_bank_line(0, 10, "599.26", "ישראכרט")],
        [_charge(7, ISRACARD, 10, "599.27")],
        {0: 7},
    ),
    (
        "two agorot",
        [_bank_line(0, 10, "599.25", "ישראכרט")],
        [_charge(7, ISRACARD, 10, "599.27")],
        {},
    ),
    (
        "another card's name",
        [_bank_line(0, 10, "599.27", "מקס")],
        [_charge(7, ISRACARD, 10, "599.27")],
        {},
    ),
    (
        "money in",
        [_bank_line(0, 10, "599.27", "ישראכרט", "income")],
        [_charge(7, ISRACARD, 10, "599.27")],
        {},
    ),
    (
        "two lines, one charge: the closer line",
        [_bank_line(0, 8, "599.27", "ישראכרט"), _bank_line(1, 10, "599.27", "ישראכרט")],
        [_charge(7, ISRACARD, 10, "599.27")],
        {1: 7},
    ),
    (
        "two months' charges of one amount, each to its line",
        [_bank_line(0, 2, "100.00", "ישראכרט"), _bank_line(1, 4, "100.00", "ישראכרט")],
        [_charge(7, ISRACARD, 1, "100.00"), _charge(8, ISRACARD, 5, "100.00")],
        {0: 7, 1: 8},
    ),
    (
        "two cards, one amount: each by its name",
        [_bank_line(0, 10, "250.00", "מקס איט"), _bank_line(1, 10, "250.00", "ישראכרט")],
        [_charge(7, ISRACARD, 10, "250.00"), _charge(8, MAX_CARD, 10, "250.00")],
        {0: 8, 1: 7},
    ),
]


@pytest.mark.parametrize(
    ("case", "rows", "charges", "expected"), MATCHES, ids=[m[0] for m in MATCHES]
)
def test_a_bank_line_matches_a_booked_charge(
    case: str,
    rows: list[tuple[int, ImportRow]],
    charges: list[BookedCharge],
    expected: dict[int, int],
) -> None:
    found = match_charges(rows, charges, [ISRACARD, MAX_CARD, CAL])
    assert {index: charge.transfer_id for index, charge in found.items()} == expected, case


def test_lines_of_money_out_naming_cards_are_offered_with_the_cards_they_name() -> None:
    rows = [
        _bank_line(0, 10, "812.40", "מקס איט פיננסים"),
        _bank_line(1, 10, "20.00", "ישראכרט החזר", "income"),
        _bank_line(2, 11, "50.00", "שופרסל"),
    ]
    assert card_debits(rows, [ISRACARD, MAX_CARD]) == {0: (MAX_CARD.id,)}
