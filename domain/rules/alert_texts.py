"""Alert texts in the reader's language: catalog templates plus the values they name.

A rule stores its title and message once in English (logs, the API) and, in the alert's
data under `text`, the templates and typed values, so each page can say them again in
its reader's language with money and dates as that reader reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal

from domain.i18n import Language, translate
from domain.rules.display import display_date, display_money

TEXT = "text"  # the key of the wording inside an alert's data
Value = list[str]  # [kind, raw]: money, date, datetime, percent or text


def money(amount: Decimal) -> Value:
    """An amount, shown with the reader's currency and separators."""
    return ["money", str(amount)]


def day(value: date) -> Value:
    """A calendar day, shown DD/MM/YYYY."""
    return ["date", value.isoformat()]


def moment(value: datetime) -> Value:
    """An instant in UTC, shown DD/MM/YYYY HH:MM."""
    return ["datetime", value.isoformat()]


def percent(share: Decimal) -> Value:
    """A share such as 0.5, shown as 50%."""
    return ["percent", str(share)]


def text(value: str, *, translated: bool = False) -> Value:
    """A name as typed (never translated), or a catalog word (`translated`)."""
    return ["word" if translated else "text", value]


def _shown(value: Value, language: Language, currency: str | None) -> str:
    kind, raw = value
    if kind == "money":
        amount = Decimal(raw)
        return display_money(amount, currency, language) if currency else f"{amount:,.2f}"
    if kind == "date":
        return display_date(date.fromisoformat(raw), language)
    if kind == "datetime":
        return f"{datetime.fromisoformat(raw):%d/%m/%Y %H:%M}"
    if kind == "percent":
        return f"{Decimal(raw):.0%}"
    return translate(raw, language) if kind == "word" else raw


def render(
    template: str, values: Mapping[str, Value], language: Language, currency: str | None = None
) -> str:
    """A template in the language with its values filled in (plain amounts without currency)."""
    shown = {name: _shown(value, language, currency) for name, value in values.items()}
    return translate(template, language).format(**shown)


def wording(title: str, message: str, values: Mapping[str, Value]) -> dict[str, object]:
    """What an alert's data keeps so a page can say it in its reader's language."""
    return {"title": title, "message": message, "values": dict(values)}


def english(title: str, message: str, values: Mapping[str, Value]) -> tuple[str, str]:
    """The stored English title and message."""
    return render(title, values, "en"), render(message, values, "en")
