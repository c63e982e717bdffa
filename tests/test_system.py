"""The whole product as a user meets it: `cashflow run`, the API over HTTP, a real browser."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from domain.config import PROJECT_ROOT
from tests.servers import free_port, wait_for

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
DEMO_PASSWORD = "demo password 1"
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Running:
    """A `cashflow run` launcher and where its processes listen."""

    process: subprocess.Popen[str]
    api: str
    ui: str
    banner: str


def _read_banner(process: subprocess.Popen[str], seconds: float) -> str:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Press Ctrl-C" in line:
            return "".join(lines)
    raise AssertionError("no banner from cashflow run:\n" + "".join(lines))


@pytest.fixture(scope="module")
def running(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """`cashflow run` on free ports against the test database."""
    api_port, ui_port = free_port(), free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "API_PORT": str(api_port),
        "UI_PORT": str(ui_port),
        "ADMIN_DEFAULT_PASSWORD": DEMO_PASSWORD,
        "DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "PYTHONUNBUFFERED": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "cashflow", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        banner = _read_banner(process, 60)
        api, ui = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{ui_port}"
        wait_for(f"{api}/health", 30)
        wait_for(f"{ui}/_stcore/health", 30)
        yield Running(process, api, ui, banner)
    finally:
        _stop_launcher(process)


def _stop_launcher(process: subprocess.Popen[str]) -> None:
    """Stop the launcher as a user would (SIGTERM), then make sure nothing it started lives."""
    if process.poll() is not None:
        return
    children = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    for child in children:
        if child.is_running():
            child.kill()


def test_banner_prints_urls_and_demo_credentials(running: Running) -> None:
    assert running.ui in running.banner
    assert f"{running.api}/api/v1" in running.banner
    assert f"demo / {DEMO_PASSWORD}" in running.banner


def test_demo_user_gets_tokens_over_http(running: Running) -> None:
    response = httpx.post(
        f"{running.api}/api/v1/auth/login", json={"username": "demo", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert "server" not in response.headers  # served by cashflow.serving: no product name
    assert response.headers["Cache-Control"] == "no-store"
    me = httpx.get(
        f"{running.api}/api/v1/auth/me",
        headers={"Authorization": f"Bearer {response.json()['access_token']}"},
    )
    assert me.json()["username"] == "demo"
    page = httpx.get(
        f"{running.api}/api/v1/transactions",
        params={"limit": 5},
        headers={"Authorization": f"Bearer {response.json()['access_token']}"},
    )
    assert page.status_code == 200  # a read-only unit of work on the real pool
    assert len(page.json()["items"]) == 5
    assert page.json()["total"] > 100  # the demo's two years of history
    assert httpx.get(f"{running.api}/docs").status_code == 200
    assert httpx.get(f"{running.api}/redoc").status_code == 200


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium, installed with apt when missing (never `playwright install`)."""
    if not Path(CHROMIUM).exists():
        apt = shutil.which("apt-get")
        if apt is None:
            pytest.fail("chromium is missing and apt-get is not available to install it")
        subprocess.run(
            [apt, "install", "-y", "-q", "chromium"],
            check=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            capture_output=True,
        )
    return CHROMIUM


# Four cycles in one browser (twenty took two minutes of a suite that must stay under
# twenty): each still waits for the new cookie before reloading, as a person would.
LOGOUT_RUNS = 4
WELCOME = "Welcome, Demo household"
# The session cookie's value as the page sees it (it is not HttpOnly: a script writes it).
COOKIE_VALUE = """() => {
    const found = document.cookie.match(/(?:^|; )cashflow_session=([^;]*)/);
    return found ? found[1] : "";
}"""


@pytest.mark.browser
def test_browser_login_reload_logout(running: Running, chromium: str) -> None:
    """Log in, reload (still in), log out, reload (out): every one of 20 runs.

    The cookie is written by a script in the page the login's run renders; a reload is
    made once the new value is in the browser, as it is for a person who waits for the
    page. Logging out ends the session on the server, so the reload after it must show
    the login page whether or not the browser deleted the cookie yet.
    """
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        page = browser.new_page()
        page.goto(running.ui)
        for run in range(LOGOUT_RUNS):
            before = page.evaluate(COOKIE_VALUE)
            _log_in_here(page)
            if run == 0:
                page.screenshot(path=str(ARTIFACTS / "home-after-login.png"), full_page=True)
            page.wait_for_function(
                f"(old) => {{ const now = ({COOKIE_VALUE})(); return now !== '' && now !== old; }}",
                arg=before,
            )
            page.reload()
            expect(page.get_by_text(WELCOME).first).to_be_visible(timeout=20_000)
            _settle(page)
            page.get_by_role("button", name="Log out").click()
            expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=20_000)
            page.reload()
            expect(page.get_by_role("button", name="Log in")).to_be_visible(timeout=20_000)
            _settle(page)
            assert page.get_by_text(WELCOME).count() == 0, f"logged in again on run {run + 1}"
        page.screenshot(path=str(ARTIFACTS / "login-after-logout-reload.png"), full_page=True)
        browser.close()


