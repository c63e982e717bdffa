"""Small helpers the pages share: errors, typed amounts, categories, one unit of work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

import streamlit as st
from sqlalchemy.orm import Session

from domain.db.models import Household
from domain.errors import DomainError, InvalidInputError
from domain.i18n import N_
from domain.rules.dates import local_today
from domain.rules.money import MoneyError, parse_money
from domain.services import accounts, categories
from streamlit_app.db import transaction
from streamlit_app.i18n import _, keyed, language
from streamlit_app.session import load_household, may_write

NO_CATEGORY = N_("(none)")
VIEWER_REFUSAL = N_("Your role in this household (viewer) lets you look, not change.")
# Field names the services name in their errors, as a reader calls them.
FIELD_NAMES = {
    "amount": N_("amount"),
    "date": N_("date"),
    "category_id": N_("category"),
    "currency": N_("currency"),
    "timezone": N_("timezone"),
    "language": N_("language"),
    "name": N_("name"),
    "name_he": N_("Hebrew name"),
    "color": N_("colour"),
    "icon": N_("icon"),
    "type": N_("type"),
    "order": N_("order"),
    "description": N_("description"),
    "notes": N_("notes"),
    "warning_threshold": N_("warning threshold"),
    "critical_threshold": N_("critical threshold"),
    "large_payment_share": N_("large payment share"),
    "forecast_horizon_months": N_("forecast horizon"),
    "week_start": N_("week start"),
    "as_of": N_("date"),
    "start_date": N_("start date"),
    "end_date": N_("end date"),
    "day_of_month": N_("day of month"),
    "frequency": N_("frequency"),
    "principal": N_("principal"),
    "annual_rate": N_("annual rate"),
    "term_months": N_("term"),
    "payments": N_("payments"),
    "total": N_("total"),
    "first_date": N_("first payment"),
    "account_id": N_("account"),
    "kind": N_("kind"),
    "institution": N_("institution"),
    "charged_to_id": N_("charged to"),
    "close_day": N_("statement close day"),
    "charge_day": N_("charge day"),
    "credit_limit": N_("credit limit"),
    "from_account_id": N_("from"),
    "to_account_id": N_("to"),
    "to_amount": N_("amount received"),
    "ids": N_("order"),
}
ALL_ACCOUNTS = N_("All accounts")
# Account kinds as a reader names them (stored values stay the codes).
KIND_WORDS = {
    "bank": N_("Bank account"),
    "savings": N_("Savings"),
    "cash": N_("Cash"),
    "credit_card": N_("Credit card"),
    "debit_card": N_("Debit card"),
}
# Characters a person may type or paste with an amount: separators, signs, direction marks.
_AMOUNT_NOISE = str.maketrans("", "", ",₪$€£ \u00a0\u200f\u200e")


class NamedCategory(Protocol):
    """What a category needs to be named for a reader."""

    name: str
    name_he: str | None


def describe(exc: DomainError) -> str:
    """A domain error as one line in the reader's language, naming the field."""
    if not isinstance(exc, InvalidInputError):
        return _(exc.message)
    # English keeps the field's own name (as the API does); other languages read a word.
    field = exc.field if language() == "en" else _(FIELD_NAMES.get(exc.field, exc.field))
    return f"{field}: {_(exc.message)}"


def money(value: str, field: str) -> Any:
    """A typed amount as an exact Decimal (separators and ₪ allowed), or an error naming it."""
    try:
        return parse_money(value.translate(_AMOUNT_NOISE).strip())
    except MoneyError as exc:
        raise InvalidInputError(field, str(exc)) from exc


def category_name(category: NamedCategory) -> str:
    """A category's name in the reader's language: the Hebrew name when there is one."""
    if language() == "he" and category.name_he:
        return category.name_he
    return category.name


@contextmanager
def household_work(household_id: int) -> Iterator[tuple[Session, Household]]:
    """One unit of work with the household loaded."""
    with transaction() as session:
        yield session, load_household(session, household_id)


def today_of(household_id: int) -> date:
    """Today in the household's timezone."""
    with household_work(household_id) as (_session, household):
        return local_today(datetime.now(UTC), household.timezone)


def category_options(household_id: int, flow: str) -> dict[str, int | None]:
    """Active categories of a type, by name, with a no-category choice first."""
    with household_work(household_id) as (session, household):
        found = categories.list_categories(session, household)
        return {_(NO_CATEGORY): None, **{category_name(c): c.id for c in found if c.type == flow}}


@dataclass(frozen=True)
class AccountChoice:
    """An account as pickers show it."""

    id: int
    label: str
    kind: str
    currency: str
    is_default: bool
    archived: bool


def kind_word(kind: str) -> str:
    """An account kind as the reader's word."""
    return _(KIND_WORDS.get(kind, kind))


def account_choices(household_id: int) -> list[AccountChoice]:
    """The household's accounts in their order (archived ones too), with unique labels.

    A label is the account's name; two accounts of one name are told apart by their kind.
    """
    with household_work(household_id) as (session, household):
        found = accounts.list_accounts(session, household, include_archived=True)
        rows = [(a.id, a.name, a.kind, a.currency, a.is_default, a.archived_at) for a in found]
    names = [name for _id, name, *_rest in rows]
    archived = _("{name} (archived)")
    choices = []
    for account_id, name, kind, currency_code, is_default, archived_at in rows:
        label = name if names.count(name) == 1 else f"{name} ({kind_word(kind)})"
        if archived_at is not None:
            label = archived.format(name=label)
        choices.append(
            AccountChoice(
                account_id, label, kind, currency_code, is_default, archived_at is not None
            )
        )
    return choices


def open_accounts(choices: list[AccountChoice]) -> dict[str, int]:
    """The open accounts by label, in their order."""
    return {c.label: c.id for c in choices if not c.archived}


def account_select(
    container: Any,
    choices: list[AccountChoice],
    *,
    key: str,
    label: str | None = None,
    current: int | None = None,
    kinds: tuple[str, ...] | None = None,
) -> int | None:
    """A picker of one open account (the current one, else the default); returns its id.

    A row in an archived account keeps it: no picker, the current id comes back.
    """
    shown = [c for c in choices if not c.archived and (kinds is None or c.kind in kinds)]
    if not shown or (current is not None and current not in {c.id for c in shown}):
        return current
    wanted = current if current is not None else next((c.id for c in shown if c.is_default), None)
    index = next((i for i, c in enumerate(shown) if c.id == wanted), 0)
    labels = [c.label for c in shown]
    picked = container.selectbox(label or _("Account"), labels, index=index, key=key)
    return shown[labels.index(picked)].id if picked in labels else shown[index].id


def account_filter(container: Any, choices: list[AccountChoice], *, key: str) -> int | None:
    """A picker of All accounts (None: the household's total) or one open account."""
    everything = _(ALL_ACCOUNTS)
    labels = [everything, *open_accounts(choices)]
    picked = container.selectbox(_("Account"), labels, key=keyed(key))
    return open_accounts(choices).get(picked or "")


def run_action(action: Callable[[], Any], success: str, *, money: bool = True) -> bool:
    """Run a button's service call; show its error or its success (already translated).

    A press that changes money (the default) is refused for a viewer before any service
    runs; a person's own calls (joining, leaving, managing members) pass `money=False`
    and their services check the role themselves.
    """
    if money and not may_write():
        st.error(_(VIEWER_REFUSAL))
        return False
    try:
        action()
    except DomainError as exc:
        st.error(describe(exc))
        return False
    st.success(success)
    return True
