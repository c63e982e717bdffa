"""The pages as a person sees them in a real browser (#12).

A new person signs up, is guided through the three first steps and gets a populated home
page; every page of the sidebar opens at 1400 px without an error and without cut labels;
on a 390 px phone the home page's figures sit in a compact grid and the ledger is near.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest

from tests.test_system import (
    ARTIFACTS,
    BROWSER_ARGS,
    DEMO_PASSWORD,
    Running,
    _settle,
    chromium,
    running,
)

if TYPE_CHECKING:
    from playwright.sync_api import ViewportSize

__all__ = ["chromium", "running"]  # the launcher and the browser, as fixtures of this module
WIDE: ViewportSize = {"width": 1400, "height": 1000}
PHONE = "iPhone 13"  # 390 x 844
PASSWORD = "a new person's password 1"
WAIT = 30_000
# Every page of the sidebar, by section: its link and the heading the page opens with.
PAGES = (
    ("Money", "Home", "Welcome, Demo household"),
    ("Money", "Transactions", "Transactions"),
    ("Money", "Accounts", "Accounts"),
    ("Money", "Categories", "Categories"),
    ("Money", "Fixed", "Fixed income and expenses"),
    ("Money", "Installments", "Installments"),
    ("Money", "Loans", "Loans"),
    ("Money", "Budgets", "Budgets"),
    ("Ahead", "Forecast", "Forecast"),
    ("Ahead", "Scenarios", "Scenarios"),
    ("Ahead", "Alerts", "Alerts"),
    ("Household", "Household", "Household"),
    ("Household", "Activity", "Activity"),
    ("Household", "Settings", "Settings"),
    ("Household", "Security", "Security"),
    ("Household", "Import & export", "Import & export"),
)
# An element and its boxes up to the widget's own, each as wide as its text needs or not.
CLIPPED = """(el) => {
    const found = [];
    for (let node = el, up = 0; node && up < 6; node = node.parentElement, up++) {
        if (node.scrollWidth > node.clientWidth + 1) {
            found.push(`${node.tagName.toLowerCase()}.${node.className}: scrollWidth ` +
                       `${node.scrollWidth} > clientWidth ${node.clientWidth}`);
        }
        if (node.tagName === "BUTTON" || node.tagName === "LABEL") break;
    }
    return found;
}"""
# Boxes inside a widget that hide part of what they hold (the visually hidden inputs aside).
CUT_INSIDE = """(root) => [...root.querySelectorAll("*")]
    .filter((el) => el.clientWidth > 20 && el.scrollWidth > el.clientWidth + 1
                    && getComputedStyle(el).overflowX !== "visible")
    .map((el) => `${el.tagName.toLowerCase()}: scrollWidth ${el.scrollWidth} > ` +
                 `clientWidth ${el.clientWidth} ('${el.textContent.trim()}')`)"""
# Where an element's top is in the page, however far the page has scrolled.
PAGE_TOP = """(el) => {
    const box = el.getBoundingClientRect();
    const main = document.querySelector('[data-testid="stMain"]');
    return box.top + window.scrollY + (main ? main.scrollTop : 0);
}"""
# Resolves once the browser has laid out and painted twice (after a resize, say).
NEXT_FRAMES = (
    "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"
)
MONEY_TEXT = re.compile(r"^\d{1,3}(,\d{3})*\.\d{2}$")


def _shot(page: Any, name: str) -> None:
    """The whole page: the app scrolls inside its main area, so the window is made as tall."""
    path: Path = ARTIFACTS / name
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    tall = page.get_by_test_id("stMain").evaluate("(el) => el.scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], tall)})
    page.evaluate(NEXT_FRAMES)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    page.evaluate(NEXT_FRAMES)


def _no_exception(page: Any, where: str) -> None:
    boxes = page.get_by_test_id("stException")
    assert boxes.count() == 0, f"{where}: exception box: {boxes.first.inner_text()[:500]}"


def _log_in(page: Any, running: Running, username: str, password: str, welcome: str) -> None:
    from playwright.sync_api import expect

    page.goto(running.ui)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Welcome, {welcome}").first).to_be_visible(timeout=WAIT)
    _settle(page)


def _open(page: Any, link: str, heading: str) -> None:
    """Click the page's link in the sidebar and wait for its heading and a finished run."""
    from playwright.sync_api import expect

    page.get_by_test_id("stSidebarNav").get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible(timeout=WAIT)
    _settle(page)