@pytest.mark.browser
def test_browser_sign_up(running: Running, chromium: str) -> None:
    """From the login page to a new account's home page (the suite runs REGISTRATION=open)."""
    from playwright.sync_api import expect, sync_playwright

    name = f"browser_{uuid.uuid4().hex[:6]}"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        page = browser.new_page()
        page.goto(running.ui)
        page.get_by_role("button", name="Create an account").click()
        expect(page.get_by_role("button", name="Sign up")).to_be_visible(timeout=20_000)
        _settle(page)
        page.get_by_role("textbox", name="Username").fill(name)
        page.get_by_role("textbox", name="Your name").fill("Browser Person")
        page.get_by_role("textbox", name="Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("textbox", name="Repeat the password").fill(DEMO_PASSWORD)
        page.screenshot(path=str(ARTIFACTS / "sign-up.png"), full_page=True)
        page.get_by_role("button", name="Sign up").click()
        expect(page.get_by_text("Welcome, Browser Person").first).to_be_visible(timeout=20_000)
        page.screenshot(path=str(ARTIFACTS / "home-after-sign-up.png"), full_page=True)
        browser.close()


def _browser_login(page: Any, running: Running) -> None:
    page.goto(running.ui)
    _log_in_here(page)


def _log_in_here(page: Any) -> None:
    """Log in as the demo user on the login page the browser shows."""
    from playwright.sync_api import expect

    page.get_by_role("textbox", name="Username").fill("demo")
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Welcome, Demo household").first).to_be_visible(timeout=20_000)
    _settle(page)


def _settle(page: Any) -> None:
    """Wait until the app's script has finished its run, and stays finished.

    A click while a run is still in flight (the login's cookie component asks for one more)
    can be overtaken by that run, as it would for a user who clicks in the same instant.
    """
    idle = page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    for _check in range(2):
        idle.wait_for(timeout=30_000)
        page.wait_for_timeout(400)
    idle.wait_for(timeout=30_000)


@pytest.mark.browser
def test_browser_add_find_and_edit_in_the_ledger(running: Running, chromium: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    marker = f"Browser bakery {uuid.uuid4().hex[:6]}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        _browser_login(page, running)
        page.get_by_role("link", name="Transactions").click()
        expect(page.get_by_role("heading", name="Transactions")).to_be_visible(timeout=20_000)
        _settle(page)
        page.get_by_text("Add a transaction").click()
        page.get_by_role("textbox", name="Amount", exact=True).fill("321.09")
        page.get_by_role("textbox", name="Description", exact=True).fill(marker)
        page.get_by_role("button", name="Add", exact=True).click()
        expect(page.get_by_text("Added ₪321.09")).to_be_visible(timeout=20_000)
        _settle(page)
        search = page.get_by_role("textbox", name="Search description and notes")
        search.fill(marker)
        search.press("Enter")
        expect(page.get_by_text("1 transactions · page 1 of 1")).to_be_visible(timeout=20_000)
        expenses = page.get_by_test_id("stMetric").filter(has_text="Expenses")
        expect(expenses).to_contain_text("321.09", timeout=20_000)
        _settle(page)
        _edit_cell(page, value="321.09", new_value="300.00")
        expect(expenses).to_contain_text("300.00", timeout=20_000)
        page.screenshot(path=str(ARTIFACTS / "ledger-after-edit.png"), full_page=True)
        browser.close()


def _edit_cell(page: Any, *, value: str, new_value: str) -> None:
    """Open the grid cell that shows `value` and type `new_value` into it.

    The grid is a canvas whose column widths follow their content, so the cell is found by
    what its editor opens with, not by a fixed position; a cell that opens with anything else
    (another column, or a grid still re-mounting after a rerun) is closed and the next spot tried.
    """
    from playwright.sync_api import expect

    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=20_000)
    editor = page.locator("input.gdg-input, textarea.gdg-input").first
    for _round in range(3):
        for fraction in (0.42, 0.36, 0.48, 0.30, 0.54, 0.60):
            grid.scroll_into_view_if_needed()  # below the filters, it may start off screen
            box = grid.bounding_box()
            assert box is not None
            page.mouse.dblclick(box["x"] + box["width"] * fraction, box["y"] + 35 + 17)
            page.wait_for_timeout(500)
            if editor.is_visible() and editor.input_value() == value:
                editor.fill(new_value)
                editor.press("Enter")
                return
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)
        page.wait_for_timeout(1000)
    page.screenshot(path=str(ARTIFACTS / "ledger-cell-not-found.png"), full_page=True)
    raise AssertionError(f"no grid cell opened with {value!r}")


@pytest.mark.browser
def test_browser_opens_the_forecast_and_sees_the_chart(running: Running, chromium: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        _browser_login(page, running)
        page.get_by_role("link", name="Forecast").click()
        expect(page.get_by_role("heading", name="Forecast")).to_be_visible(timeout=20_000)
        _settle(page)
        chart = page.get_by_test_id("stPlotlyChart").first
        expect(chart).to_be_visible(timeout=20_000)
        expect(chart.locator(".scatterlayer .trace").first).to_be_attached(timeout=20_000)
        expect(page.get_by_text("Safe to spend").first).to_be_visible(timeout=20_000)
        expect(page.get_by_text("Lowest point:").first).to_be_visible(timeout=20_000)
        page.screenshot(path=str(ARTIFACTS / "forecast.png"), full_page=True)
        browser.close()


def test_sigterm_stops_every_process(running: Running) -> None:
    children = psutil.Process(running.process.pid).children(recursive=True)
    assert len(children) >= 3
    os.kill(running.process.pid, signal.SIGTERM)
    assert running.process.wait(timeout=30) == 0
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
