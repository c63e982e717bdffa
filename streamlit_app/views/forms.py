"""Small helpers the recurring pages share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import streamlit as st
from sqlalchemy.orm import Session

from domain.db.models import User
from domain.errors import DomainError, InvalidInputError
from domain.rules.dates import local_today
from domain.rules.money import MoneyError, parse_money
from domain.services import categories
from streamlit_app.db import transaction
from streamlit_app.session import load_user

NO_CATEGORY = "(none)"


def describe(exc: DomainError) -> str:
    """A domain error as one line, naming the field."""
    field = f"{exc.field}: " if isinstance(exc, InvalidInputError) else ""
    return f"{field}{exc.message}"


def money(value: str, field: str) -> Any:
    """A typed amount as an exact Decimal, or an error naming the field."""
    try:
        return parse_money(value.replace(",", "").strip())
    except MoneyError as exc:
        raise InvalidInputError(field, str(exc)) from exc


@contextmanager
def user_work(user_id: int) -> Iterator[tuple[Session, User]]:
    """One unit of work with the user loaded."""
    with transaction() as session:
        yield session, load_user(session, user_id)


def today_of(user_id: int) -> date:
    """Today in the user's timezone."""
    with user_work(user_id) as (_, user):
        return local_today(datetime.now(UTC), user.timezone)


def category_options(user_id: int, flow: str) -> dict[str, int | None]:
    """Active categories of a type, by name, with a no-category choice first."""
    with user_work(user_id) as (session, user):
        found = categories.list_categories(session, user)
        return {NO_CATEGORY: None, **{c.name: c.id for c in found if c.type == flow}}


def run_action(action: Callable[[], Any], success: str) -> bool:
    """Run a button's service call; show its error or its success."""
    try:
        action()
    except DomainError as exc:
        st.error(describe(exc))
        return False
    st.success(success)
    return True
