"""Reading an uploaded file into rows of cells: CSV in the usual encodings, or Excel.

A file is refused as a whole (`InvalidInputError` on the field `file`) when it cannot be a
table of transactions: empty, binary, an old .xls, a damaged workbook, too big, too long.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from openpyxl import load_workbook

from domain.errors import InvalidInputError
from domain.rules.money import CENT

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
HEADER_SEARCH_ROWS = 30
MAX_COLUMNS = 200
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
DELIMITERS = (",", ";", "\t", "|")
FLOAT_NOISE = Decimal("0.000001")
FLOAT_LIMIT = Decimal(10) ** 15
FORMULA_RE = re.compile(r"^\s*(=|[+\-@].*[(=|!])", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAGIC = (
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Office file: save it as .xlsx or CSV"),
    (b"%PDF", "a PDF: export the statement as CSV or Excel instead"),
    (b"\x89PNG", "an image, not a table"),
    (b"\xff\xd8\xff", "an image, not a table"),
    (b"GIF8", "an image, not a table"),
    (b"\x1f\x8b", "a compressed (.gz) file: unpack it first"),
)

FileKind = Literal["csv", "xlsx"]


class Formula(str):
    """A cell holding a formula rather than a value (refused where a value is read)."""

    __slots__ = ()


Cell = str | Decimal | date | None


@dataclass(frozen=True)
class RawRow:
    """One non-empty row of the file and the line (CSV) or row number (Excel) it starts on."""

    line: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class RawTable:
    """Every non-empty row of the file, in order, as read; `truncated` when over the limit."""

    kind: FileKind
    encoding: str
    delimiter: str
    sheet: str
    rows: tuple[RawRow, ...]
    truncated: bool


def refuse(message: str) -> InvalidInputError:
    """The error for a file that cannot be imported at all."""
    return InvalidInputError("file", message)


def read_table(data: bytes, *, sheet: str | None = None, delimiter: str | None = None) -> RawTable:
    """Read an uploaded file (CSV or .xlsx) into its non-empty rows, refusing bad files."""
    if len(data) > MAX_BYTES:
        size = len(data) / (1024 * 1024)
        raise refuse(f"the file is {size:.1f} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise refuse("the file is empty")
    if data.startswith(b"PK\x03\x04"):
        return _read_workbook(data, sheet)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise refuse(f"this is {what}")
    return _read_csv(data, delimiter)


# --- CSV ---------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was in: a BOM, else UTF-8, else Windows-1255."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16")):
        if data.startswith(bom):
            return _decode(data, encoding), encoding
    if data.startswith(codecs.BOM_UTF16_BE):
        return _decode(data, "utf-16"), "utf-16"
    if _looks_binary(data[:8192]):
        raise refuse("this is a binary file, not a CSV or Excel file")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return _decode(data, "cp1255"), "windows-1255"


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise refuse(
            f"the text cannot be read as {encoding} (byte {exc.start}): "
            "save it as UTF-8 or Windows-1255"
        ) from exc


def _looks_binary(head: bytes) -> bool:
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 12, 13))
    return controls > len(head) * 0.05


def sniff_delimiter(text: str) -> str:
    """The delimiter of the first lines: the one that splits them most consistently."""
    lines = [line for line in text[:65536].splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    best, best_score = ",", 0
    for candidate in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=candidate))) for line in lines]
        wide = [count for count in counts if count > 1]
        score = len(wide) * 1000 + (max(wide) if wide else 0)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _csv_rows(text: str, delimiter: str) -> Iterator[RawRow]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise refuse(f"line {reader.line_num}: the CSV cannot be read ({exc})") from exc
        if any(cell.strip() for cell in cells):
            yield RawRow(start, tuple(_text_cell(cell) for cell in cells[:MAX_COLUMNS]))
        start = reader.line_num + 1


def _text_cell(value: str) -> Cell:
    text = _CONTROL.sub("", value)
    return Formula(text) if FORMULA_RE.match(text) else text


def _read_csv(data: bytes, delimiter: str | None) -> RawTable:
    text, encoding = decode_text(data)
    if not text.strip():
        raise refuse("the file is empty")
    chosen = delimiter or sniff_delimiter(text)
    rows, truncated = _capped(_csv_rows(text, chosen))
    return RawTable("csv", encoding, chosen, "", rows, truncated)


def _capped(rows: Iterator[RawRow]) -> tuple[tuple[RawRow, ...], bool]:
    """At most the row limit plus room for title lines above the header."""
    cap = MAX_ROWS + HEADER_SEARCH_ROWS
    kept: list[RawRow] = []
    for row in rows:
        if len(kept) == cap:
            return tuple(kept), True
        kept.append(row)
    return tuple(kept), False


# --- Excel -------------------------------------------------------------------------------


def _read_workbook(data: bytes, sheet: str | None) -> RawTable:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise refuse("the Excel file is damaged (not a valid .xlsx)") from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        raise refuse("the Excel file unpacks to more than 200 MB")
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise refuse("the file is not an Excel workbook (.xlsx) that can be opened") from exc
    try:
        worksheet = _pick_sheet(book, sheet)
        rows, truncated = _capped(_sheet_rows(worksheet))
        return RawTable("xlsx", "xlsx", "", str(worksheet.title), rows, truncated)
    finally:
        book.close()


def _pick_sheet(book: Any, wanted: str | None) -> Any:
    names = list(book.sheetnames)
    if wanted is not None:
        if wanted not in names:
            raise refuse(f"the workbook has no sheet {wanted!r}; its sheets: {', '.join(names)}")
        return book[wanted]
    by_folded = {name.strip().casefold(): name for name in names}
    for preferred in ("transactions", "תנועות"):
        if preferred in by_folded:
            return book[by_folded[preferred]]
    return book[names[0]]


def _sheet_rows(worksheet: Any) -> Iterator[RawRow]:
    for number, row in enumerate(worksheet.iter_rows(max_col=MAX_COLUMNS), start=1):
        cells = tuple(_excel_cell(cell) for cell in row)
        if any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
            yield RawRow(number, cells)


def _excel_cell(cell: Any) -> Cell:
    value = cell.value
    if value is None or isinstance(value, Decimal | date):
        return value.date() if isinstance(value, datetime) else value
    if getattr(cell, "data_type", None) == "f":
        return Formula(str(value))
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int | float):
        return _from_float(float(value)) if isinstance(value, float) else Decimal(value)
    return _CONTROL.sub("", str(value))


def _from_float(value: float) -> Decimal:
    """A stored double as the decimal it was typed as; arithmetic noise is rounded away."""
    exact = Decimal(repr(value))
    if not exact.is_finite() or abs(exact) >= FLOAT_LIMIT:
        return exact  # refused later as an amount, with the value in the message
    rounded = exact.quantize(CENT)
    return rounded if abs(exact - rounded) < FLOAT_NOISE else exact
