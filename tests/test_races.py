"""Races and abuse over real HTTP against real PostgreSQL: threads against a live server."""

from __future__ import annotations

import http.client
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine, text

from api.app import create_app
from domain.config import Settings
from tests.conftest import PASSWORD, forget_people
from tests.servers import free_port

API = "/api/v1"
PROXY = "127.0.0.1"  # the test client stands in for a trusted reverse proxy


def _boom() -> None:
    raise RuntimeError("a bug")


@pytest.fixture(scope="module")
def live(settings: Settings) -> Iterator[str]:
    """The API served by uvicorn in a thread, on the test database, behind a trusted proxy."""
    app = create_app(settings.model_copy(update={"trusted_proxies": [f"{PROXY}/32"]}))
    app.add_api_route("/boom", _boom)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", server_header=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=20)
    app.state.engine.dispose()


PREFIX = f"race_{uuid.uuid4().hex[:6]}_"  # this module's accounts, deleted at its end


@pytest.fixture(scope="module", autouse=True)
def _forget_accounts(engine: Engine) -> Iterator[None]:
    """Committed accounts and their households (with every row) go when the module ends."""
    yield
    with engine.connect() as conn:
        ids = conn.scalars(text("SELECT id FROM users WHERE username LIKE :p"), {"p": f"{PREFIX}%"})
        forget_people(engine, list(ids))


def _account(base: str) -> tuple[str, dict[str, str]]:
    """A new committed account and its bearer headers."""
    name = f"{PREFIX}{uuid.uuid4().hex[:10]}"
    with httpx.Client(base_url=base) as http:
        assert (
            http.post(
                f"{API}/auth/register", json={"username": name, "password": PASSWORD}
            ).status_code
            == 201
        )
        token = http.post(
            f"{API}/auth/login",
            json={"username": name, "password": PASSWORD},
            headers={"X-Forwarded-For": "198.51.100.1"},
        ).json()["access_token"]
    return name, {"Authorization": f"Bearer {token}"}


def _together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at once, each in its own thread, released by one barrier."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _call(base: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=60) as http:
        return http.request(method, f"{API}{path}", **kwargs)


def test_concurrent_first_reads_of_settings_all_answer(live: str) -> None:
    _, headers = _account(live)
    responses = _together([lambda: _call(live, "GET", "/settings", headers=headers)] * 10)
    assert [r.status_code for r in responses] == [200] * 10
    assert len({r.json()["currency"] for r in responses}) == 1


def test_a_change_racing_a_delete_answers_404_not_500(live: str) -> None:
    _, headers = _account(live)
    codes: set[int] = set()
    for _ in range(8):
        made = _call(
            live,
            "POST",
            "/transactions",
            headers=headers,
            json={"date": "2026-11-01", "amount": "5.00", "type": "expense"},
        ).json()["id"]
        put, delete = _together(
            [
                partial(
                    _call,
                    live,
                    "PUT",
                    f"/transactions/{made}",
                    headers=headers,
                    json={"notes": "x"},
                ),
                partial(_call, live, "DELETE", f"/transactions/{made}", headers=headers),
            ]
        )
        assert delete.status_code == 204
        codes.add(put.status_code)
    assert codes <= {200, 404}


def test_overlapping_bulk_deletes_report_only_the_rows_each_deleted(live: str) -> None:
    _, headers = _account(live)
    ids = _call(
        live,
        "POST",
        "/transactions/bulk",
        headers=headers,
        json={
            "items": [
                {"date": "2026-11-01", "amount": "1.00", "type": "expense"} for _ in range(10)
            ]
        },
    ).json()["ids"]
    first, second = _together(
        [
            lambda: _call(
                live, "POST", "/transactions/bulk-delete", headers=headers, json={"ids": ids[:7]}
            ),
            lambda: _call(
                live, "POST", "/transactions/bulk-delete", headers=headers, json={"ids": ids[3:]}
            ),
        ]
    )
    left = _call(live, "GET", "/transactions/totals", headers=headers).json()["count"]
    reported = sum(r.json()["count"] for r in (first, second) if r.status_code == 200)
    assert {first.status_code, second.status_code} <= {200, 404}
    assert reported == 10 - left


def test_thirty_concurrent_wrong_passwords_check_at_most_the_limit(
    live: str, settings: Settings
) -> None:
    name, _ = _account(live)
    attacker = {"X-Forwarded-For": "203.0.113.7"}
    responses = _together(
        [
            lambda: _call(
                live,
                "POST",
                "/auth/login",
                json={"username": name, "password": "wrong-password"},
                headers=attacker,
            )
        ]
        * 30
    )
    codes = [r.status_code for r in responses]
    assert codes.count(401) == settings.login_max_failures
    assert codes.count(429) == 30 - settings.login_max_failures


def test_a_stranger_cannot_lock_the_owner_out_from_elsewhere(live: str) -> None:
    name, _ = _account(live)
    stranger = {"X-Forwarded-For": "203.0.113.50"}
    for _ in range(12):
        _call(
            live,
            "POST",
            "/auth/login",
            json={"username": name, "password": "nope-nope"},
            headers=stranger,
        )
    still_blocked = _call(
        live,
        "POST",
        "/auth/login",
        json={"username": name, "password": PASSWORD},
        headers=stranger,
    )
    owner = _call(
        live,
        "POST",
        "/auth/login",
        json={"username": name, "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.20"},
    )
    assert still_blocked.status_code == 429
    assert owner.status_code == 200


def test_an_untrusted_forwarded_header_cannot_pick_a_fresh_address(
    live: str, settings: Settings
) -> None:
    """Behind the proxy, X-Forwarded-For is read from the right: a forged left part is ignored."""
    name, _ = _account(live)
    for attempt in range(settings.login_max_failures + 1):
        forged = {"X-Forwarded-For": f"10.0.0.{attempt}, 203.0.113.99"}
        last = _call(
            live,
            "POST",
            "/auth/login",
            json={"username": name, "password": "nope-nope"},
            headers=forged,
        )
    assert last.status_code == 429


def test_the_password_change_is_no_oracle(live: str, settings: Settings) -> None:
    _, headers = _account(live)
    codes = [
        _call(
            live,
            "PUT",
            "/auth/password",
            headers=headers,
            json={"current_password": f"guess-{n}-pass", "new_password": "another-password"},
        ).status_code
        for n in range(settings.login_max_failures + 3)
    ]
    assert codes[: settings.login_max_failures] == [422] * settings.login_max_failures
    assert set(codes[settings.login_max_failures :]) == {429}


def test_the_connection_stays_usable_after_a_500(live: str) -> None:
    host, port = live.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", "/boom")
    failed = connection.getresponse()
    body = failed.read()
    connection.request("GET", "/health")  # same socket: must not be reset
    healthy = connection.getresponse()
    healthy.read()
    connection.close()
    assert failed.status == 500
    assert b"request_id" in body
    assert healthy.status == 200
