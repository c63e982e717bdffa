"""Adding and changing accounts: a form to add, one to edit, and order, default, archive, delete."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from typing import Any

import streamlit as st

from domain.db.models import ACCOUNT_KINDS
from domain.services import accounts
from domain.services.account_views import AccountLine
from domain.services.accounts import AccountDraft
from streamlit_app.i18n import _
from streamlit_app.views.confirm import acting, delete_with_confirmation, show_note
from streamlit_app.views.forms import household_work, kind_word, money

NOTE = "accounts_note"
CARD_KINDS = ("credit_card", "debit_card")


def _optional_money(text: str, field: str) -> Decimal | None:
    return money(text, field) if text.strip() else None


def _day(value: Any) -> int | None:
    return int(value) if value else None


def _card_fields(
    container: Any, key: str, kind: str, banks: dict[int, str], current: AccountLine | None
) -> None:
    """The card's bank and, for a credit card, its close day, charge day and limit."""
    if kind not in CARD_KINDS:
        return
    ids = list(banks)
    chosen = current.charged_to_id if current and current.charged_to_id in ids else None
    cols = container.columns(4 if kind == "credit_card" else 1)
    cols[0].selectbox(
        _("Charged to"),
        ids,
        index=ids.index(chosen) if chosen in ids else 0,
        format_func=banks.__getitem__,
        key=f"{key}_charged_to",
    )
    if kind != "credit_card":
        return
    cols[1].number_input(
        _("Statement closes on day"),
        1,
        31,
        value=current.close_day if current else None,
        key=f"{key}_close_day",
        help=_("Purchases after this day go on the next statement (29 to 31: the month's end)."),
    )
    cols[2].number_input(
        _("Charged to the bank on day"),
        1,
        31,
        value=current.charge_day if current else None,
        key=f"{key}_charge_day",
    )
    limit = current.credit_limit if current else None
    cols[3].text_input(
        _("Credit limit"),
        key=f"{key}_limit",
        placeholder="0.00",
        **_given(None if current is None else f"{limit}" if limit is not None else ""),
    )


def _draft(key: str, kind: str) -> AccountDraft:
    """The form's fields as a draft (the card fields only for a card)."""
    state = st.session_state
    card = kind in CARD_KINDS
    credit = kind == "credit_card"
    return AccountDraft(
        name=str(state.get(f"{key}_name") or ""),
        kind=kind,
        institution=str(state.get(f"{key}_institution") or ""),
        currency=str(state.get(f"{key}_currency") or "").strip().upper() or None,
        charged_to_id=state.get(f"{key}_charged_to") if card else None,
        close_day=_day(state.get(f"{key}_close_day")) if credit else None,
        charge_day=_day(state.get(f"{key}_charge_day")) if credit else None,
        credit_limit=_optional_money(str(state.get(f"{key}_limit") or ""), "credit_limit")
        if credit
        else None,
    )


def _create(household_id: int, kind: str, today: date) -> None:
    draft = _draft("account_add", kind)
    with household_work(household_id) as (session, household):
        accounts.create_account(session, household, draft, today=today)
    for field in ("name", "institution", "currency", "limit"):
        st.session_state[f"account_add_{field}"] = ""


def add_form(household_id: int, today: date, banks: dict[int, str]) -> None:
    """Add a bank account, savings, cash or a card (a card names the bank that pays it)."""
    with st.expander(_("Add an account")):
        kind = st.selectbox(_("Kind"), ACCOUNT_KINDS, format_func=kind_word, key="account_add_kind")
        with st.form("account_add"):
            _common_fields(st, "account_add", None)
            _card_fields(st, "account_add", str(kind), banks, None)
            st.form_submit_button(
                _("Add"),
                type="primary",
                on_click=acting(
                    NOTE, partial(_create, household_id, str(kind), today), _("Account added.")
                ),
            )


def _given(value: str | None) -> dict[str, Any]:
    """A widget's starting value when editing; none when adding (the form clears by state)."""
    return {} if value is None else {"value": value}