def _bank_file(today: Any) -> bytes:
    """A small bank export: a title line, a header and five signed movements of last month."""
    rows = [
        ("Groceries Shufersal", "-412.30", 34),
        ("Electric company", "-289.00", 29),
        ("Refund from a shop", "120.00", 22),
        ("Pharmacy", "-64.90", 15),
        ("Cafe", "-38.00", 8),
    ]
    lines = ["Account 12-345-678901", "Date,Description,Amount"]
    lines += [
        f"{today - timedelta(days=ago):%d/%m/%Y},{name},{amount}" for name, amount, ago in rows
    ]
    return ("\n".join(lines) + "\n").encode()


def _sign_up(page: Any, running: Running, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(running.ui)
    page.get_by_role("button", name="Create an account").click()
    expect(page.get_by_role("button", name="Sign up")).to_be_visible(timeout=WAIT)
    _settle(page)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Your name").fill("New Person")
    page.get_by_role("textbox", name="Password", exact=True).fill(PASSWORD)
    page.get_by_role("textbox", name="Repeat the password").fill(PASSWORD)
    _shot(page, "first-steps/1-sign-up.png")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Welcome, New Person").first).to_be_visible(timeout=WAIT)
    _settle(page)


def _log_out(page: Any) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=WAIT)
    _settle(page)


def _steps_marks(page: Any) -> tuple[int, int]:
    """How many first steps the home page marks done, and how many not yet."""
    main = page.get_by_test_id("stMain")
    return (
        main.get_by_text("Done", exact=True).count(),
        main.get_by_text("Not yet", exact=True).count(),
    )


def _unfold_steps(page: Any, done: int) -> None:
    """Open the folded first steps, which say how many of the three are done."""
    from playwright.sync_api import expect

    folded = page.get_by_text(f"First steps: {done} of 3 done", exact=True)
    expect(folded).to_be_visible(timeout=WAIT)
    folded.click()
    expect(page.get_by_role("heading", name="First steps", exact=True)).to_be_visible(timeout=WAIT)
    _settle(page)


def _record_balance(page: Any) -> None:
    from playwright.sync_api import expect

    page.get_by_role("textbox", name="Balance", exact=True).fill("8,500.00")
    page.get_by_role("button", name="Record", exact=True).click()
    _settle(page)
    _unfold_steps(page, 1)
    expect(page.get_by_text("Recorded.", exact=True)).to_be_visible()
    assert _steps_marks(page) == (1, 2), "after the balance: step 1 done, 2 and 3 not yet"


def _import_file(page: Any, path: Path) -> None:
    from playwright.sync_api import expect

    _open(page, "Import & export", "Import & export")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    commit = page.get_by_role("button", name="Import 5 transactions")
    expect(commit).to_be_visible(timeout=WAIT)
    _settle(page)
    _shot(page, "first-steps/4-import-preview.png")
    commit.click()
    expect(page.get_by_text("Imported 5 transactions from")).to_be_visible(timeout=WAIT)
    _settle(page)
    _shot(page, "first-steps/5-imported.png")


def _add_salary_and_rent(page: Any) -> None:
    from playwright.sync_api import expect

    salary = page.get_by_role("textbox", name="Salary a month")
    salary.fill("14,000.00")
    page.get_by_role("textbox", name="Rent a month").fill("5,200.00")
    form = page.get_by_test_id("stForm").filter(has=salary)
    _shot(page, "first-steps/6-salary-and-rent.png")
    form.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", name="Balance: past and forecast")).to_be_visible(
        timeout=WAIT
    )
    _settle(page)


def _populated_home(page: Any) -> None:
    """The KPIs and the balance chart are there, the first steps gone (all three done)."""
    from playwright.sync_api import expect

    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("First steps", exact=False)).to_have_count(0)
    kpis = page.locator(".st-key-dashboard_kpis").get_by_test_id("stMetric")
    expect(kpis).to_have_count(6)
    expect(kpis.filter(has_text="Balance now")).to_contain_text("8,500.00")
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart).to_be_visible(timeout=WAIT)
    expect(chart.locator(".scatterlayer .trace").first).to_be_attached(timeout=WAIT)
    expect(main.get_by_text("The balance chart appears once money moves")).to_have_count(0)
    expect(main.get_by_text("No transactions in this period yet.")).to_have_count(0)


