"""A household shared in a real browser.

A partner is invited and accepts, both see the same ledger, a viewer's grid is
read-only, and the owner sees who changed a transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.test_system import (
    ARTIFACTS,
    BROWSER_ARGS,
    DEMO_PASSWORD,
    Running,
    _edit_cell,
    _settle,
    chromium,
    running,
)

__all__ = ["chromium", "running"]  # the launcher and the browser, as fixtures of this module
PASSWORD = "a partner's password 1"


def _register(running: Running, name: str) -> str:
    username = f"{name}_{uuid.uuid4().hex[:6]}"
    made = httpx.post(
        f"{running.api}/api/v1/auth/register",
        json={"username": username, "password": PASSWORD, "display_name": name.title()},
    )
    assert made.status_code == 201, made.text
    return username


def _token(running: Running, username: str, password: str) -> dict[str, str]:
    login = httpx.post(
        f"{running.api}/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def _login(page: Any, running: Running, username: str, password: str, welcome: str) -> None:
    from playwright.sync_api import expect

    page.goto(running.ui)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text(f"Welcome, {welcome}").first).to_be_visible(timeout=30_000)
    _settle(page)


def _open(page: Any, link: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("link", name=link).click()
    expect(page.get_by_role("heading", name=link, exact=True)).to_be_visible(timeout=20_000)
    _settle(page)


def _find(page: Any, marker: str) -> None:
    from playwright.sync_api import expect

    search = page.get_by_role("textbox", name="Search description and notes")
    search.fill(marker)
    search.press("Enter")
    expect(page.get_by_text("1 transactions · page 1 of 1")).to_be_visible(timeout=20_000)
    _settle(page)


@pytest.mark.browser
def test_a_couple_shares_a_household_in_the_browser(running: Running, chromium: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    partner, viewer = _register(running, "partner"), _register(running, "viewer")
    marker = f"Shared bakery {uuid.uuid4().hex[:6]}"
    demo = _token(running, "demo", DEMO_PASSWORD)
    made = httpx.post(
        f"{running.api}/api/v1/transactions",
        headers=demo,
        json={"date": "2026-11-30", "amount": "321.09", "type": "expense", "description": marker},
    )
    assert made.status_code == 201, made.text
    code = httpx.post(
        f"{running.api}/api/v1/households/current/invitations",
        headers=demo,
        json={"role": "viewer"},
    ).json()["code"]
    joined = httpx.post(
        f"{running.api}/api/v1/invitations/redeem",
        headers=_token(running, viewer, PASSWORD),
        json={"code": code},
    )
    assert joined.status_code == 200, joined.text
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        # 1. The owner invites the partner.
        owner = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        _login(owner, running, "demo", DEMO_PASSWORD, "Demo household")
        _open(owner, "Household")
        owner.get_by_role("textbox", name="Username (leave empty for a code to share)").fill(
            partner
        )
        owner.get_by_role("button", name="Invite", exact=True).click()
        expect(owner.get_by_text("Invitation sent.")).to_be_visible(timeout=20_000)
        owner.screenshot(path=str(ARTIFACTS / "household-invited.png"), full_page=True)
        # 2. The partner accepts.
        them = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        _login(them, running, partner, PASSWORD, "Partner")
        _open(them, "Household")
        expect(them.get_by_text("invites you to Demo household as member")).to_be_visible(
            timeout=20_000
        )
        them.get_by_role("button", name="Accept").click()
        expect(them.get_by_text("Members of Demo household")).to_be_visible(timeout=20_000)
        _settle(them)
        # 3. Both see the same ledger; the partner corrects the shared row.
        _open(them, "Transactions")
        _find(them, marker)
        _edit_cell(them, value="321.09", new_value="300.00")
        expenses = them.get_by_test_id("stMetric").filter(has_text="Expenses")
        expect(expenses).to_contain_text("300.00", timeout=20_000)
        _open(owner, "Transactions")
        _find(owner, marker)
        expect(owner.get_by_test_id("stMetric").filter(has_text="Expenses")).to_contain_text(
            "300.00", timeout=20_000
        )
        # 4. The viewer's grid is read-only.
        look = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        _login(look, running, viewer, PASSWORD, "Viewer")
        _open(look, "Transactions")
        expect(look.get_by_text("You are a viewer in this household")).to_be_visible(timeout=20_000)
        expect(look.get_by_text("Add a transaction")).to_have_count(0)
        with pytest.raises(AssertionError, match="no grid cell opened"):
            _edit_cell(look, value="300.00", new_value="1.00")
        look.screenshot(path=str(ARTIFACTS / "household-viewer-read-only.png"), full_page=True)
        # 5. The owner sees who changed the transaction.
        _open(owner, "Activity")
        # The grid is a canvas; its cells are also in the page as an accessible table.
        cells = owner.locator('[role="gridcell"]')
        expect(cells.filter(has_text="Partner").first).to_be_attached(timeout=20_000)
        expect(cells.filter(has_text="amount: 321.09 → 300.00").first).to_be_attached(
            timeout=20_000
        )
        owner.screenshot(path=str(ARTIFACTS / "household-activity.png"), full_page=True)
        browser.close()
