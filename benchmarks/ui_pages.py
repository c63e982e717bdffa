"""Every page's server-side render for the heavy household, a slider change, and the login.

Driven by AppTest against the forecast benchmark's database. Each page is timed on its
first visit with empty caches (the baseline: what every run cost before caching) and on
a rerun with unchanged data; the figures are medians of `rounds`.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time
from dataclasses import dataclass
from unittest import mock

import streamlit as st
import streamlit.logger
from streamlit.testing.v1 import AppTest

from benchmarks.forecast_data import PASSWORD, USERNAME
from benchmarks.ui_bench import APP_FILE, TIMEOUT_SECONDS
from domain.i18n import as_language
from streamlit_app import i18n
from streamlit_app.i18n import LANGUAGE

PAGES = (
    "home",
    "transactions",
    "categories",
    "fixed",
    "installments",
    "loans",
    "budgets",
    "forecast",
    "scenarios",
    "alerts",
    "household",
    "activity",
    "settings",
    "security",
    "import_export",
)
SLIDER = "forecast_months"
SLIDER_MONTHS = 12


@dataclass(frozen=True)
class PageTiming:
    """A page's cold render (empty caches) and its rerun with unchanged data, in seconds."""

    page: str
    cold: tuple[float, ...]
    warm: tuple[float, ...]
    failed: str | None = None


@dataclass(frozen=True)
class UiPagesResult:
    """The login, every page, and the forecast slider."""

    login: tuple[float, ...]
    pages: tuple[PageTiming, ...]
    slider: tuple[float, ...]


def _timed(at: AppTest) -> float:
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started


def _login() -> tuple[AppTest, float]:
    """A fresh session with empty caches; the seconds from the login button to the home page."""
    streamlit.logger.set_log_level("error")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(APP_FILE), default_timeout=TIMEOUT_SECONDS).run()
    at.text_input[0].input(USERNAME)
    at.text_input[1].input(PASSWORD)
    at.button[0].click()
    return at, _timed(at)


def _page(page: str, rounds: int) -> PageTiming:
    cold, warm = [], []
    for _round in range(rounds):
        at, _seconds = _login()
        st.cache_data.clear()
        st.cache_resource.clear()
        at.switch_page(f"page_scripts/{page}.py")
        try:
            cold.append(_timed(at))
            warm.append(_timed(at))
        except (RuntimeError, ValueError) as exc:  # AppTest's own limits, a timeout
            return PageTiming(page, (), (), failed=f"{type(exc).__name__}: {exc}"[:120])
        if at.exception:
            return PageTiming(page, (), (), failed=str(at.exception[0].value)[:120])
    return PageTiming(page, tuple(cold), tuple(warm))


def _slider(rounds: int) -> tuple[float, ...]:
    """A horizon change on the forecast page (a forecast not computed yet), after a visit."""
    found = []
    for _round in range(rounds):
        at, _seconds = _login()
        at.switch_page("page_scripts/forecast.py").run()
        at.slider(key=SLIDER).set_value(SLIDER_MONTHS)
        found.append(_timed(at))
    return tuple(found)


def _language_after_runs() -> str:
    """The heavy user's language, from the page's own session state after a run."""
    at, _seconds = _login()
    return str(at.session_state[LANGUAGE])


def measure_ui_pages(rounds: int) -> UiPagesResult:
    """Time the login, every page (cold and warm) and a slider change, `rounds` times each.

    A rerun sends each widget's state back, formatting its options with the page's own
    `format_func` outside the script run, where no session says the language: the
    browser's is taken then, so it is made the user's (a Hebrew user's role or month
    would otherwise be looked up in English among Hebrew options, and fail).
    """
    user_language = as_language(_language_after_runs())
    with (
        contextlib.redirect_stdout(io.StringIO()),
        mock.patch.object(i18n, "browser_language", return_value=user_language),
    ):
        login = tuple(_login()[1] for _round in range(rounds))
        pages = tuple(_page(page, rounds) for page in PAGES)
        slider = _slider(rounds)
    return UiPagesResult(login, pages, slider)


def _ms(seconds: tuple[float, ...]) -> str:
    return f"{statistics.median(seconds) * 1000:.0f} ms"


def ui_pages_lines(result: UiPagesResult, *, target: float, slider_target: float) -> list[str]:
    """One line per figure: the median, and the rerun's ratio to the cold render."""
    lines = [f"UI login button to the home page (AppTest, empty caches): {_ms(result.login)}"]
    for page in result.pages:
        if page.failed:
            lines.append(f"UI page {page.page}: FAILED - {page.failed}")
            continue
        warm = statistics.median(page.warm)
        ratio = warm / statistics.median(page.cold)
        met = "MET" if warm < target else "MISSED"
        lines.append(
            f"UI page {page.page:<13} render: cold {_ms(page.cold)}, rerun {_ms(page.warm)} "
            f"({ratio:.2f}x cold) vs target < {target * 1000:.0f} ms {met}"
        )
    slider = statistics.median(result.slider)
    met = "MET" if slider < slider_target else "MISSED"
    lines.append(
        f"UI forecast horizon change to {SLIDER_MONTHS} months: {_ms(result.slider)} "
        f"vs target < {slider_target * 1000:.0f} ms {met}"
    )
    return lines
