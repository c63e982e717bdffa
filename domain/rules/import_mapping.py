"""Which column holds what: the mapping, its guess from the header, the header's signature."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any, get_args

from domain.errors import InvalidInputError
from domain.rules.categories import FLOW_TYPES, FlowType
from domain.rules.import_files import HEADER_SEARCH_ROWS, Cell, RawRow, RawTable, refuse
from domain.rules.import_values import (
    DATE_FORMATS,
    CellValueError,
    DateFormat,
    DecimalMark,
    clean_text,
    date_format_fits,
    guess_date_format,
    guess_decimal_mark,
    parse_amount,
)

COLUMN_FIELDS = (
    "date",
    "amount",
    "debit",
    "credit",
    "type",
    "description",
    "category",
    "notes",
    "purchase",
)
MONEY_FIELDS = ("amount", "debit", "credit")
SAMPLE_ROWS = 200
SOURCE_MAX = 60
# Header names as banks, card companies and Cashflow's own exports write them, best first.
# The Israeli layouts, as public open-source importers read them (not guessed):
# - Leumi (HTML .xls): תאריך, תאריך ערך, תיאור, אסמכתא, בחובה, בזכות, היתרה בש"ח, תאור מורחב
#   (a Leumi import-notes document in the public code index; `find_string "בחובה"` also shows a
#   Leumi parser reading בחובה/חובה and בזכות/זכות).
# - Hapoalim (CSV): תאריך, תיאור הפעולה, פרטים, חשבון, אסמכתא, תאריך ערך, חובה, זכות,
#   יתרה לאחר פעולה (a YNAB importer's poalimAnalyzer.ts checks exactly this header).
# - Discount (עובר ושב): title lines (תנועות אחרונות) above תאריך, יום ערך, תיאור התנועה,
#   ₪ זכות/חובה (one signed column), ₪ יתרה, אסמכתה (alongat/budgeteer
#   app/helpers/parsers/discount_bank.rb; a school-manager importer's column constants).
# - Mizrahi-Tefahot: "יתרה ותנועות בחשבון" and "מספר חשבון:" above תאריך, סוג תנועה, חובה,
#   זכות, אסמכתא; dates DD/MM/YY (the same YNAB importer's mizrahiTfahotAnalyzer.ts).
# - Isracard and American Express (one format): title and card lines, then a domestic section
#   תאריך רכישה, שם בית עסק, סכום עסקה, ..., סכום חיוב, ..., פירוט נוסף, its total
#   'סך חיוב בש"ח:', a heading 'עסקאות בחו"ל' and a second header תאריך רכישה, תאריך חיוב,
#   שם בית עסק, ..., סכום חיוב with "TOTAL FOR DATE" lines (noamshabat/expensifier
#   server/fetcher/identifiers/isracard.ts; yaronmolho1/Expense-tracker
#   lib/parsers/isracard-parser.ts; the YNAB importer's isracardAnalyzer.ts).
# - Max: "כל המשתמשים", "כל הכרטיסים" and the month above תאריך עסקה, שם בית העסק, קטגוריה,
#   ..., סוג עסקה, סכום חיוב, מטבע חיוב, סכום עסקה מקורי, ..., הערות ("תשלום 2 מתוך 3"),
#   then "סך הכל" and the total (yaronmolho1/Expense-tracker docs/MAX-PARSER-SPEC.md;
#   alongat/budgeteer max_credit_card.rb; sushi30/firefly-iii-extensions excel_to_records.py).
# - Cal: "פירוט עסקות נכון לתאריך" and card lines above תאריך העסקה, שם בית העסק,
#   סכום העסקה, סכום החיוב, סוג העסקה, ענף, הערות; amounts as "₪ 1,234.50"; a 'סה"כ:' line
#   (noamshabat/expensifier server/fetcher/identifiers/cal.ts; alongat/budgeteer
#   visa_cal_credit_card.rb; yaronmolho1/Expense-tracker lib/parsers/visa-cal-parser.ts).
# A card statement's charged amount is what leaves the account; the purchase amount differs
# for installments and foreign currency, so the charged one is preferred.
CARD_CHARGED = ("סכום חיוב", "סכום החיוב", 'סכום חיוב בש"ח', "סכום חיוב ₪")
CARD_PURCHASE = ("סכום העסקה", "סכום עסקה", "סכום עסקה מקורי", "סכום מקורי")
ALIASES: dict[str, tuple[str, ...]] = {
    "date": (
        "date",
        "תאריך",
        "transaction date",
        "תאריך עסקה",
        "תאריך העסקה",
        "תאריך רכישה",
        "תאריך פעולה",
        "booking date",
        "posted date",
        "value date",
        "תאריך ערך",
        "תאריך חיוב",
    ),
    "amount": (
        "amount",
        "סכום",
        *CARD_CHARGED,
        "₪ זכות/חובה",
        "זכות/חובה ₪",
        "זכות/חובה",
        'סכום בש"ח',
        *CARD_PURCHASE,
        "sum",
        "value",
    ),
    "debit": (
        "debit",
        "חובה",
        "בחובה",
        "סכום בחובה",
        "withdrawal",
        "withdrawals",
        "money out",
        "paid out",
        "out",
    ),
    "credit": (
        "credit",
        "זכות",
        "בזכות",
        "סכום בזכות",
        "deposit",
        "deposits",
        "money in",
        "paid in",
        "in",
    ),
    "type": ("type", "סוג", "income/expense"),
    "description": (
        "description",
        "תיאור",
        "details",
        "תיאור הפעולה",
        "תיאור התנועה",
        "פרטים",
        "שם בית העסק",
        "שם בית עסק",
        "בית עסק",
        "סוג תנועה",
        "payee",
        "memo",
        "narrative",
        "merchant",
        "name",
    ),
    "category": ("category", "קטגוריה", "ענף"),
    "notes": ("notes", "note", "הערות", "הערה", "פירוט נוסף"),
    # Beside a charged amount, what the purchase cost: an installment plan's total, or the
    # amount in a foreign currency. Kept in the notes; the charged amount is booked.
    "purchase": CARD_PURCHASE,
}
# A card statement lists charges as positive amounts and refunds as negative ones.
CARD_AMOUNTS = frozenset(CARD_CHARGED + CARD_PURCHASE)
CONTAINS: dict[str, tuple[str, ...]] = {
    "date": ("date", "תאריך"),
    "amount": ("amount", "סכום"),
    "description": ("description", "תיאור", "פרטים", "details"),
}


@dataclass(frozen=True)
class ColumnMapping:
    """Header names of the columns to read, and how to read dates and amounts.

    Money is one signed `amount` column (with an optional `type` column), or separate
    `debit` (money out) and `credit` (money in) columns. `purchase` is a card export's
    purchase amount beside the charged one (kept in the notes). `positive_means` is set
    only when chosen; unset, `positive_flow` decides from the account and the header.
    """

    date: str | None = None
    amount: str | None = None
    debit: str | None = None
    credit: str | None = None
    type: str | None = None
    description: str | None = None
    category: str | None = None
    notes: str | None = None
    purchase: str | None = None
    date_format: DateFormat | None = None
    decimal: DecimalMark | None = None
    positive_means: FlowType | None = None

    def merged(self, fallback: ColumnMapping) -> ColumnMapping:
        """This mapping's choices over the fallback's; money columns are replaced together."""
        base = fallback
        if any(getattr(self, name) for name in MONEY_FIELDS):
            base = replace(base, amount=None, debit=None, credit=None)
        chosen = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}
        return replace(base, **chosen)

    def as_dict(self) -> dict[str, str]:
        """The choices made, for remembering (JSON)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def columns(self) -> dict[str, str]:
        """Field to header name, for the mapped columns."""
        return {name: getattr(self, name) for name in COLUMN_FIELDS if getattr(self, name)}


