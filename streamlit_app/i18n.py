"""The UI's words, money and dates in the reader's language, and right-to-left for Hebrew.

Every text a page shows goes through `_` (or `n_` for counts), which pybabel extracts
into domain/locale; tests/test_i18n_strings.py fails when a page passes a bare literal
to a Streamlit call. The language is the user's setting, read on every run by app.py, so
a change in Settings shows on the next click; before login it is the browser's.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd
import streamlit as st

from domain.i18n import N_, Language, as_language, translate, translate_plural
from domain.rules.display import (
    PICKER_FORMAT,
    display_date,
    display_money,
    display_month,
    money_axis,
)

LANGUAGE = "ui_language"
CURRENCY = "ui_currency"
DATE_FORMAT = PICKER_FORMAT
# Amounts carry their currency and separators now: a slightly smaller metric keeps six
# of them on one row without cutting any. On a phone Streamlit stacks columns one under
# another; a row of metrics alone (no table, chart, form or nested row) becomes a grid of
# two columns instead, so six KPIs take three short rows and what follows stays near.
_METRIC_CSS = (
    '[data-testid="stMetricValue"] { font-size: 1.6rem; }'
    + """
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(
    :has([data-testid="stHorizontalBlock"], [data-testid="stDataFrame"],
      [data-testid="stPlotlyChart"], [data-testid="stForm"])) {
    display: grid !important; grid-template-columns: repeat(2, minmax(0, 1fr));
    gap: 0.25rem 0.75rem;
  }
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]):not(
    :has([data-testid="stHorizontalBlock"], [data-testid="stDataFrame"],
      [data-testid="stPlotlyChart"], [data-testid="stForm"])) > [data-testid="stColumn"] {
    width: auto !important; min-width: 0 !important;
  }
  [data-testid="stMetricValue"] { font-size: 1.15rem; }
  [data-testid="stMetricLabel"] p { font-size: 0.8rem; }
}
"""
)
BASE_CSS = f"<style>{_METRIC_CSS}</style>"
# Right to left for the whole app (sidebar, text, forms, tables); charts keep time
# running left to right, as Hebrew financial charts do.
RTL_CSS = (
    """
<style>
"""
    + _METRIC_CSS
    + """
[data-testid="stApp"], [data-testid="stSidebar"], [data-testid="stMain"] { direction: rtl; }
[data-testid="stApp"] p, [data-testid="stApp"] h1, [data-testid="stApp"] h2,
[data-testid="stApp"] h3, [data-testid="stApp"] label, [data-testid="stApp"] input,
[data-testid="stApp"] textarea { text-align: right; }
[data-testid="stPlotlyChart"], .js-plotly-plot { direction: ltr; }
[data-testid="stMetricValue"] { direction: rtl; text-align: right; }
[data-testid="stDateInput"] input { direction: ltr; text-align: right; }
</style>
"""
)
_DIRECTION_SCRIPT = "<script>document.documentElement.dir = '{dir}'; document.documentElement.lang = '{lang}';</script>"  # noqa: E501
RTL_SCRIPT = _DIRECTION_SCRIPT.format(dir="rtl", lang="he")
LTR_SCRIPT = _DIRECTION_SCRIPT.format(dir="ltr", lang="en")


def browser_language() -> Language:
    """The language the browser asks for (English when it asks for neither of ours)."""
    try:
        return as_language(st.context.locale)
    except (AttributeError, RuntimeError):  # no browser: a bare script run
        return "en"


def language() -> Language:
    """The reader's language: the user's setting once logged in, else the browser's."""
    stored = st.session_state.get(LANGUAGE)
    return as_language(stored) if stored else browser_language()


def use_language(chosen: str | None, currency: str | None = None) -> None:
    """Set the language (and currency) this run renders in."""
    st.session_state[LANGUAGE] = as_language(chosen) if chosen else None
    if currency:
        st.session_state[CURRENCY] = currency


def _(message: str) -> str:
    """A text in the reader's language."""
    return translate(message, language())


def n_(singular: str, plural: str, count: int) -> str:
    """The singular or plural of a text for `count`, in the reader's language."""
    return translate_plural(singular, plural, count, language())


