"""CSV export: UTF-8 with a BOM so Excel reads Hebrew, text neutralised against formulas."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal

from domain.rules.export_labels import Language, label

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TRANSACTION_HEADERS = (
    "Date",
    "Type",
    "Category",
    "Amount",
    "Description",
    "Notes",
    "Currency",
    "Source",
)
FLUSH_ROWS = 2000


def neutralise(text: str) -> str:
    """Text that a spreadsheet will not run as a formula: a leading quote when it could."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_value(value: object) -> str:
    """A cell: amounts as plain numbers, dates ISO, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def csv_chunks(
    headers: Sequence[str], rows: Iterable[Sequence[object]], language: Language
) -> Iterator[bytes]:
    """The file in chunks of bytes: a BOM, the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([label(h, language) for h in headers])
    yield codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_value(v) for v in row])
        if count % FLUSH_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")