def mapping_from(values: Mapping[str, Any]) -> ColumnMapping:
    """A mapping from stored or submitted values, refusing unknown formats; blanks are unset."""
    known = {f.name for f in fields(ColumnMapping)}
    chosen = {k: str(v).strip() for k, v in values.items() if k in known and v and str(v).strip()}
    if chosen.get("date_format", DATE_FORMATS[0]) not in DATE_FORMATS:
        raise InvalidInputError("date_format", f"must be one of {', '.join(DATE_FORMATS)}")
    if chosen.get("decimal", ".") not in get_args(DecimalMark):
        raise InvalidInputError("decimal_separator", "must be '.' or ','")
    if chosen.get("positive_means", "income") not in FLOW_TYPES:
        raise InvalidInputError("positive_means", "must be 'income' or 'expense'")
    return ColumnMapping(**chosen)  # type: ignore[arg-type]  # literals checked above


@dataclass(frozen=True)
class Layout:
    """Where the header is, which column each field reads, and the complete mapping."""

    header_index: int
    header_line: int
    header: tuple[str, ...]
    columns: dict[str, int]
    mapping: ColumnMapping
    signature: str


def fold(name: str) -> str:
    """The form header names are compared in: trimmed, single-spaced, case-folded."""
    return " ".join(clean_text(name).split()).casefold()


