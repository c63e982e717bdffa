"""A Hebrew user in a real browser: right to left, screenshots, to English and back, logged in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from domain.db.models import User
from domain.rules.dates import local_today
from domain.rules.ledger import TransactionDraft
from domain.services import balance, fixed, transactions
from domain.services.users import set_language
from tests.conftest import PASSWORD, forget_people, home_of, make_user
from tests.test_system import (  # the same launcher and browser as the other browser tests
    ARTIFACTS,
    BROWSER_ARGS,
    Running,
    _settle,
    chromium,
    running,
)

__all__ = ["chromium", "running"]  # fixtures used by name


@pytest.fixture(scope="module")
def hebrew_user(engine: Engine, settings: Any, running: Running) -> Iterator[User]:
    """A Hebrew-reading household with a balance, rent and salary, committed for real."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session, session.begin():
        user = make_user(session, settings, username=f"hebrew_{datetime.now(UTC):%H%M%S%f}")
        set_language(session, user, "he")
        home = home_of(session, user)
        today = local_today(datetime.now(UTC), home.timezone)
        balance.record_balance(session, home, amount=Decimal("22309.42"), as_of=today, today=today)
        draft = TransactionDraft(
            date=today, amount=Decimal("1234.50"), type="expense", description="מכולת"
        )
        transactions.record_transaction(session, home, draft)
        for name, amount, flow, day in (
            ("שכר דירה", "5200", "expense", 1),
            ("משכורת", "14000", "income", 10),
        ):
            fixed.create_fixed(
                session,
                home,
                name=name,
                amount=Decimal(amount),
                type=flow,
                frequency="monthly",
                start_date=today - timedelta(days=40),
                day_of_month=day,
            )
    yield user
    forget_people(engine, [user.id])


def _expect_direction(page: Any, direction: str) -> None:
    """The page's `dir`, which the app's script sets once its run has reached the browser."""
    page.wait_for_function(
        "expected => document.documentElement.dir === expected", arg=direction, timeout=20_000
    )


def _open(page: Any, link: str, heading: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=20_000)
    _settle(page)


def _save_language(page: Any, *, label: str, choice: str, button: str) -> None:
    from playwright.sync_api import expect

    # Streamlit keeps the previous run's elements on screen until the new run replaces
    # them: wait until the selectbox stands once before using it, and after the save.
    select = page.get_by_test_id("stSelectbox").filter(has_text=label)
    expect(select).to_have_count(1, timeout=20_000)
    select.click()
    page.get_by_role("option", name=choice, exact=True).click()
    page.get_by_role("button", name=button).click()
    _settle(page)


@pytest.mark.browser
def test_a_hebrew_user_reads_right_to_left_and_switches_language_without_logging_out(
    running: Running, chromium: str, hebrew_user: User
) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="he-IL")
        page.goto(running.ui)
        # Before login the page follows the browser's language.
        page.get_by_role("textbox", name="שם משתמש").fill(hebrew_user.username)
        page.get_by_role("textbox", name="סיסמה").fill(PASSWORD)
        page.get_by_role("button", name="כניסה").click()
        expect(page.get_by_text(f"שלום, {hebrew_user.username}").first).to_be_visible(
            timeout=20_000
        )
        _settle(page)
        _expect_direction(page, "rtl")
        expect(page.get_by_test_id("stMetric").filter(has_text="יתרה כעת")).to_contain_text(
            "₪", timeout=20_000
        )
        page.screenshot(path=str(ARTIFACTS / "he-home.png"), full_page=True)
        _open(page, "תנועות", "תנועות")
        expenses = page.get_by_test_id("stMetric").filter(has_text="הוצאות")
        expect(expenses).to_contain_text("1,234.50", timeout=20_000)
        _expect_direction(page, "rtl")
        page.screenshot(path=str(ARTIFACTS / "he-ledger.png"), full_page=True)
        _open(page, "תחזית", "תחזית")
        chart = page.get_by_test_id("stPlotlyChart").first
        expect(chart.locator(".scatterlayer .trace").first).to_be_attached(timeout=20_000)
        expect(page.get_by_text("בטוח להוציא היום").first).to_be_visible(timeout=20_000)
        page.screenshot(path=str(ARTIFACTS / "he-forecast.png"), full_page=True)
        _open(page, "הגדרות", "הגדרות")
        _save_language(page, label="שפה", choice="אנגלית", button="שמירת ההגדרות")
        expect(page.get_by_role("heading", name="Settings")).to_be_visible(timeout=20_000)
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        _expect_direction(page, "ltr")
        page.screenshot(path=str(ARTIFACTS / "en-settings-after-switch.png"), full_page=True)
        _save_language(page, label="Language", choice="Hebrew", button="Save settings")
        expect(page.get_by_role("heading", name="הגדרות")).to_be_visible(timeout=20_000)
        expect(page.get_by_role("button", name="יציאה")).to_be_visible()
        _expect_direction(page, "rtl")
        browser.close()
