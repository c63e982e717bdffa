"""The UI's database access: one cached engine per process, a unit of work per action."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from domain.config import Settings, get_settings
from domain.db.engine import create_db_engine, make_session_factory, unit_of_work


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


@contextmanager
def transaction() -> Iterator[Session]:
    """One button press, one unit of work."""
    with unit_of_work(session_factory()) as session:
        yield session
