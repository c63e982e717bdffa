"""The ledger page's first render in the Streamlit UI, driven by AppTest."""

from __future__ import annotations

import contextlib
import io
import os
import time
from dataclasses import dataclass

import streamlit as st
import streamlit.logger
from streamlit.testing.v1 import AppTest

from domain.config import PROJECT_ROOT

APP_FILE = PROJECT_ROOT / "streamlit_app" / "app.py"
PAGE_FILE = PROJECT_ROOT / "streamlit_app" / "views" / "transactions.py"
URL_PATH = "transactions"
PLACEHOLDER_TEXT = "not built yet"
TIMEOUT_SECONDS = 60.0


class UiSkipError(RuntimeError):
    """The ledger page cannot be measured yet; the message says why."""


@dataclass(frozen=True)
class UiResult:
    """Seconds each round took to render the ledger's first page, or why none was measured."""

    seconds: tuple[float, ...] = ()
    grid_rows: int = 0
    skipped: str | None = None


def _logged_in(username: str, password: str) -> AppTest:
    """A fresh session of the app, logged in through the login form."""
    at = AppTest.from_file(str(APP_FILE), default_timeout=TIMEOUT_SECONDS).run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click().run()
    if at.exception or at.error:
        raise UiSkipError(f"login failed: {(at.exception or at.error)[0].value}")
    return at


def _open_ledger(at: AppTest) -> None:
    """Select the page registered at /transactions for the next run.

    A page registered by file goes through `switch_page`; a callable page has no file, and
    AppTest offers no public way to it, so set the hash st.navigation registered for it.
    """
    pages = at._registered_pages
    found = [key for key, info in pages.items() if info.get("url_pathname") == URL_PATH]
    if not found:
        raise UiSkipError(f"the app registers no page at /{URL_PATH}")
    script = pages[found[0]].get("script_path")
    if script:
        at.switch_page(os.path.relpath(str(script), APP_FILE.parent))
    else:
        at._page_hash = found[0]


def _grid_rows(at: AppTest) -> int:
    """Rows in the page's first table or editor; refuse a failed or placeholder render."""
    if at.exception:
        raise UiSkipError(f"the ledger page raised: {at.exception[0].value}")
    if any(PLACEHOLDER_TEXT in info.value for info in at.info):
        raise UiSkipError("streamlit_app/app.py still routes /transactions to a placeholder")
    return len(at.dataframe[0].value) if at.dataframe else 0


def _first_render(username: str, password: str) -> tuple[float, int]:
    """Log in, open the ledger, and time the run that renders its first page."""
    streamlit.logger.set_log_level("error")  # AppTest resets it; clearing warns in bare mode
    st.cache_data.clear()  # every round is a first visit; the engine (a resource) stays warm
    at = _logged_in(username, password)
    _open_ledger(at)
    started = time.perf_counter()
    at.run()
    return time.perf_counter() - started, _grid_rows(at)


def measure_ledger_page(username: str, password: str, *, rounds: int) -> UiResult:
    """Time the ledger's first render `rounds` times, each in a fresh logged-in session."""
    if not PAGE_FILE.exists():
        return UiResult(skipped="streamlit_app/views/transactions.py does not exist yet")
    renders = []
    try:
        # streamlit-authenticator prints cookie errors when there is no browser
        with contextlib.redirect_stdout(io.StringIO()):
            renders = [_first_render(username, password) for _ in range(rounds)]
    except UiSkipError as exc:
        return UiResult(skipped=str(exc))
    return UiResult(tuple(seconds for seconds, _ in renders), grid_rows=renders[-1][1])