def header_names(row: RawRow) -> tuple[str, ...]:
    """A row's cells as column names, trailing blanks dropped."""
    names = [clean_text(_as_text(cell)) for cell in row.cells]
    while names and not names[-1]:
        names.pop()
    return tuple(names)


def _as_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def header_signature(names: tuple[str, ...]) -> str:
    """The shape of a file: a hash of its folded column names."""
    return hashlib.sha256("\x1f".join(fold(n) for n in names).encode()).hexdigest()


def default_source(names: tuple[str, ...]) -> str:
    """A readable name for files of this shape, when the user gives none."""
    text = ", ".join(n for n in names if n) or "file"
    return text if len(text) <= SOURCE_MAX else text[: SOURCE_MAX - 1] + "…"


def guess_mapping(names: tuple[str, ...]) -> ColumnMapping:
    """The columns recognised by their names (English and Hebrew)."""
    folded = [fold(n) for n in names]
    found: dict[str, str] = {}
    for name in COLUMN_FIELDS:
        index = _find(folded, ALIASES[name], CONTAINS.get(name, ()), set(found.values()))
        if index is not None:
            found[name] = names[index]
    if "amount" in found:
        found.pop("debit", None)
        found.pop("credit", None)
    if fold(found.get("amount", "")) not in CARD_CHARGED:
        found.pop("purchase", None)  # a purchase amount is only a note beside a charged one
    return ColumnMapping(**found)  # type: ignore[arg-type]


def positive_flow(mapping: ColumnMapping, *, card_account: bool) -> FlowType:
    """What a positive amount is: as chosen, else an expense in a card account or file.

    A card file is one whose amount column is a card export's charged or purchase amount.
    Debit and credit columns say it themselves (credit is money in) unless a choice is made.
    """
    if mapping.positive_means:
        return mapping.positive_means
    if not mapping.amount:
        return "income"
    if card_account or fold(mapping.amount) in CARD_AMOUNTS:
        return "expense"
    return "income"


def _find(
    folded: list[str], aliases: tuple[str, ...], parts: tuple[str, ...], taken: set[str]
) -> int | None:
    free = [i for i, name in enumerate(folded) if name and name not in {fold(t) for t in taken}]
    for alias in aliases:
        for index in free:
            if folded[index] == alias:
                return index
    for part in parts:
        for index in free:
            if part in folded[index] and "balance" not in folded[index]:
                return index
    return None


def _usable(mapping: ColumnMapping) -> bool:
    return bool(mapping.date) and any(getattr(mapping, name) for name in MONEY_FIELDS)


def _indices(names: tuple[str, ...], mapping: ColumnMapping) -> dict[str, int] | None:
    """Field to column index, when every mapped name is in the header exactly once."""
    folded = [fold(n) for n in names]
    found = {}
    for field_name, column in mapping.columns().items():
        hits = [i for i, name in enumerate(folded) if name == fold(column)]
        if len(hits) != 1:
            return None
        found[field_name] = hits[0]
    return found


