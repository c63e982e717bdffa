"""Reading one cell of a bank export: dates in the usual formats, amounts, types, text."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Literal

from domain.errors import InvalidInputError
from domain.rules.categories import FlowType
from domain.rules.money import CENT

DateFormat = Literal[
    "DD/MM/YYYY", "MM/DD/YYYY", "YYYY-MM-DD", "DD.MM.YYYY", "DD-MM-YYYY", "YYYY/MM/DD"
]
DecimalMark = Literal[".", ","]
DATE_FORMATS: tuple[DateFormat, ...] = (
    "DD/MM/YYYY",
    "DD.MM.YYYY",
    "DD-MM-YYYY",
    "YYYY-MM-DD",
    "YYYY/MM/DD",
    "MM/DD/YYYY",
)
_DMY = r"(?P<d>\d{1,2})SEP(?P<m>\d{1,2})SEP(?P<y>\d{4}|\d{2})"
_YMD = r"(?P<y>\d{4})SEP(?P<m>\d{1,2})SEP(?P<d>\d{1,2})"
_MDY = r"(?P<m>\d{1,2})SEP(?P<d>\d{1,2})SEP(?P<y>\d{4}|\d{2})"
_PATTERNS: dict[DateFormat, re.Pattern[str]] = {
    "DD/MM/YYYY": re.compile(_DMY.replace("SEP", "/")),
    "DD.MM.YYYY": re.compile(_DMY.replace("SEP", r"\.")),
    "DD-MM-YYYY": re.compile(_DMY.replace("SEP", "-")),
    "YYYY-MM-DD": re.compile(_YMD.replace("SEP", "-")),
    "YYYY/MM/DD": re.compile(_YMD.replace("SEP", "/")),
    "MM/DD/YYYY": re.compile(_MDY.replace("SEP", "/")),
}
_ISO = _PATTERNS["YYYY-MM-DD"]
_DATE_SHAPE = re.compile(r"\d{1,4}([./-])\d{1,2}\1\d{1,4}")
# PostgreSQL cannot store NUL in text, and a lone surrogate is no character at all.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*$")
# Direction marks that Hebrew exports put around numbers and dates.
_MARKS = dict.fromkeys([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_CURRENCY = re.compile(r"₪|\$|€|£|\bILS\b|\bNIS\b|\bUSD\b|\bEUR\b|ש\"ח|ש''ח|ש״ח", re.IGNORECASE)
_AMOUNT = {
    ".": re.compile(r"(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?"),
    ",": re.compile(r"(\d{1,3}(\.\d{3})+|\d+)?(,\d+)?"),
}
_PLAIN = {
    ".": re.compile(r"-?\d{1,12}(?:\.\d{1,2})?"),
    ",": re.compile(r"-?\d{1,12}(?:,\d{1,2})?"),
}
TWO_DIGIT_YEAR_BASE = 2000
INCOME_WORDS = frozenset({"income", "credit", "in", "הכנסה", "הכנסות", "זכות", "זיכוי"})
EXPENSE_WORDS = frozenset({"expense", "debit", "out", "הוצאה", "הוצאות", "חובה", "חיוב"})


class CellValueError(ValueError):
    """A cell that cannot be read as what its column holds; the message says why."""


def clean_text(value: str) -> str:
    """A cell's text without direction marks and surrounding space."""
    return value.translate(_MARKS).strip()


def one_line(value: str) -> str:
    """Text on one line with single spaces (descriptions)."""
    return " ".join(unquote(clean_text(value)).split())


