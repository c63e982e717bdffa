"""Changes to who may do what, announced to every process that caches a verified token.

Every write to users, memberships, households or revoked_tokens is announced by the
database itself: statement triggers (migration 0015) NOTIFY on CHANNEL, which PostgreSQL
delivers to every listening process when the write commits (and drops when it rolls back),
whoever wrote it (the application, psql, a script). A write through this process's
SQLAlchemy engines is also told at once to this process's own caches, before it commits, so
a unit of work that never commits (a test's, say) is seen too.

`AuthListener` LISTENs on a connection of its own, in a thread of its own. Every HEARTBEAT
seconds it makes a round trip on that connection; when the answer comes back, every
announcement committed before the round trip began has been delivered to it and handled
(PostgreSQL sends pending notifications before it reports the connection ready). So a cache
may trust what it holds only while `AuthListener.fresh()`: the last round trip began at most
MAX_LAG seconds ago. A lost connection, a stuck thread or a database that stopped answering
all make it stale, and the caches answer nothing until it reconnects (fail safe).
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Iterable
from typing import Any, Protocol

import psycopg
from sqlalchemy import Connection, Engine, event
from sqlalchemy.sql.dml import UpdateBase

CHANNEL = "cashflow_auth"
WATCHED = frozenset({"users", "memberships", "households", "revoked_tokens"})
EVERYONE = "*"
"""The announcement that forgets every cached verification."""
HEARTBEAT = 0.25
"""Seconds between the listener's round trips."""
MAX_LAG = 1.0
"""A cache answers only while the listener's last completed round trip began this recently."""
RECONNECT_SECONDS = 1.0
LISTENER_NAME = "cashflow-auth-listener"

log = logging.getLogger("cashflow.auth_events")


class Forgetting(Protocol):
    """A cache of verifications that forgets what a change may have made wrong."""

    def forget(self, who: str) -> None:
        """Drop the entries of user `who` (a user id as text), or all of them for EVERYONE."""


_local: weakref.WeakSet[Any] = weakref.WeakSet()


def subscribe_locally(cache: Forgetting) -> None:
    """Tell `cache` at once of every change this process writes, committed or not."""
    _local.add(cache)


def _tell_locally(whom: Iterable[str]) -> None:
    for cache in list(_local):
        for who in whom:
            cache.forget(who)


def _whom(table: str, result: Any) -> list[str]:
    """Whose verifications a write may change: one person's for a revocation, else everyone's."""
    if table == "revoked_tokens":
        parameters = getattr(result.context, "compiled_parameters", None) or []
        users = {params.get("user_id") for params in parameters}
        if users and None not in users:
            return sorted(str(user) for user in users)
    return [EVERYONE]


def _announce(  # noqa: PLR0917 - the signature of SQLAlchemy's after_execute event
    conn: Connection, statement: Any, multiparams: Any, params: Any, options: Any, result: Any
) -> None:
    if not isinstance(statement, UpdateBase):
        return
    table = getattr(statement.table, "name", None)
    if table in WATCHED:  # the other processes hear it from the database's triggers
        _tell_locally(_whom(table, result))


def announce_auth_writes(engine: Engine) -> None:
    """Tell this process's caches at once of every write to the watched tables via `engine`."""
    event.listen(engine, "after_execute", _announce)


class AuthListener:
    """LISTEN for announcements in a daemon thread; tell the subscribed caches to forget."""

    def __init__(self, conninfo: str, *, name: str = LISTENER_NAME) -> None:
        self._conninfo = conninfo
        self._name = name  # its application_name, as pg_stat_activity shows it
        self._caches: weakref.WeakSet[Any] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._proved_at = float("-inf")  # when the last completed round trip began
        self._rounds = 0
        self._round_done = threading.Condition(self._lock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def subscribe(self, cache: Forgetting) -> None:
        """Tell `cache` of every announcement, and of every reconnection (forget everything)."""
        self._caches.add(cache)

    def start(self) -> None:
        """Start listening, unless a thread already listens (a fork leaves none running)."""
        with self._lock:
            if not self._stop.is_set() and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(
                    target=self._run, name="cashflow-auth-listener", daemon=True
                )
                self._thread.start()

    def stop(self) -> None:
        """Stop listening; the caches go stale at once."""
        self._stop.set()
        with self._lock:
            self._proved_at = float("-inf")

    def fresh(self) -> bool:
        """Whether every announcement committed over MAX_LAG seconds ago has been handled."""
        return time.monotonic() - self._proved_at <= MAX_LAG

    def sync(self, timeout: float = 5.0) -> bool:
        """Wait until announcements committed before this call are handled; False on timeout.

        That is a round trip that began after the call.
        """
        deadline = time.monotonic() + timeout
        with self._round_done:
            wanted = self._rounds + 2  # the round under way may have begun before this call
            while self._rounds < wanted:
                left = deadline - time.monotonic()
                if left <= 0 or not self._round_done.wait(left):
                    return False
        return True

    def _forget(self, who: str) -> None:
        for cache in list(self._caches):
            cache.forget(who)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self._conninfo, autocommit=True, application_name=self._name
                ) as conn:
                    self._listen(conn)
            except psycopg.Error as exc:
                log.warning("auth listener lost its connection", extra={"error": str(exc)})
            except Exception:  # never leave the caches stale for good: log, then listen again
                log.exception("auth listener failed")
            with self._lock:
                self._proved_at = float("-inf")
            self._forget(EVERYONE)
            self._stop.wait(RECONNECT_SECONDS)

    def _listen(self, conn: psycopg.Connection[Any]) -> None:
        conn.execute(f"LISTEN {CHANNEL}")
        self._forget(EVERYONE)  # whatever was announced while nobody listened
        while not self._stop.is_set():
            began = time.monotonic()
            conn.execute("SELECT 1")
            for notice in conn.notifies(timeout=0):  # those that arrived before the answer
                self._forget(notice.payload)
            with self._round_done:
                self._proved_at = began
                self._rounds += 1
                self._round_done.notify_all()
            for notice in conn.notifies(timeout=HEARTBEAT):
                self._forget(notice.payload)


_listeners: dict[str, AuthListener] = {}
_listeners_lock = threading.Lock()


def listener_for(conninfo: str) -> AuthListener:
    """This process's listener on a database, started on first use."""
    with _listeners_lock:
        found = _listeners.get(conninfo)
        if found is None:
            found = _listeners[conninfo] = AuthListener(conninfo)
    found.start()
    return found