@pytest.mark.browser
def test_a_new_person_signs_up_is_guided_and_gets_a_populated_home(
    running: Running, chromium: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    username = f"newcomer_{uuid.uuid4().hex[:6]}"
    bank = tmp_path / "bank-export.csv"
    bank.write_bytes(_bank_file(datetime.now(ZoneInfo("Asia/Jerusalem")).date()))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        page = browser.new_context(viewport=WIDE).new_page()
        _sign_up(page, running, username)
        _log_out(page)
        _log_in(page, running, username, PASSWORD, "New Person")
        # An empty account: three steps, none done, and no chart drawn flat.
        expect(page.get_by_role("heading", name="First steps", exact=True)).to_be_visible()
        for step in (
            "1. Record your bank balance",
            "2. Import a bank or card file",
            "3. Add your salary and rent",
        ):
            expect(page.get_by_role("link", name=step)).to_be_visible()
        assert _steps_marks(page) == (0, 3), "a new account: no step done"
        expect(page.get_by_test_id("stPlotlyChart")).to_have_count(0)
        _no_exception(page, "home, empty")
        _shot(page, "first-steps/2-empty-home.png")
        _record_balance(page)
        _shot(page, "first-steps/3-balance-recorded.png")
        _import_file(page, bank)
        _open(page, "Home", "Welcome, New Person")
        _unfold_steps(page, 2)
        assert _steps_marks(page) == (2, 1), "after the import: steps 1 and 2 done"
        _add_salary_and_rent(page)
        _populated_home(page)
        _no_exception(page, "home, populated")
        _shot(page, "first-steps/7-populated-home.png")
        browser.close()


def _clipped(locator: Any) -> list[str]:
    return list(locator.evaluate(CLIPPED))


def _check_ledger_labels(page: Any) -> list[str]:
    """The filters' texts whole, and every grid column in view (the Issue column last)."""
    from playwright.sync_api import expect

    label = page.get_by_test_id("stMain").get_by_text("Uncategorised", exact=True)
    expect(label).to_be_visible()
    problems = [f"Transactions, 'Uncategorised' toggle: {p}" for p in _clipped(label)]
    problems += [f"Transactions, Dates filter: {p}" for p in _cut_inside(page, ".st-key-f_dates")]
    scroller = page.get_by_test_id("stDataFrame").first.locator(".dvn-scroller")
    expect(scroller).to_be_attached(timeout=WAIT)
    scroll, client = scroller.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    if scroll > client + 1:
        problems.append(
            f"Transactions, ledger grid: columns {scroll} px wide in {client} px, "
            f"the last {scroll - client} px of the Issue column out of view"
        )
    return problems


def _cut_inside(page: Any, widget: str) -> list[str]:
    return list(page.locator(widget).evaluate(CUT_INSIDE))


def _check_buttons(page: Any, where: str, name: str) -> list[str]:
    from playwright.sync_api import expect

    buttons = page.get_by_test_id("stMain").get_by_role("button", name=name, exact=True)
    expect(buttons.first).to_be_visible(timeout=WAIT)
    return [
        f"{where}, '{name}' button {index + 1}: {problem}"
        for index in range(buttons.count())
        for problem in _clipped(buttons.nth(index).get_by_text(name, exact=True))
    ]


@pytest.mark.browser
def test_every_page_opens_at_1400_px(running: Running, chromium: str) -> None:
    """Each page of the three sections opens with its heading and no exception box."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        page = browser.new_context(viewport=WIDE).new_page()
        _log_in(page, running, "demo", DEMO_PASSWORD, "Demo household")
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_test_id("stNavSectionHeader")).to_contain_text(
            list(dict.fromkeys(section for section, _link, _heading in PAGES))
        )
        expect(nav.get_by_role("link")).to_have_count(len(PAGES))
        for _section, link, heading in PAGES:
            _open(page, link, heading)
            _no_exception(page, link)
            _shot(page, f"pages-1400/{link.lower().replace(' & ', '-')}.png")
        browser.close()


@pytest.mark.browser
def test_labels_are_whole_at_1400_px(running: Running, chromium: str) -> None:
    """The labels #12 saw cut: the ledger's toggle and Issue column, the payment buttons."""
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        page = browser.new_context(viewport=WIDE).new_page()
        _log_in(page, running, "demo", DEMO_PASSWORD, "Demo household")
        _open(page, "Transactions", "Transactions")
        problems += _check_ledger_labels(page)
        _open(page, "Installments", "Installments")
        problems += _check_buttons(page, "Installments", "Mark next paid")
        _open(page, "Loans", "Loans")
        problems += _check_buttons(page, "Loans", "Record next payment")
        browser.close()
    assert problems == [], "cut short at 1400 px:\n" + "\n".join(problems)


def _rows_of(metrics: Any) -> int:
    """How many rows the metrics are laid out in (their distinct tops)."""
    tops = metrics.evaluate_all(
        "(els) => els.map((el) => Math.round(el.getBoundingClientRect().top))"
    )
    return len(set(tops))


def _amount_in_view(page: Any) -> bool:
    """Whether a ledger cell in the grid's first screen opens with an amount, without scrolling.

    The grid is a canvas: the amount column is found by what its editor opens with.
    """
    from playwright.sync_api import TimeoutError as NotOpened

    grid = page.get_by_test_id("stDataFrame").first
    scroller = grid.locator(".dvn-scroller")
    editor = page.locator("input.gdg-input, textarea.gdg-input").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    for fraction in (0.9, 0.8, 0.7, 0.6, 0.5):
        page.mouse.dblclick(box["x"] + box["width"] * fraction, box["y"] + 35 + 17)
        try:
            editor.wait_for(state="visible", timeout=2_000)
        except NotOpened:  # a column that opens no text editor (a select, a date)
            page.keyboard.press("Escape")
            continue
        value, scrolled = editor.input_value(), scroller.evaluate("(el) => el.scrollLeft")
        page.keyboard.press("Escape")
        editor.wait_for(state="hidden", timeout=WAIT)
        if MONEY_TEXT.match(value) and scrolled == 0:
            return True
    return False


@pytest.mark.browser
def test_a_phone_sees_compact_figures_and_reaches_the_ledger(
    running: Running, chromium: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        # A phone as the app knows one: its width, and a user agent that folds the sidebar
        # after a page is picked.
        phone = {k: v for k, v in pw.devices[PHONE].items() if k != "default_browser_type"}
        phone["device_scale_factor"] = 2  # smaller screenshots; the layout is the same
        page = browser.new_context(**phone).new_page()
        _log_in(page, running, "demo", DEMO_PASSWORD, "Demo household")
        size = page.viewport_size
        assert size is not None
        assert size["width"] == 390
        screen = size["height"]
        kpis = page.locator(".st-key-dashboard_kpis").get_by_test_id("stMetric")
        expect(kpis).to_have_count(6)
        _no_exception(page, "home at 390 px")
        _shot(page, "mobile-390/home.png")
        rows = _rows_of(kpis)
        page.get_by_test_id("stExpandSidebarButton").click()
        _open(page, "Transactions", "Transactions")
        expect(page.get_by_test_id("stExpandSidebarButton")).to_be_visible()  # folded again
        _no_exception(page, "transactions at 390 px")
        grid = page.get_by_test_id("stDataFrame").first
        expect(grid).to_be_visible(timeout=WAIT)
        grid_top = grid.evaluate(PAGE_TOP)
        amount_seen = _amount_in_view(page)
        _shot(page, "mobile-390/transactions.png")
        browser.close()
    assert rows <= 3, f"home at 390 px: the six KPIs take {rows} rows, not a compact grid"
    assert grid_top <= 1.5 * screen, (
        f"transactions at 390 px: the ledger starts {grid_top:.0f} px down, "
        f"past 1.5 screens ({1.5 * screen:.0f} px)"
    )
    assert amount_seen, "transactions at 390 px: no amount cell in the ledger's first screen"
