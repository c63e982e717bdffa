"""How a notebook reaches the data: the configured database (or the embedded server).

    from cashflow.notebooks import open_session
    session, user = open_session()          # the demo user, or CASHFLOW_USER

The session reads through the domain package like every other adapter; close it with
`close_sessions()` (the embedded server, when one was started, stops with the kernel).
"""

from __future__ import annotations

import atexit
import os
from contextlib import ExitStack

from sqlalchemy.orm import Session

from cashflow.database import database_url
from domain.config import get_settings
from domain.db.engine import create_db_engine, make_session_factory
from domain.db.models import User
from domain.services.users import find_user_by_username

_stack = ExitStack()
atexit.register(_stack.close)


def open_session(username: str | None = None) -> tuple[Session, User]:
    """A session on Cashflow's database and the user to analyse (CASHFLOW_USER or demo)."""
    url = _stack.enter_context(database_url(get_settings()))
    engine = create_db_engine(url)
    _stack.callback(engine.dispose)
    session = make_session_factory(engine)()
    _stack.callback(session.close)
    name = username or os.environ.get("CASHFLOW_USER", "demo")
    user = find_user_by_username(session, name)
    if user is None:
        raise LookupError(f"no user {name!r}: run `cashflow seed --demo` or set CASHFLOW_USER")
    return session, user


def close_sessions() -> None:
    """Close what `open_session` opened."""
    _stack.close()
