"""A streaming Excel workbook: typed cells, formats, frozen headers, filters, right to left.

openpyxl's write-only mode writes each row as it comes, so memory stays flat however
many rows a sheet has. Column widths and direction go out before the first row; the
filter's range after the last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from domain.rules.export_labels import Language, label

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "dd/mm/yyyy"
RATE_FORMAT = "0.00##"
COUNT_FORMAT = "0"
Kind = Literal["text", "money", "date", "count", "rate", "label"]
SHEET_TITLE_MAX = 31
# The control characters Excel refuses in a cell (tab, newline and return are allowed).
_ILLEGAL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)])


@dataclass(frozen=True)
class Column:
    """A column: its header (an English key, translated on output), width and kind.

    `label` columns hold English words (income, yes) translated like the headers.
    """

    header: str
    width: float
    kind: Kind = "text"


@dataclass(frozen=True)
class Sheet:
    """A sheet: its title (an English key) and columns."""

    title: str
    columns: tuple[Column, ...]


class _Styles:
    """One template cell per kind; rows copy the template's style instead of rebuilding it."""

    def __init__(self, worksheet: Any) -> None:
        self.worksheet = worksheet
        self.templates: dict[str, Any] = {}
        for kind, number_format in (
            ("money", MONEY_FORMAT),
            ("date", DATE_FORMAT),
            ("rate", RATE_FORMAT),
            ("count", COUNT_FORMAT),
        ):
            template = WriteOnlyCell(worksheet)
            template.number_format = number_format
            self.templates[kind] = template

    def cell(self, kind: str, value: Any) -> Any:
        cell = WriteOnlyCell(self.worksheet, value)
        cell._style = self.templates[kind]._style
        return cell


def _text(value: object) -> str:
    """Text Excel accepts: control characters dropped."""
    return str(value).translate(_ILLEGAL)


class WorkbookWriter:
    """Writes sheets one after another into a streaming workbook."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.book = Workbook(write_only=True)
        self.right_to_left = language == "he"

    def write_sheet(self, sheet: Sheet, rows: Iterable[Sequence[object]]) -> int:
        """Add a sheet with its header and rows; return the number of rows written."""
        worksheet = self.book.create_sheet(label(sheet.title, self.language)[:SHEET_TITLE_MAX])
        self._prepare(worksheet, sheet)
        worksheet.append(self._header(worksheet, sheet))
        styles = _Styles(worksheet)
        converters = [self._converter(column.kind, styles) for column in sheet.columns]
        count = 0
        for row in rows:
            worksheet.append([convert(v) for convert, v in zip(converters, row, strict=True)])
            count += 1
        last = get_column_letter(len(sheet.columns))
        worksheet.auto_filter.ref = f"A1:{last}{count + 1}"
        return count

    def save(self, target: IO[bytes]) -> None:
        """Write the finished workbook to a binary file object."""
        self.book.save(target)

    def _prepare(self, worksheet: Any, sheet: Sheet) -> None:
        worksheet.sheet_view.rightToLeft = self.right_to_left
        worksheet.freeze_panes = "A2"
        for index, column in enumerate(sheet.columns, start=1):
            worksheet.column_dimensions[get_column_letter(index)].width = column.width

    def _header(self, worksheet: Any, sheet: Sheet) -> list[Any]:
        cells = []
        for column in sheet.columns:
            cell = WriteOnlyCell(worksheet, label(column.header, self.language))
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(vertical="center")
            cells.append(cell)
        return cells

    def _converter(self, kind: Kind, styles: _Styles) -> Any:
        worksheet = styles.worksheet
        language = self.language

        def convert(value: object) -> Any:
            if value is None or value == "":
                return None
            if kind == "label":
                return label(str(value), language)
            if kind in styles.templates and isinstance(value, Decimal | int | date):
                plain = value.date() if isinstance(value, datetime) else value
                return styles.cell(kind, plain)
            text = _text(value)
            if text.startswith("="):
                cell = WriteOnlyCell(worksheet, text)
                cell.data_type = "s"  # text, never a formula, whatever it starts with
                return cell
            return text

        return convert
