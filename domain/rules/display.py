"""How people read money and dates: one locale-aware formatter, built on Babel.

`format_money` (domain.rules.money) is the wire format for JSON and files; these are
for screens, chart hovers and labels. Hebrew amounts start with a right-to-left mark so
they keep their place inside Hebrew text: RLM + `22,309.42 ₪`; English ones read `₪22,309.42`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date, get_month_names
from babel.numbers import format_currency, format_decimal, get_currency_symbol

from domain.i18n import LOCALES, Language

DATE_PATTERN = "dd/MM/yyyy"
# What Streamlit's date pickers and date columns take for the same layout.
PICKER_FORMAT = "DD/MM/YYYY"


def display_money(amount: Decimal, currency: str, language: Language) -> str:
    """An amount with its currency and thousands separators; negatives keep their sign.

    In Hebrew a left-to-right mark goes before the minus (as CLDR's own Hebrew minus has
    it), so the sign stays at the number's left inside right-to-left text.
    """
    text = format_currency(amount, currency, locale=LOCALES[language])
    return text.replace("-", "\u200e-", 1) if language == "he" else text


def display_number(value: Decimal | int, language: Language, *, places: int = 0) -> str:
    """A plain number with thousands separators (counts, percentages)."""
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(value, format=pattern, locale=LOCALES[language])


def currency_symbol(currency: str, language: Language) -> str:
    """The currency's sign as the language writes it (₪ for ILS)."""
    return get_currency_symbol(currency, locale=LOCALES[language])


def display_date(day: date, language: Language) -> str:
    """A calendar day as DD/MM/YYYY (Israeli usage in both languages)."""
    return format_date(day, DATE_PATTERN, locale=LOCALES[language])


def display_month(day: date, language: Language, *, short: bool = False) -> str:
    """The month of a day with its year, in the language ("מרץ 2026", "March 2026")."""
    return format_date(day, "LLL y" if short else "LLLL y", locale=LOCALES[language])


def month_names(language: Language) -> dict[int, str]:
    """The twelve month names, 1 to 12, in the language."""
    return dict(get_month_names("wide", context="stand-alone", locale=LOCALES[language]))


def money_axis(currency: str, language: Language) -> dict[str, str]:
    """Plotly axis settings that show whole amounts with separators and the currency sign."""
    symbol = currency_symbol(currency, language)
    if language == "he":
        return {"tickformat": ",.0f", "ticksuffix": f" {symbol}"}
    return {"tickformat": ",.0f", "tickprefix": symbol}
