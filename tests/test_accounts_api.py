"""Accounts and transfers over HTTP: CRUD, archive, default, order, sources in accounts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import Account, Household, Transfer
from domain.rules.cards import CardCycle, charge_date, statement_close
from domain.rules.dates import local_today
from tests.conftest import bearer, make_user

API = "/api/v1"
CARD = {
    "name": "Isracard Gold",
    "kind": "credit_card",
    "institution": "Isracard",
    "close_day": 1,
    "charge_day": 10,
    "credit_limit": "15000.00",
}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if status != 204 else None


def _main(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    return next(a for a in _ok(client.get(f"{API}/accounts", headers=headers)) if a["is_default"])


def _create(client: TestClient, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    return _ok(client.post(f"{API}/accounts", headers=headers, json=body), 201)  # type: ignore[no-any-return]


def _card(client: TestClient, headers: dict[str, str], bank_id: int) -> dict[str, Any]:
    return _create(client, headers, **CARD, charged_to_id=bank_id)


def _field(response: Any) -> str:
    """The field a 422 names (a true or false sent for a number names it in its message)."""
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    named: str = error["loc"][1] if len(error["loc"]) > 1 else error["loc"][0]
    if named == "body":
        named = error["msg"].removeprefix("Value error, ").partition(":")[0]
    return named


def _count(session: Session, household: Household) -> int:
    session.expire_all()
    return int(
        session.scalar(select(func.count()).where(Account.household_id == household.id)) or 0
    )


def test_create_read_change_and_delete_an_account(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    main = _main(client, headers)
    assert (main["name"], main["kind"], main["currency"]) == ("Main account", "bank", "ILS")
    savings = _create(client, headers, name="Savings", kind="savings", institution="Leumi")
    assert (savings["sort_order"], savings["is_default"], savings["archived_at"]) == (
        1,
        False,
        None,
    )
    card = _card(client, headers, main["id"])
    assert (card["charged_to_id"], card["close_day"], card["charge_day"]) == (main["id"], 1, 10)
    assert card["credit_limit"] == "15000.00"
    listed = _ok(client.get(f"{API}/accounts", headers=headers))
    assert [a["id"] for a in listed] == [main["id"], savings["id"], card["id"]]
    one = _ok(client.get(f"{API}/accounts/{card['id']}", headers=headers))
    assert {k: one[k] for k in CARD} == {k: card[k] for k in CARD}
    changed = _ok(
        client.patch(
            f"{API}/accounts/{card['id']}",
            headers=headers,
            json={"name": "Isracard", "charge_day": 2, "credit_limit": None},
        )
    )
    assert (changed["name"], changed["charge_day"], changed["credit_limit"]) == (
        "Isracard",
        2,
        None,
    )
    assert changed["institution"] == "Isracard"  # left out: kept
    # A credit card becomes a bank account only with its card fields cleared.
    assert _field(
        client.patch(f"{API}/accounts/{card['id']}", headers=headers, json={"kind": "bank"})
    ) in {
        "charged_to_id",
        "close_day",
        "charge_day",
    }
    before = _count(session, household)
    _ok(client.delete(f"{API}/accounts/{savings['id']}", headers=headers), 204)
    assert _count(session, household) == before - 1
    assert client.get(f"{API}/accounts/{savings['id']}", headers=headers).status_code == 404


def test_an_account_holding_rows_is_archived_not_deleted(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    main = _main(client, headers)
    card = _card(client, headers, main["id"])
    tx = {"date": "2026-03-01", "amount": "80.00", "type": "expense", "account_id": card["id"]}
    _ok(client.post(f"{API}/transactions", headers=headers, json=tx), 201)
    refused = client.delete(f"{API}/accounts/{card['id']}", headers=headers)
    assert refused.status_code == 409
    assert "archive" in refused.json()["detail"]
    assert client.delete(f"{API}/accounts/{main['id']}", headers=headers).status_code == 409
    archived = _ok(client.post(f"{API}/accounts/{card['id']}/archive", headers=headers))
    assert archived["archived_at"] is not None
    open_ids = [a["id"] for a in _ok(client.get(f"{API}/accounts", headers=headers))]
    every = _ok(client.get(f"{API}/accounts?include_archived=true", headers=headers))
    assert card["id"] not in open_ids
    assert card["id"] in [a["id"] for a in every]
    # Nothing new goes into an archived account.
    assert _field(client.post(f"{API}/transactions", headers=headers, json=tx)) == "account_id"
    restored = _ok(client.post(f"{API}/accounts/{card['id']}/restore", headers=headers))
    assert restored["archived_at"] is None
    # The default account and a bank a card is charged to stay open.
    assert client.post(f"{API}/accounts/{main['id']}/archive", headers=headers).status_code == 409


def test_the_default_and_the_order(client: TestClient, headers: dict[str, str]) -> None:
    main = _main(client, headers)
    second = _create(client, headers, name="Discount")
    card = _card(client, headers, second["id"])
    chosen = _ok(client.post(f"{API}/accounts/{second['id']}/default", headers=headers))
    assert chosen["is_default"] is True
    assert _main(client, headers)["id"] == second["id"]
    assert _field(client.post(f"{API}/accounts/{card['id']}/default", headers=headers)) == (
        "account_id"
    )
    # A transaction named with no account lands in the new default.
    tx = {"date": "2026-03-01", "amount": "5.00", "type": "expense"}
    made = _ok(client.post(f"{API}/transactions", headers=headers, json=tx), 201)
    assert made["account_id"] == second["id"]
    order = [card["id"], main["id"], second["id"]]
    moved = _ok(client.put(f"{API}/accounts/order", headers=headers, json={"ids": order}))
    assert [a["id"] for a in moved] == order
    assert [a["id"] for a in _ok(client.get(f"{API}/accounts", headers=headers))] == order
    partial = client.put(f"{API}/accounts/order", headers=headers, json={"ids": order[:2]})
    assert _field(partial) == "ids"


BAD_ACCOUNTS = [
    ({"name": ""}, "name"),
    ({"name": "x" * 121}, "name"),
    ({"name": "Wallet", "kind": "shoebox"}, "kind"),
    ({"name": "Wallet", "currency": "usd"}, "currency"),
    ({"name": "Wallet", "close_day": 3}, "close_day"),
    ({"name": "Wallet", "credit_limit": "100.00"}, "credit_limit"),
    ({**CARD, "close_day": 32}, "close_day"),
    ({**CARD, "charge_day": 0}, "charge_day"),
    ({**CARD, "charge_day": True}, "charge_day"),
    ({**CARD, "charge_day": None}, "charge_day"),
    ({**CARD}, "charged_to_id"),
    ({**CARD, "charged_to_id": 0}, "charged_to_id"),
    ({**CARD, "charged_to_id": 2**63}, "charged_to_id"),
    ({**CARD, "credit_limit": "-1.00"}, "credit_limit"),
    ({**CARD, "credit_limit": 100}, "credit_limit"),
    ({**CARD, "limit": "100.00"}, "limit"),
]


@pytest.mark.parametrize(("body", "field"), BAD_ACCOUNTS)
def test_bad_accounts_are_refused_naming_the_field(
    client: TestClient,
    session: Session,
    household: Household,
    headers: dict[str, str],
    body: dict[str, Any],
    field: str,
) -> None:
    main = _main(client, headers)
    if body.get("kind") == "credit_card" and field not in {"charged_to_id"}:
        body = {**body, "charged_to_id": main["id"]}
    before = _count(session, household)
    assert _field(client.post(f"{API}/accounts", headers=headers, json=body)) == field
    assert _count(session, household) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"kind": None}, "kind"),
        ({"kind": "savings"}, "kind"),  # the default stays a bank account
        ({"charge_day": 31.5}, "charge_day"),
        ({"currency": "ils"}, "currency"),
        ({"charged_to_id": 1}, "charged_to_id"),
    ],
)
def test_bad_changes_are_refused_naming_the_field(
    client: TestClient, headers: dict[str, str], change: dict[str, Any], field: str
) -> None:
    main = _main(client, headers)
    answer = client.patch(f"{API}/accounts/{main['id']}", headers=headers, json=change)
    assert _field(answer) == field
    assert _main(client, headers) == main


def test_another_households_accounts_are_not_found(
    client: TestClient, session: Session, settings: Settings, headers: dict[str, str]
) -> None:
    stranger = make_user(session, settings)
    session.commit()
    theirs = _main(client, bearer(settings, stranger))
    their_card = _card(client, bearer(settings, stranger), theirs["id"])
    for method, path in (
        ("GET", ""),
        ("PATCH", ""),
        ("DELETE", ""),
        ("POST", "/archive"),
        ("POST", "/restore"),
        ("POST", "/default"),
    ):
        for account in (theirs, their_card):
            answer = client.request(
                method, f"{API}/accounts/{account['id']}{path}", headers=headers, json={}
            )
            assert answer.status_code == 404, (method, path, answer.text)
    mine = _main(client, headers)
    refused = client.post(
        f"{API}/accounts", headers=headers, json={**CARD, "charged_to_id": theirs["id"]}
    )
    assert _field(refused) == "charged_to_id"
    swap = client.put(f"{API}/accounts/order", headers=headers, json={"ids": [theirs["id"]]})
    assert _field(swap) == "ids"
    assert _ok(client.get(f"{API}/accounts", headers=headers)) == [mine]
    # A filter naming their account is refused naming it, as the forecast's is.
    mine_only = client.get(f"{API}/dashboard/monthly?account_id={theirs['id']}", headers=headers)
    assert _field(mine_only) == "account_id"


def test_transfers_move_money_between_accounts(
    client: TestClient, session: Session, household: Household, headers: dict[str, str]
) -> None:
    main = _main(client, headers)
    savings = _create(client, headers, name="Savings", kind="savings")
    card = _card(client, headers, main["id"])
    made = []
    for day, amount, target in (
        ("2026-03-01", "1000.00", savings),
        ("2026-03-15", "250.00", card),
        ("2026-04-01", "500.00", savings),
    ):
        body = {
            "date": day,
            "amount": amount,
            "from_account_id": main["id"],
            "to_account_id": target["id"],
            "description": "to " + target["name"],
        }
        made.append(_ok(client.post(f"{API}/transfers", headers=headers, json=body), 201))
    assert (made[0]["source"], made[0]["to_amount"], made[0]["amount"]) == (
        "manual",
        None,
        "1000.00",
    )
    page = _ok(client.get(f"{API}/transfers", headers=headers))
    assert [t["id"] for t in page["items"]] == [made[2]["id"], made[1]["id"], made[0]["id"]]
    assert (page["total"], page["limit"], page["offset"]) == (3, 100, 0)
    saved = _ok(client.get(f"{API}/transfers?account_id={savings['id']}&limit=1", headers=headers))
    assert ([t["id"] for t in saved["items"]], saved["total"]) == ([made[2]["id"]], 2)
    march = _ok(
        client.get(f"{API}/transfers?date_from=2026-03-01&date_to=2026-03-15", headers=headers)
    )
    assert [t["id"] for t in march["items"]] == [made[1]["id"], made[0]["id"]]
    one = _ok(client.get(f"{API}/transfers/{made[1]['id']}", headers=headers))
    assert one == made[1]
    changed = _ok(
        client.patch(
            f"{API}/transfers/{made[1]['id']}",
            headers=headers,
            json={"amount": "300.00", "to_account_id": savings["id"]},
        )
    )
    assert (changed["amount"], changed["to_account_id"]) == ("300.00", savings["id"])
    # A transfer is never income or expense: the ledger does not see it.
    ledger = _ok(client.get(f"{API}/transactions/totals", headers=headers))
    assert (ledger["income"], ledger["expense"], ledger["count"]) == ("0.00", "0.00", 0)
    _ok(client.delete(f"{API}/transfers/{made[1]['id']}", headers=headers), 204)
    assert client.get(f"{API}/transfers/{made[1]['id']}", headers=headers).status_code == 404
    session.expire_all()
    held = select(func.count()).where(Transfer.household_id == household.id)
    assert session.scalar(held) == 2


def test_bad_transfers_are_refused_naming_the_field(
    client: TestClient, session: Session, settings: Settings, headers: dict[str, str]
) -> None:
    main = _main(client, headers)
    dollars = _create(client, headers, name="Dollars", currency="USD")
    stranger = make_user(session, settings)
    session.commit()
    theirs = _main(client, bearer(settings, stranger))
    good = {
        "date": "2026-03-01",
        "amount": "370.00",
        "from_account_id": main["id"],
        "to_account_id": dollars["id"],
        "to_amount": "100.00",
    }
    abroad = _ok(client.post(f"{API}/transfers", headers=headers, json=good), 201)
    assert abroad["to_amount"] == "100.00"
    for change, field in (
        ({"to_amount": None}, "to_amount"),
        ({"to_account_id": main["id"]}, "to_account_id"),
        ({"to_account_id": theirs["id"]}, "to_account_id"),
        ({"from_account_id": theirs["id"]}, "from_account_id"),
        ({"amount": "0"}, "amount"),
        ({"amount": 5}, "amount"),
        ({"date": "2026-02-30"}, "date"),
        ({"description": "x" * 501}, "description"),
        ({"source": "card_statement"}, "source"),
    ):
        body = {k: v for k, v in {**good, **change}.items() if v is not None}
        assert _field(client.post(f"{API}/transfers", headers=headers, json=body)) == field
    assert (
        _field(
            client.patch(f"{API}/transfers/{abroad['id']}", headers=headers, json={"date": None})
        )
        == "date"
    )
    stolen = client.patch(
        f"{API}/transfers/{abroad['id']}", headers=bearer(settings, stranger), json={}
    )
    assert stolen.status_code == 404
    assert client.get(f"{API}/transfers?limit=501", headers=headers).status_code == 422
    assert client.get(f"{API}/transfers?account_id=0", headers=headers).status_code == 422


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "fixed",
            {"name": "Netflix", "amount": "54.90", "type": "expense", "start_date": "2026-01-05"},
        ),
        (
            "installments",
            {
                "name": "Fridge",
                "total_amount": "3600.00",
                "payments_count": 12,
                "first_payment_date": "2026-01-10",
            },
        ),
        (
            "loans",
            {
                "name": "Car",
                "principal": "60000.00",
                "annual_rate": "4.5",
                "term_months": 36,
                "first_payment_date": "2026-01-15",
            },
        ),
    ],
)
def test_sources_belong_to_an_account(
    client: TestClient,
    session: Session,
    settings: Settings,
    headers: dict[str, str],
    path: str,
    body: dict[str, Any],
) -> None:
    main = _main(client, headers)
    card = _card(client, headers, main["id"])
    dollars = _create(client, headers, name="Dollars", currency="USD")
    plain = _ok(client.post(f"{API}/{path}", headers=headers, json=body), 201)
    assert plain["account_id"] == main["id"]
    on_card = _ok(
        client.post(f"{API}/{path}", headers=headers, json={**body, "account_id": card["id"]}), 201
    )
    assert on_card["account_id"] == card["id"]
    assert (
        _ok(client.get(f"{API}/{path}/{on_card['id']}", headers=headers))["account_id"]
        == (card["id"])
    )
    # Without a currency, a source takes its account's.
    abroad = _ok(
        client.post(f"{API}/{path}", headers=headers, json={**body, "account_id": dollars["id"]}),
        201,
    )
    assert abroad["currency"] == "USD"
    moved = _ok(
        client.put(
            f"{API}/{path}/{on_card['id']}", headers=headers, json={"account_id": main["id"]}
        )
    )
    assert moved["account_id"] == main["id"]
    stranger = make_user(session, settings)
    session.commit()
    theirs = _main(client, bearer(settings, stranger))
    _ok(client.post(f"{API}/accounts/{card['id']}/archive", headers=headers))
    for account_id in (theirs["id"], card["id"], 2**62):
        made = client.post(
            f"{API}/{path}", headers=headers, json={**body, "account_id": account_id}
        )
        assert _field(made) == "account_id"
        changed = client.put(
            f"{API}/{path}/{plain['id']}", headers=headers, json={"account_id": account_id}
        )
        assert _field(changed) == "account_id"
    for bad in (None, 0, "1"):
        changed = client.put(
            f"{API}/{path}/{plain['id']}", headers=headers, json={"account_id": bad}
        )
        assert _field(changed) == "account_id"
    assert (
        _ok(client.get(f"{API}/{path}/{plain['id']}", headers=headers))["account_id"] == main["id"]
    )


def test_the_dashboard_of_one_account(client: TestClient, headers: dict[str, str]) -> None:
    main = _main(client, headers)
    card = _card(client, headers, main["id"])
    for amount, account in (("100.00", main), ("40.00", card), ("2.50", card)):
        tx = {
            "date": "2026-03-01",
            "amount": amount,
            "type": "expense",
            "account_id": account["id"],
            "description": f"on {account['name']}",
        }
        _ok(client.post(f"{API}/transactions", headers=headers, json=tx), 201)
    span = "date_from=2026-03-01&date_to=2026-03-31"
    top = _ok(
        client.get(f"{API}/dashboard/top-expenses?{span}&account_id={card['id']}", headers=headers)
    )
    assert [t["amount"] for t in top] == ["40.00", "2.50"]
    everything = _ok(client.get(f"{API}/dashboard/top-expenses?{span}", headers=headers))
    assert [t["amount"] for t in everything] == ["100.00", "40.00", "2.50"]
    shares = _ok(
        client.get(
            f"{API}/dashboard/category-breakdown?{span}&account_id={main['id']}", headers=headers
        )
    )
    assert [s["total"] for s in shares] == ["100.00"]
    plan = {
        "name": "Fridge",
        "total_amount": "3600.00",
        "payments_count": 12,
        "first_payment_date": "2026-01-10",
        "account_id": card["id"],
    }
    _ok(client.post(f"{API}/installments", headers=headers, json=plan), 201)
    on_card = _ok(
        client.get(f"{API}/dashboard/installments-summary?account_id={card['id']}", headers=headers)
    )
    on_bank = _ok(
        client.get(f"{API}/dashboard/installments-summary?account_id={main['id']}", headers=headers)
    )
    assert (on_card["plans"], on_bank["plans"]) == (1, 0)
    assert client.get(f"{API}/dashboard/monthly?account_id=0", headers=headers).status_code == 422


def _today(household: Household) -> date:
    return local_today(datetime.now(UTC), household.timezone)


def test_a_cards_statements_and_exposure(
    client: TestClient,
    session: Session,
    settings: Settings,
    household: Household,
    headers: dict[str, str],
) -> None:
    main = _main(client, headers)
    card = _create(
        client, headers, **{**CARD, "close_day": 15, "charge_day": 2, "charged_to_id": main["id"]}
    )
    today = _today(household)
    cycle = CardCycle(15, 2)
    closes = statement_close(cycle, today)
    after = closes + timedelta(days=1)
    for day, amount, kind in (
        (today, "120.00", "expense"),
        (after, "30.00", "expense"),
        (after, "10.00", "income"),
    ):
        tx = {"date": day.isoformat(), "amount": amount, "type": kind, "account_id": card["id"]}
        _ok(client.post(f"{API}/transactions", headers=headers, json=tx), 201)
    plan = {
        "name": "Fridge",
        "total_amount": "1200.00",
        "payments_count": 3,
        "first_payment_date": after.isoformat(),
        "account_id": card["id"],
    }
    _ok(client.post(f"{API}/installments", headers=headers, json=plan), 201)
    found = _ok(
        client.get(f"{API}/accounts/{card['id']}/statements?past=2&coming=3", headers=headers)
    )
    assert (found["card_id"], found["currency"], len(found["past"]), len(found["coming"])) == (
        card["id"],
        "ILS",
        2,
        3,
    )
    now = found["open"]
    assert (now["status"], now["closes"], now["charge"]) == (
        "open",
        closes.isoformat(),
        charge_date(cycle, closes).isoformat(),
    )
    assert [(line["amount"], line["planned"]) for line in now["lines"]] == [("120.00", False)]
    assert now["total"] == "120.00"
    nxt = found["coming"][0]
    assert nxt["status"] == "coming"
    assert sorted((line["amount"], line["type"], line["planned"]) for line in nxt["lines"]) == [
        ("10.00", "income", False),
        ("30.00", "expense", False),
        ("400.00", "expense", True),
    ]
    assert (nxt["purchases"], nxt["refunds"], nxt["total"]) == ("430.00", "10.00", "420.00")
    assert [s["total"] for s in found["coming"][1:]] == ["400.00", "400.00"]
    assert all(s["lines"] == [] for s in found["past"])
    # The card in the list: its exposure against the limit and its next charge.
    listed = next(
        a for a in _ok(client.get(f"{API}/accounts", headers=headers)) if a["id"] == card["id"]
    )
    exposure = listed["exposure"]
    assert (exposure["limit"], exposure["open_statement"], exposure["awaiting_charge"]) == (
        "15000.00",
        "120.00",
        "0.00",
    )
    assert (exposure["used"], exposure["available"], exposure["over_limit"]) == (
        "1340.00",
        "13660.00",
        False,
    )
    assert (exposure["next_charge_date"], exposure["next_charge_amount"]) == (
        charge_date(cycle, closes).isoformat(),
        "120.00",
    )
    assert _main(client, headers)["exposure"] is None
    # Statements are a credit card's: a bank account is refused, another household's not found.
    assert _field(client.get(f"{API}/accounts/{main['id']}/statements", headers=headers)) == (
        "account_id"
    )
    stranger = bearer(settings, make_user(session, settings))
    session.commit()
    assert (
        client.get(f"{API}/accounts/{card['id']}/statements", headers=stranger).status_code == 404
    )
    assert (
        _field(client.get(f"{API}/accounts/{card['id']}/statements?past=121", headers=headers))
        == "past"
    )


def test_balances_per_account(
    client: TestClient,
    session: Session,
    settings: Settings,
    household: Household,
    headers: dict[str, str],
) -> None:
    main = _main(client, headers)
    savings = _create(client, headers, name="Savings", kind="savings")
    card = _card(client, headers, main["id"])
    today = _today(household)
    yesterday = (today - timedelta(days=1)).isoformat()
    reading = _ok(
        client.post(
            f"{API}/balance", headers=headers, json={"amount": "1000.00", "as_of": yesterday}
        ),
        201,
    )
    assert reading["account_id"] == main["id"]
    saved = {"amount": "5000.00", "as_of": yesterday, "account_id": savings["id"]}
    assert (
        _ok(client.post(f"{API}/balance", headers=headers, json=saved), 201)["account_id"]
        == savings["id"]
    )
    moved = {
        "date": today.isoformat(),
        "amount": "200.00",
        "from_account_id": main["id"],
        "to_account_id": savings["id"],
    }
    _ok(client.post(f"{API}/transfers", headers=headers, json=moved), 201)
    bought = {
        "date": today.isoformat(),
        "amount": "100.00",
        "type": "expense",
        "account_id": card["id"],
    }
    _ok(client.post(f"{API}/transactions", headers=headers, json=bought), 201)

    def amount(account: dict[str, Any]) -> tuple[str, str, str]:
        found = _ok(client.get(f"{API}/balance?account_id={account['id']}", headers=headers))
        return found["amount"], found["currency"], found["in_base"]

    assert amount(main) == ("800.00", "ILS", "800.00")
    assert amount(savings) == ("5200.00", "ILS", "5200.00")
    assert amount(card) == ("-100.00", "ILS", "-100.00")
    # The household's cash: its bank and savings; the card's debt stands beside it.
    whole = _ok(client.get(f"{API}/balance", headers=headers))
    assert (whole["amount"], whole["account_id"], whole["currency"]) == ("6000.00", None, "ILS")
    listed = {a["id"]: a["balance"] for a in _ok(client.get(f"{API}/accounts", headers=headers))}
    assert listed[savings["id"]] == {
        "amount": "5200.00",
        "as_of": yesterday,
        "recorded": "5000.00",
        "movements": "200.00",
        "in_base": "5200.00",
    }
    assert (listed[main["id"]]["amount"], listed[card["id"]]["amount"]) == ("800.00", "-100.00")
    fixed = _ok(
        client.put(
            f"{API}/balance",
            headers=headers,
            json={"amount": "5100.00", "account_id": savings["id"]},
        )
    )
    assert (fixed["account_id"], fixed["amount"]) == (savings["id"], "5100.00")
    assert amount(savings)[0] == "5300.00"
    history = _ok(client.get(f"{API}/balance/history?account_id={savings['id']}", headers=headers))
    assert [(r["account_id"], r["amount"]) for r in history] == [(savings["id"], "5100.00")]
    stranger = make_user(session, settings)
    session.commit()
    theirs = _main(client, bearer(settings, stranger))
    one_off = {"op": "one_off", "date": "2027-01-05", "amount": "10.00"}
    for call in (
        client.post(
            f"{API}/balance", headers=headers, json={"amount": "1.00", "account_id": theirs["id"]}
        ),
        client.put(
            f"{API}/balance", headers=headers, json={"amount": "1.00", "account_id": theirs["id"]}
        ),
        client.get(f"{API}/balance?account_id={theirs['id']}", headers=headers),
        client.get(f"{API}/dashboard/summary?account_id={theirs['id']}", headers=headers),
        client.get(f"{API}/forecast/summary?account_id={theirs['id']}", headers=headers),
        client.post(
            f"{API}/forecast/what-if",
            headers=headers,
            json={"operations": [one_off], "account_id": theirs["id"]},
        ),
        client.post(
            f"{API}/forecast/compare",
            headers=headers,
            json={"operations": [one_off], "account_id": theirs["id"]},
        ),
    ):
        assert _field(call) == "account_id"
    assert client.get(f"{API}/balance?account_id=0", headers=headers).status_code == 422
    assert (
        _ok(client.get(f"{API}/balance/history?account_id={theirs['id']}", headers=headers)) == []
    )


def test_the_forecast_and_the_dashboard_of_one_account(
    client: TestClient, household: Household, headers: dict[str, str]
) -> None:
    main = _main(client, headers)
    today = _today(household)
    # The statement closes today and is charged three days later.
    charged = today + timedelta(days=3)
    cycle = {"close_day": today.day, "charge_day": charged.day, "charged_to_id": main["id"]}
    card = _create(client, headers, **{**CARD, **cycle})
    _ok(
        client.post(
            f"{API}/balance",
            headers=headers,
            json={"amount": "10000.00", "as_of": (today - timedelta(days=1)).isoformat()},
        ),
        201,
    )
    bought = {
        "date": today.isoformat(),
        "amount": "600.00",
        "type": "expense",
        "account_id": card["id"],
    }
    _ok(client.post(f"{API}/transactions", headers=headers, json=bought), 201)
    days = _ok(
        client.get(f"{API}/forecast/daily?months=3&account_id={main['id']}", headers=headers)
    )
    path = {d["date"]: Decimal(d["p50"]) for d in days}
    # The bank pays the card's statement on its charge day, not on the purchase day.
    before = (charged - timedelta(days=1)).isoformat()
    assert path[today.isoformat()] == Decimal("10000.00")
    assert path[before] - path[charged.isoformat()] == Decimal("600.00")
    owed = _ok(
        client.get(f"{API}/forecast/daily?months=3&account_id={card['id']}", headers=headers)
    )
    assert Decimal(owed[0]["p50"]) == Decimal("-600.00")
    part = {
        "op": "new_installment",
        "total_amount": "1200.00",
        "payments_count": 2,
        "first_payment_date": charged.isoformat(),
    }
    for account, opening, moved in ((card, "-600.00", False), (main, "10000.00", True)):
        what = _ok(
            client.post(
                f"{API}/forecast/what-if",
                headers=headers,
                json={"operations": [part], "months": 3, "account_id": account["id"]},
            )
        )
        assert what["baseline"]["opening"] == what["scenario"]["opening"] == opening
        lower = Decimal(what["scenario"]["end_balance"]) < Decimal(what["baseline"]["end_balance"])
        assert lower is moved  # the new plan is paid from the default bank, not the card
    for path_ in ("", "/weekly", "/summary"):
        assert (
            client.get(
                f"{API}/forecast{path_}?account_id={card['id']}", headers=headers
            ).status_code
            == 200
        )
    month = f"{charged:%Y-%m}"
    explained = client.get(
        f"{API}/forecast/explain?month={month}&account_id={main['id']}", headers=headers
    )
    assert explained.status_code == 200, explained.text
    kpis = _ok(client.get(f"{API}/dashboard/summary?account_id={card['id']}", headers=headers))
    assert (kpis["balance"], kpis["month_expense"]) == ("-600.00", "600.00")
    bank = _ok(client.get(f"{API}/dashboard/summary?account_id={main['id']}", headers=headers))
    assert (bank["balance"], bank["month_expense"]) == ("10000.00", "0.00")
    coming = _ok(
        client.get(f"{API}/dashboard/upcoming-payments?account_id={main['id']}", headers=headers)
    )
    assert [(e["date"], e["amount"]) for e in coming] == [(charged.isoformat(), "-600.00")]
    afford = {"amount": "1200.00", "account_id": card["id"]}
    answer = _ok(client.post(f"{API}/forecast/affordability", headers=headers, json=afford))
    assert answer["affordable"] is True
    assert (
        _field(
            client.post(
                f"{API}/forecast/affordability",
                headers=headers,
                json={**afford, "account_id": 2**62},
            )
        )
        == "account_id"
    )


def test_a_new_base_currency_moves_the_empty_accounts_still_in_the_old_one(
    client: TestClient, headers: dict[str, str]
) -> None:
    main = _main(client, headers)
    savings = _create(client, headers, name="Savings", kind="savings")
    euros = _create(client, headers, name="Trip", kind="cash", currency="EUR")
    used = _create(client, headers, name="Wallet", kind="cash")
    spent = {"date": "2026-11-01", "amount": "12.00", "type": "expense", "account_id": used["id"]}
    _ok(client.post(f"{API}/transactions", headers=headers, json=spent), 201)
    assert {a["currency"] for a in (main, savings, used)} == {"ILS"}
    _ok(client.put(f"{API}/settings", headers=headers, json={"currency": "USD"}))
    shekel = {"day": "2026-01-01", "currency": "ILS", "rate": "0.27"}
    _ok(client.put(f"{API}/rates", headers=headers, json=shekel))  # to value the wallet
    after = {a["id"]: a["currency"] for a in _ok(client.get(f"{API}/accounts", headers=headers))}
    assert after == {
        main["id"]: "USD",  # empty: what a new household meant
        savings["id"]: "USD",
        euros["id"]: "EUR",  # never in the old base
        used["id"]: "ILS",  # its amounts are shekels
    }
