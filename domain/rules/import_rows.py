"""The rows under the header as transactions to import, as errors, or as lines passed over.

Bank and card exports carry more than transactions under the header: section headings, a
second header for the next section, totals lines and legal footers. Those are recognised
and skipped with their reason; a line that looks like a transaction but is broken is an
error.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from domain.errors import InvalidInputError
from domain.rules.categories import FlowType
from domain.rules.dates import EARLIEST_DATE
from domain.rules.import_files import MAX_ROWS, Cell, Formula, RawRow, RawTable, refuse
from domain.rules.import_mapping import (
    MONEY_FIELDS,
    Layout,
    fold,
    header_names,
    positive_flow,
    section_columns,
)
from domain.rules.import_values import (
    CellValueError,
    clean_text,
    exact_cents,
    looks_like_date,
    one_line,
    parse_amount,
    parse_date,
    parse_flow,
    unquote,
)
from domain.rules.ledger import DESCRIPTION_MAX, NOTES_MAX, check_amount
from domain.rules.money import ZERO

AHEAD_DAYS = 366
FINGERPRINT_CHARS = 32
SHOWN_TEXT = 80
# Labels of totals lines: סה"כ, סה"כ לחיוב, סך הכל, 'סך חיוב בש"ח:' (Isracard), "TOTAL FOR
# DATE" (Isracard abroad), "Total:". A merchant named "Total Energies" is not one.
# Matched on the raw cell (leading space and direction marks allowed): it runs on every cell.
TOTALS = re.compile(
    r"^[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]*"
    r"(סה[\"״'׳]{1,2}כ|סהכ\b|סך\s+הכו?ל|סך\s+כל|סך\s+חיוב|totals?\s*(for\b|:|$))",
    re.IGNORECASE,
)
# An installment's place in its plan, as card companies write it: "תשלום 2 מתוך 12".
INSTALLMENT = re.compile(r"תשלום\s*\d+\s*מתוך\s*\d+")
T = TypeVar("T")


@dataclass(frozen=True)
class ImportRow:
    """A row read from the file: a transaction to import, with the file's category text."""

    line: int
    date: date
    amount: Decimal
    type: FlowType
    description: str
    notes: str = ""
    category: str = ""

    @property
    def signed(self) -> Decimal:
        """The amount with its direction: income positive, expense negative."""
        return self.amount if self.type == "income" else -self.amount


@dataclass(frozen=True)
class LineError:
    """One problem of one line, naming the field."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class SkippedLine:
    """A line under the header that is not a transaction, why, and what it said."""

    line: int
    reason: str
    text: str


@dataclass(frozen=True)
class ParsedRows:
    """What the file's rows became: good rows, errors and skipped lines, in line order.

    `total` counts the lines read as transactions (good or not), not the skipped ones.
    """

    rows: tuple[ImportRow, ...]
    errors: tuple[LineError, ...]
    total: int
    skipped: tuple[SkippedLine, ...] = ()


def parse_rows(table: RawTable, layout: Layout, today: date) -> ParsedRows:
    """Read every row under the header; errors are collected, never raised, per line."""
    data = table.rows[layout.header_index + 1 :]
    if table.truncated or len(data) > MAX_ROWS:
        raise refuse(f"the file has more than {MAX_ROWS:,} rows; split it into smaller files")
    rows: list[ImportRow] = []
    errors: list[LineError] = []
    skipped: list[SkippedLine] = []
    section, after_totals = layout, False
    for raw in data:
        reason, columns = _not_a_transaction(raw, layout, section, after_totals=after_totals)
        after_totals = reason is not None and reason.startswith("a totals line")
        if columns is not None:
            section = replace(layout, columns=columns)
        if reason is not None:
            skipped.append(SkippedLine(raw.line, reason, _shown(raw)))
            continue
        parsed = parse_row(raw, section, today)
        if isinstance(parsed, ImportRow):
            rows.append(parsed)
        else:
            errors.extend(parsed)
    if not rows and not errors:
        raise refuse("the file has a header line but no rows of transactions under it")
    return ParsedRows(tuple(rows), tuple(errors), len(data) - len(skipped), tuple(skipped))


def _not_a_transaction(
    raw: RawRow, layout: Layout, section: Layout, *, after_totals: bool
) -> tuple[str | None, dict[str, int] | None]:
    """Why a row is passed over (None when it is read), and a new section's columns."""
    label = _totals_label(raw)
    if label is not None:
        return f'a totals line ("{label}")', None
    dated = _dated(_cell(raw, section, "date"))
    # A header holds a name where the date goes, so only undated rows can be one.
    columns = None if dated else section_columns(raw, layout.mapping)
    if columns is not None:
        same = [fold(n) for n in header_names(raw)] == [fold(n) for n in layout.header]
        return ("a repeated header" if same else "the header of a new section"), columns
    if not dated and not any(_has_amount(_cell(raw, section, f)) for f in MONEY_FIELDS):
        return "no date and no amount", None
    if not dated and after_totals and sum(1 for c in raw.cells if _filled(c)) == 1:
        return "the figure of the totals line above", None
    return None, None


