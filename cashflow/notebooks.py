"""How a notebook reaches the data: the configured database (or the embedded server).

    from cashflow.notebooks import open_session
    session, user = open_session()          # the demo user, or CASHFLOW_USER

The session reads through the domain package like every other adapter; close it with
`close_sessions()`. Without DATABASE_URL the embedded server under `.data/pg` is used:
attached to when `make run` already runs it (and then left running), otherwise started
for the kernel and stopped with it.
"""

from __future__ import annotations

import atexit
import os
from contextlib import ExitStack

from sqlalchemy.orm import Session

from cashflow.database import database_url
from cashflow.embedded import APP_DATABASE, ensure_database, start_server
from cashflow.embedded import database_url as embedded_url
from domain.config import get_settings
from domain.db.engine import create_db_engine, make_session_factory
from domain.db.models import User
from domain.services.users import find_user_by_username

_stack = ExitStack()
atexit.register(_stack.close)


def _url() -> str:
    settings = get_settings()
    if settings.database_url:
        return settings.database_url
    pgdata = settings.data_dir / "pg"
    if (pgdata / "postmaster.pid").exists():  # `make run` has it: use it, leave it running
        server = start_server(pgdata)
        ensure_database(str(server.get_uri(driver="psycopg")), APP_DATABASE)
        return embedded_url(server, APP_DATABASE)
    return _stack.enter_context(database_url(settings))


def open_session(username: str | None = None) -> tuple[Session, User]:
    """A session on Cashflow's database and the user to analyse (CASHFLOW_USER or demo)."""
    url = _url()
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