def section_columns(row: RawRow, mapping: ColumnMapping) -> dict[str, int] | None:
    """Field to column index when a row under the header is itself a header, else None.

    Such a row repeats the header, or heads a new section (abroad after domestic) with the
    columns elsewhere: it holds names, not values, and names the mapped date and money
    columns. A mapped column the section lacks reads as blank there.
    """
    folded = [fold(name) for name in header_names(row)]
    if not mapping.date or fold(mapping.date) not in folded or looks_like_data(row):
        return None
    found = {}
    for field_name, column in mapping.columns().items():
        hits = [i for i, name in enumerate(folded) if name == fold(column)]
        if len(hits) == 1:
            found[field_name] = hits[0]
    if "date" not in found or not any(name in found for name in MONEY_FIELDS):
        return None
    return found


def check_mapping(mapping: ColumnMapping) -> None:
    """Refuse a mapping that cannot produce transactions, naming the missing field."""
    if not mapping.date:
        raise InvalidInputError("date_column", "choose the column that holds the date")
    if mapping.amount and (mapping.debit or mapping.credit):
        raise InvalidInputError("amount_column", "choose an amount column or debit and credit")
    if not any(getattr(mapping, name) for name in MONEY_FIELDS):
        raise InvalidInputError(
            "amount_column", "choose the amount column, or the debit and credit columns"
        )


def locate_header(
    table: RawTable, chosen: ColumnMapping, remembered: Mapping[str, ColumnMapping]
) -> Layout:
    """Find the header row (title lines above it are allowed) and complete the mapping.

    A row is the header when the chosen columns, over the remembered mapping for a
    header of its shape or else over the guess from its names, are all in it.
    """
    for index, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        names = header_names(row)
        signature = header_signature(names)
        fallback = remembered.get(signature) or guess_mapping(names)
        mapping = chosen.merged(fallback)
        columns = _indices(names, mapping)
        if columns is not None and _usable(mapping):
            check_mapping(mapping)
            mapping = _with_formats(table, index, columns, mapping)
            return Layout(index, row.line, names, columns, mapping, signature)
    raise _no_header(table, chosen)


def _no_header(table: RawTable, chosen: ColumnMapping) -> InvalidInputError:
    first = table.rows[0]
    names = header_names(first)
    listed = ", ".join(f'"{n}"' for n in names if n) or "none"
    if looks_like_data(first):
        return refuse(
            f"line {first.line} holds data, not column names: the file needs a header line "
            "naming its columns (date, amount, description...)"
        )
    missing = [c for c in chosen.columns().values() if fold(c) not in {fold(n) for n in names}]
    if missing:
        return refuse(f'the file has no column "{missing[0]}"; its columns are: {listed}')
    return refuse(
        f"could not tell which columns hold the date and the amount (columns: {listed}); "
        "choose date_column and amount_column, or debit_column and credit_column"
    )


def looks_like_data(row: RawRow) -> bool:
    """Whether most filled cells of a row are dates or numbers rather than names."""
    filled = [cell for cell in row.cells if cell is not None and str(cell).strip()]
    data = sum(1 for cell in filled if _is_value(cell))
    return bool(filled) and data * 2 >= len(filled)


def _is_value(cell: Cell) -> bool:
    if isinstance(cell, date | Decimal):
        return True
    text = clean_text(str(cell))
    if any(date_format_fits(text, fmt) for fmt in DATE_FORMATS):
        return True
    try:
        parse_amount(text, ".")
    except CellValueError:
        return False
    return True


def _samples(table: RawTable, start: int, column: int) -> list[str]:
    rows = table.rows[start + 1 : start + 1 + SAMPLE_ROWS]
    return [
        str(row.cells[column])
        for row in rows
        if column < len(row.cells) and isinstance(row.cells[column], str)
    ]


def _with_formats(
    table: RawTable, index: int, columns: dict[str, int], mapping: ColumnMapping
) -> ColumnMapping:
    """Fill the date format and decimal mark from the data when they were not chosen."""
    date_format = mapping.date_format or guess_date_format(
        [s for s in _samples(table, index, columns["date"]) if s.strip()]
    )
    money = [
        s for name in MONEY_FIELDS if name in columns for s in _samples(table, index, columns[name])
    ]
    decimal = mapping.decimal or guess_decimal_mark(money)
    return replace(mapping, date_format=date_format, decimal=decimal)
