"""The API's documentation works on a machine with no internet: assets from a package."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.servers import api_process
from tests.test_system import BROWSER_ARGS, chromium

__all__ = ["chromium"]
EXTERNAL = re.compile(r"""(src|href)=["']?(https?:)?//""")


@pytest.mark.parametrize(
    ("page", "asset"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")]
)
def test_pages_load_every_asset_from_this_server(client: TestClient, page: str, asset: str) -> None:
    html = client.get(page)
    assert html.status_code == 200
    assert f"/docs-assets/{asset}" in html.text
    assert not EXTERNAL.search(html.text), EXTERNAL.search(html.text)
    policy = html.headers["Content-Security-Policy"]
    assert "http" not in policy  # no host but this one may serve a script, style or font
    script = client.get(f"/docs-assets/{asset}")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert len(script.content) > 100_000  # the real bundle, not a stub


@pytest.mark.browser
def test_swagger_ui_renders_with_the_network_cut_off(database_url: str, chromium: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with api_process(database_url) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        page = browser.new_page()
        refused: list[str] = []

        def local_only(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if url.startswith(base):
                route.continue_()  # type: ignore[attr-defined]
            else:
                refused.append(url)
                route.abort()  # type: ignore[attr-defined]

        page.route("**/*", local_only)
        page.goto(f"{base}/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text(
            "Cashflow API", timeout=30_000
        )
        expect(page.get_by_text("/api/v1/transactions").first).to_be_visible(timeout=30_000)
        page.goto(f"{base}/redoc")
        expect(page.get_by_role("heading", name="Cashflow API").first).to_be_visible(timeout=30_000)
        browser.close()
    assert refused == []