def unquote(text: str) -> str:
    """Undo the quote an export puts before text that starts like a formula."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


def parse_date(value: str, fmt: DateFormat) -> date:
    """A date in the given format (ISO is always understood); a trailing time is ignored."""
    text = _TIME.sub("", clean_text(value))
    match = _PATTERNS[fmt].fullmatch(text) or _ISO.fullmatch(text)
    if match is None:
        raise CellValueError(f'"{value}" is not a date in the format {fmt}')
    year = int(match["y"])
    if len(match["y"]) == 2:
        year += TWO_DIGIT_YEAR_BASE
    try:
        return date(year, int(match["m"]), int(match["d"]))
    except ValueError as exc:
        raise CellValueError(f'"{value}" is not a real day ({exc})') from exc


def date_format_fits(value: str, fmt: DateFormat) -> bool:
    """Whether a sample reads as a date in the format."""
    try:
        parse_date(value, fmt)
    except CellValueError:
        return False
    return _PATTERNS[fmt].fullmatch(_TIME.sub("", clean_text(value))) is not None


def check_storable(field: str, value: str | None) -> None:
    """Refuse, naming the field, text with a NUL character or a lone surrogate."""
    if value is not None and _UNSTORABLE.search(value):
        raise InvalidInputError(
            field, "must not contain a NUL character (\\u0000) or a lone surrogate"
        )


def looks_like_date(value: str) -> bool:
    """Whether a text has a date's shape (digits, a separator, digits, the same separator...).

    A cell of that shape that does not read as a date is a broken date, not a note.
    """
    return _DATE_SHAPE.fullmatch(_TIME.sub("", clean_text(value))) is not None


def _sign_and_body(text: str) -> tuple[bool, str]:
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    text = _CURRENCY.sub("", text).strip()
    if text.endswith(("-", "\u2212")):  # a trailing minus, as Israeli banks print debits
        negative, text = not negative, text[:-1].strip()
    if text.startswith(("-", "\u2212")):
        negative, text = not negative, _CURRENCY.sub("", text[1:]).strip()
    elif text.startswith("+"):
        text = _CURRENCY.sub("", text[1:]).strip()
    return negative, text.replace(" ", "").replace("'", "").replace("\u2019", "")


def parse_amount(value: str, mark: DecimalMark) -> Decimal:
    """A signed amount with the given decimal mark and the other one as thousands separator.

    Accepts a leading or trailing minus, parentheses and a currency sign; refuses more
    than two decimal places unless the extra digits are zeros.
    """
    text = clean_text(value)
    if _PLAIN[mark].fullmatch(text):  # the common case, read without the general rules
        return exact_cents(Decimal(text if mark == "." else text.replace(",", ".")), value)
    negative, body = _sign_and_body(text.replace("\xa0", " "))
    if not body or not _AMOUNT[mark].fullmatch(body) or not any(c.isdigit() for c in body):
        raise CellValueError(f'"{value}" is not an amount')
    thousands = "," if mark == "." else "."
    try:
        number = Decimal(body.replace(thousands, "").replace(mark, "."))
    except InvalidOperation as exc:
        raise CellValueError(f'"{value}" is not an amount') from exc
    return exact_cents(-number if negative else number, value)


def exact_cents(number: Decimal, shown: object) -> Decimal:
    """The amount to the agora, refusing a third decimal place that is not zero."""
    if not number.is_finite():
        raise CellValueError(f'"{shown}" is not an amount')
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > 2 and number != number.quantize(CENT):
        raise CellValueError(f'"{shown}" has {places} decimal places; amounts have at most 2')
    return number.quantize(CENT)


def parse_flow(value: str) -> FlowType:
    """Income or expense, from the words banks and Cashflow's own exports use."""
    word = clean_text(value).casefold()
    if word in INCOME_WORDS:
        return "income"
    if word in EXPENSE_WORDS:
        return "expense"
    raise CellValueError(f'"{value}" is neither income nor expense')


def guess_date_format(samples: list[str]) -> DateFormat:
    """The format most samples read in; day-first wins a tie (the Israeli default)."""
    scores = {fmt: sum(date_format_fits(s, fmt) for s in samples) for fmt in DATE_FORMATS}
    return max(DATE_FORMATS, key=lambda fmt: (scores[fmt], -DATE_FORMATS.index(fmt)))


def guess_decimal_mark(samples: list[str]) -> DecimalMark:
    """A decimal comma when more samples end in ',dd' than in '.dd'."""
    comma = sum(bool(re.search(r",\d{1,2}\)?-?$", clean_text(s))) for s in samples)
    point = sum(bool(re.search(r"\.\d{1,2}\)?-?$", clean_text(s))) for s in samples)
    return "," if comma > point else "."