def currency() -> str:
    """The logged-in user's currency (ILS until known)."""
    return str(st.session_state.get(CURRENCY) or "ILS")


# Babel formats one value in about 0.1 ms; a page of a thousand rows repeats the same
# amounts and days, so each text is kept (equal Decimals format alike: two places).
_money_text = functools.lru_cache(maxsize=8192)(display_money)
_date_text = functools.lru_cache(maxsize=8192)(display_date)


def show_money(amount: Decimal, currency_code: str | None = None) -> str:
    """An amount as the reader reads it: `22,309.42 ₪` (after an RLM) or `₪22,309.42`."""
    return _money_text(amount, currency_code or currency(), language())


def show_date(day: date) -> str:
    """A day as DD/MM/YYYY."""
    return _date_text(day, language())


def show_month(day: date, *, short: bool = False) -> str:
    """A month and year in the reader's language."""
    return display_month(day, language(), short=short)


def chart_money_axis() -> dict[str, str]:
    """Plotly axis settings for money: separators and the currency sign, never `23.2k`."""
    return money_axis(currency(), language())


def is_rtl() -> bool:
    """Whether the page runs right to left."""
    return language() == "he"


def columns_in_reading_order(columns: list[str]) -> list[str]:
    """A table's columns in the order the reader reads them (reversed for Hebrew).

    The grid draws on a canvas that ignores CSS direction, so the order itself is flipped.
    """
    return list(reversed(columns)) if is_rtl() else list(columns)


def show_table(
    frame: pd.DataFrame, headers: Mapping[str, str] | None = None, *, key: str | None = None
) -> None:
    """A read-only table: headers in the reader's language, columns in reading order."""
    named = headers or {}
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        key=key,
        column_config={c: _(named[c]) for c in frame.columns if c in named},
        column_order=columns_in_reading_order(list(frame.columns)),
    )


def apply_direction() -> None:
    """Lay the page out right to left for Hebrew, left to right otherwise."""
    st.markdown(RTL_CSS if is_rtl() else BASE_CSS, unsafe_allow_html=True)
    st.html(RTL_SCRIPT if is_rtl() else LTR_SCRIPT, unsafe_allow_javascript=True)


# Codes the pages show as words (stored values stay the codes).
CODE_WORDS = {
    "income": N_("income"),
    "expense": N_("expense"),
    "all": N_("all"),
    "sunday": N_("Sunday"),
    "monday": N_("Monday"),
    "daily": N_("daily"),
    "weekly": N_("weekly"),
    "biweekly": N_("fortnightly"),
    "monthly": N_("monthly"),
    "quarterly": N_("quarterly"),
    "yearly": N_("yearly"),
    "en": N_("English"),
    "he": N_("Hebrew"),
}


def word(code: object) -> str:
    """A stored code (income, expense, sunday, ...) as the reader's word."""
    text = str(code)
    return _(CODE_WORDS[text]) if text in CODE_WORDS else text


def keyed(key: str) -> str:
    """A widget key for options shown as words: a language of its own beside English's.

    A switch of language then starts such a widget afresh instead of holding a word
    the new options no longer have.
    """
    return key if language() == "en" else f"{key}.{language()}"


def select_code(
    container: Any, label: str, codes: Sequence[str], *, key: str, index: int = 0
) -> str:
    """A selectbox over stored codes that shows their words; returns the chosen code.

    The options are the words themselves (AppTest sees what a person sees), and the key
    carries the language, so a switch of language starts the widget afresh.
    """
    words = [word(code) for code in codes]
    picked = container.selectbox(label, words, index=index, key=keyed(key))
    return codes[words.index(picked)] if picked in words else codes[index]


def radio_code(
    container: Any, label: str, codes: Sequence[str], *, key: str, horizontal: bool = False
) -> str:
    """A radio over stored codes that shows their words; returns the chosen code."""
    words = [word(code) for code in codes]
    picked = container.radio(label, words, key=keyed(key), horizontal=horizontal)
    return codes[words.index(picked)] if picked in words else codes[0]


def show_delta(amount: Decimal) -> str:
    """A change of money for st.metric's delta: it must start with its sign to be coloured."""
    return show_money(amount).lstrip("\u200f\u200e")