def _cell(raw: RawRow, layout: Layout, field: str) -> Cell:
    index = layout.columns.get(field)
    return raw.cells[index] if index is not None and index < len(raw.cells) else None


def _filled(cell: Cell) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(clean_text(cell)))


def _dated(cell: Cell) -> bool:
    """Whether a date cell holds a date, or text shaped like one (a broken date)."""
    if isinstance(cell, date):
        return True
    return isinstance(cell, str) and looks_like_date(cell)


def _has_amount(cell: Cell) -> bool:
    """Whether a money cell holds a number, a formula, or text with a digit in it."""
    if isinstance(cell, Decimal | Formula):
        return True
    return isinstance(cell, str) and any(ch.isdigit() for ch in cell)


def _totals_label(raw: RawRow) -> str | None:
    for cell in raw.cells:
        if isinstance(cell, str) and not isinstance(cell, Formula) and TOTALS.match(cell):
            return " ".join(clean_text(cell).split())[:SHOWN_TEXT]
    return None


def _shown(raw: RawRow) -> str:
    """A skipped line as the dry run shows it: its filled cells, shortened."""
    text = " | ".join(
        one_line(c.isoformat() if isinstance(c, date) else str(c)) for c in raw.cells if _filled(c)
    )
    return text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 1] + "…"


class _Reader:
    """Reads the mapped cells of one row, collecting an error per field that fails."""

    def __init__(self, raw: RawRow, layout: Layout) -> None:
        self.raw = raw
        self.layout = layout
        self.errors: list[LineError] = []

    def cell(self, field: str) -> Cell:
        index = self.layout.columns.get(field)
        if index is None or index >= len(self.raw.cells):
            return None
        return self.raw.cells[index]

    def read(self, field: str, parse: Callable[[], T]) -> T | None:
        try:
            return parse()
        except CellValueError as exc:
            self.errors.append(LineError(self.raw.line, field, str(exc)))
            return None

    def formulas(self) -> None:
        for field in self.layout.columns:
            value = self.cell(field)
            if isinstance(value, Formula):
                message = f'"{value}" is a formula; formula cells are not accepted (save values)'
                self.errors.append(LineError(self.raw.line, field, message))

    def text(self, field: str) -> str:
        value = self.cell(field)
        if value is None or isinstance(value, Formula):
            return ""
        return one_line(value.isoformat() if isinstance(value, date) else str(value))


def parse_row(raw: RawRow, layout: Layout, today: date) -> ImportRow | list[LineError]:
    """One row as a transaction, or every error it has."""
    reader = _Reader(raw, layout)
    reader.formulas()
    if reader.errors:
        return reader.errors
    day = reader.read("date", lambda: _date(reader.cell("date"), layout, today))
    money = reader.read("amount", lambda: _money(reader, layout))
    description = reader.read("description", lambda: _limited(reader.text("description")))
    charged = money[0] if money else None
    notes = reader.read("notes", lambda: _limited(_notes(reader, charged), NOTES_MAX))
    if reader.errors or day is None or money is None:
        return reader.errors
    amount, flow = money
    return ImportRow(
        raw.line, day, amount, flow, description or "", notes or "", reader.text("category")
    )


def _date(value: Cell, layout: Layout, today: date) -> date:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise CellValueError("the date is empty")
    if isinstance(value, Decimal):
        raise CellValueError(f'"{value}" is a number, not a date')
    fmt = layout.mapping.date_format or "DD/MM/YYYY"
    day = value if isinstance(value, date) else parse_date(value, fmt)
    if day < EARLIEST_DATE:
        raise CellValueError(f"{day:%d/%m/%Y} is before {EARLIEST_DATE:%Y}")
    if day > today + timedelta(days=AHEAD_DAYS):
        raise CellValueError(f"{day:%d/%m/%Y} is more than a year ahead")
    return day