def _common_fields(container: Any, key: str, current: AccountLine | None) -> None:
    cols = container.columns([2, 2, 1])
    cols[0].text_input(
        _("Name"),
        key=f"{key}_name",
        max_chars=120,
        **_given(None if current is None else current.name),
    )
    cols[1].text_input(
        _("Institution"),
        key=f"{key}_institution",
        max_chars=120,
        **_given(None if current is None else current.institution),
    )
    cols[2].text_input(
        _("Currency"),
        key=f"{key}_currency",
        max_chars=3,
        placeholder=_("the household's"),
        **_given(None if current is None else current.currency),
    )


def _update(household_id: int, account: AccountLine, today: date) -> None:
    draft = _draft(f"account_edit_{account.id}", account.kind)
    with household_work(household_id) as (session, household):
        accounts.update_account(session, household, account.id, draft.__dict__, today=today)


def _run(household_id: int, action: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    with household_work(household_id) as (session, household):
        action(session, household, *args, **kwargs)


def _moved(order: list[int], account_id: int, step: int) -> list[int]:
    """The order with one account moved a place up (-1) or down (+1)."""
    at = order.index(account_id)
    swap = min(max(at + step, 0), len(order) - 1)
    moved = list(order)
    moved[at], moved[swap] = moved[swap], moved[at]
    return moved


def edit_form(
    household_id: int, today: date, lines: tuple[AccountLine, ...], banks: dict[int, str]
) -> None:
    """Pick an account: change its fields, move it, make it the default, archive or delete it."""
    if not lines:
        return
    by_id = {line.id: line for line in lines}
    labels = {line.id: _label(line) for line in lines}
    with st.expander(_("Change an account")):
        picked = st.selectbox(
            _("Account"), list(labels), format_func=labels.__getitem__, key="account_edit_pick"
        )
        account = by_id[int(picked)]
        key = f"account_edit_{account.id}"
        with st.form(key):
            _common_fields(st, key, account)
            _card_fields(st, key, account.kind, banks, account)
            st.form_submit_button(
                _("Save changes"),
                on_click=acting(NOTE, partial(_update, household_id, account, today), _("Saved.")),
            )
        _actions(household_id, account, [line.id for line in lines])


def _actions(household_id: int, account: AccountLine, order: list[int]) -> None:
    """Move up or down, make the default, archive or restore, delete (after asking)."""
    cols = st.columns(5)
    for col, label, step in ((cols[0], _("Move up"), -1), (cols[1], _("Move down"), 1)):
        col.button(
            label,
            key=f"account_move_{step}_{account.id}",
            on_click=acting(
                NOTE,
                partial(
                    _run,
                    household_id,
                    accounts.reorder_accounts,
                    _moved(order, account.id, step),
                ),
                _("Moved."),
            ),
        )
    if account.kind == "bank" and not account.is_default and not account.archived:
        cols[2].button(
            _("Make default"),
            key=f"account_default_{account.id}",
            help=_("New transactions go here when no account is named."),
            on_click=acting(
                NOTE,
                partial(_run, household_id, accounts.set_default, account.id),
                _("{name} is the default account.").format(name=account.name),
            ),
        )
    if account.archived:
        cols[3].button(
            _("Restore"),
            key=f"account_restore_{account.id}",
            on_click=acting(
                NOTE,
                partial(_run, household_id, accounts.restore_account, account.id),
                _("Restored."),
            ),
        )
    elif not account.is_default:
        cols[3].button(
            _("Archive"),
            key=f"account_archive_{account.id}",
            help=_("Hidden from choices; its transactions and balance stay."),
            on_click=acting(
                NOTE,
                partial(
                    _run,
                    household_id,
                    accounts.archive_account,
                    account.id,
                    now=datetime.now(UTC),
                ),
                _("Archived."),
            ),
        )
    if not account.is_default:
        delete_with_confirmation(
            cols[4],
            key=f"account_delete_{account.id}",
            note_key=NOTE,
            label=_("Delete"),
            question=_(
                "Delete {name}? Only an account that holds nothing can be deleted; "
                "archive one that does."
            ).format(name=account.name),
            action=partial(_run, household_id, accounts.delete_account, account.id),
        )


def _label(line: AccountLine) -> str:
    text = f"{line.name} · {kind_word(line.kind)}"
    return _("{name} (archived)").format(name=text) if line.archived else text


def notes() -> None:
    """What the last press on an account did."""
    show_note(NOTE)
