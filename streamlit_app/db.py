"""The UI's database access: one cached engine per process, a unit of work per action."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings, get_settings
from domain.db.engine import create_db_engine, make_session_factory, unit_of_work
from domain.services import audit


@st.cache_resource
def _engine(url: str, echo: bool) -> Engine:
    return create_db_engine(url, echo=echo)


def settings() -> Settings:
    """The process's infrastructure settings."""
    return get_settings()


def session_factory() -> sessionmaker[Session]:
    """Sessions on the cached engine (the engine is shared, sessions never are)."""
    current = settings()
    if not current.database_url:
        raise RuntimeError("DATABASE_URL is not set; start the UI with `cashflow ui`")
    return make_session_factory(_engine(current.database_url, current.debug))


# The session-state key of the logged-in person's id (set by streamlit_app.auth).
USER_ID = "user_id"


@contextmanager
def transaction() -> Iterator[Session]:
    """One button press, one unit of work; its changes are the logged-in person's."""
    with unit_of_work(session_factory()) as session:
        if person := st.session_state.get(USER_ID):
            audit.act_as_person(session, int(person))
        yield session