def _number(value: Cell, layout: Layout) -> Decimal | None:
    """A money cell's signed value; None when the cell is blank."""
    if isinstance(value, date):
        raise CellValueError(f'"{value}" is a date, not an amount')
    if value is None:
        return None
    if isinstance(value, Decimal):
        return exact_cents(value, value)
    if not clean_text(value):
        return None
    return parse_amount(value, layout.mapping.decimal or ".")


def _signed(reader: _Reader, layout: Layout) -> Decimal:
    if "amount" in layout.columns:
        number = _number(reader.cell("amount"), layout)
        if number is None:
            raise CellValueError("the amount is empty")
        return number
    debit = _number(reader.cell("debit"), layout) or ZERO
    credit = _number(reader.cell("credit"), layout) or ZERO
    if debit and credit:
        raise CellValueError("both the debit and the credit column are filled")
    if not debit and not credit:
        raise CellValueError("no amount in the debit or the credit column")
    return abs(credit) if credit else -abs(debit)


def _money(reader: _Reader, layout: Layout) -> tuple[Decimal, FlowType]:
    signed = _signed(reader, layout)
    if "type" in layout.columns:
        flow = parse_flow(reader.text("type"))
    else:
        positive = positive_flow(layout.mapping, card_account=False)
        negative: FlowType = "expense" if positive == "income" else "income"
        flow = positive if signed >= 0 else negative
    if signed == ZERO:
        raise CellValueError("the amount is zero")
    try:
        return check_amount(abs(signed)), flow
    except InvalidInputError as exc:
        raise CellValueError(f'"{abs(signed)}": {exc.message}') from exc


def _notes(reader: _Reader, charged: Decimal | None) -> str:
    value = reader.cell("notes")
    text = unquote(clean_text(value)) if isinstance(value, str) else reader.text("notes")
    parts = [_with_installment(reader.raw, text), _purchase_note(reader, charged)]
    return "; ".join(part for part in parts if part)


def _purchase_note(reader: _Reader, charged: Decimal | None) -> str:
    """What the purchase cost when it differs from the charged amount ("סכום עסקה: 3,600.00").

    An installment's charged part, or a foreign purchase's charge in shekels, is what is
    booked; the purchase amount stays in the notes. An unreadable purchase cell adds nothing.
    """
    layout = reader.layout
    index = layout.columns.get("purchase")
    if charged is None or index is None or index == layout.columns.get("amount"):
        return ""
    value = reader.cell("purchase")
    try:
        number = _number(value, layout)
    except CellValueError:
        return ""
    if number is None or abs(number) == charged:
        return ""
    shown = reader.text("purchase") if isinstance(value, str) else f"{abs(number):,.2f}"
    return f"{layout.mapping.purchase or ''}: {shown}"


def _with_installment(raw: RawRow, notes: str) -> str:
    """The notes, with the row's installment note ("תשלום 2 מתוך 12") wherever it was written."""
    if INSTALLMENT.search(notes):
        return notes
    for cell in raw.cells:
        found = INSTALLMENT.search(clean_text(cell)) if isinstance(cell, str) else None
        if found:
            note = " ".join(found.group(0).split())
            return f"{notes}; {note}" if notes else note
    return notes


def _limited(text: str, limit: int = DESCRIPTION_MAX) -> str:
    if len(text) > limit:
        raise CellValueError(f"is {len(text)} characters long; at most {limit}")
    return text


def description_key(description: str) -> str:
    """A description as compared for duplicates: single-spaced and case-folded."""
    return one_line(description).casefold()


def fingerprint(row: ImportRow, scope: str = "") -> str:
    """The row's identity within a source: its date, signed amount and description.

    A scope (the account the row goes into) keeps the same line of two accounts apart;
    keys written before accounts existed have none.
    """
    text = f"{row.date.isoformat()}|{row.signed}|{description_key(row.description)}"
    if scope:
        text = f"{scope}|{text}"
    return hashlib.sha256(text.encode()).hexdigest()[:FINGERPRINT_CHARS]


def keyed(rows: tuple[ImportRow, ...], scope: str = "") -> list[tuple[str, int]]:
    """Each row's (fingerprint, ordinal): the n-th identical row of a file is ordinal n."""
    seen: Counter[str] = Counter()
    keys = []
    for row in rows:
        key = fingerprint(row, scope)
        seen[key] += 1
        keys.append((key, seen[key]))
    return keys
