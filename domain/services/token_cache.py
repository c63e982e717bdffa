"""Verified access tokens and household scopes, kept per process so hot reads skip two queries.

An entry is exactly what `auth.verify_token` and `households.open_scope` concluded from the
database; it stays true until a write to users, memberships, households or revoked_tokens,
which `domain.db.auth_events` announces. The cache answers only while its listener is fresh,
so a revocation committed at T is honoured by every process for every request that starts
after T + MAX_LAG (in practice within a millisecond or two, as PostgreSQL delivers the
announcement at commit), and a lost listener makes every request verify through the
database again. ENTRY_TTL bounds the one thing announcements cannot see: a write made
outside SQLAlchemy (psql by hand).

An entry computed from a read that began before an announcement is never kept after it:
each verification takes a ticket (the cache's epoch) before it reads, and keeping it needs
the epoch unchanged.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.auth_events import EVERYONE, Forgetting, subscribe_locally
from domain.rules.roles import READ, Role
from domain.services import auth, households

ENTRY_TTL = 60.0
"""Seconds an entry is reused at most, announced change or not."""
MAX_ENTRIES = 10_000
"""Per map; past it the oldest entry goes."""
Key = TypeVar("Key")
Entry = TypeVar("Entry")


class Listener(Protocol):
    """What tells a cache of announced changes, and whether it is up to date."""

    def subscribe(self, cache: Forgetting) -> None:
        """Tell `cache` of every announcement from now on."""

    def fresh(self) -> bool:
        """Whether every announcement committed over MAX_LAG seconds ago has been handled."""


@dataclass(frozen=True, slots=True)
class KnownToken:
    """An access token that verified: its person and expiry."""

    user_id: int
    expires_at: datetime
    stored: float


@dataclass(frozen=True, slots=True)
class ReadScope:
    """The household a person reads in, and their role there."""

    user_id: int
    household_id: int
    role: Role
    stored: float


class VerificationCache:
    """Verified tokens and scopes of this process, forgotten on every announced change."""

    def __init__(self, listener: Listener) -> None:
        self._freshness = listener
        self._lock = threading.Lock()
        self._epoch = 0
        self._tokens: dict[str, KnownToken] = {}
        self._scopes: dict[tuple[int, int | None], ReadScope] = {}
        subscribe_locally(self)  # this process's own writes, at once
        listener.subscribe(self)  # every process's, when they commit

    def ticket(self) -> int | None:
        """Take before reading the database; None when nothing read now may be kept."""
        return self._epoch if self._freshness.fresh() else None

    def user_of(self, token: str, now: datetime) -> int | None:
        """The person of a verified, unexpired token, or None to verify it in the database."""
        found = self._tokens.get(token)
        if found is None or found.expires_at <= now or not self._usable(found.stored):
            return None
        return found.user_id

    def scope_of(self, user_id: int, household_id: int | None) -> ReadScope | None:
        """The household and role of a person (the one named, else their default), or None."""
        found = self._scopes.get((user_id, household_id))
        if found is None or not self._usable(found.stored):
            return None
        return found

    def keep_token(
        self, ticket: int | None, token: str, user_id: int, expires_at: datetime
    ) -> None:
        """Remember a token verified after `ticket` was taken, unless a change came since."""
        with self._lock:
            if self._may_keep(ticket):
                _bounded_put(self._tokens, token, KnownToken(user_id, expires_at, time.monotonic()))

    def keep_scope(self, ticket: int | None, scope: ReadScope, household_id: int | None) -> None:
        """Remember a scope opened after `ticket` was taken, unless a change came since."""
        with self._lock:
            if self._may_keep(ticket):
                _bounded_put(self._scopes, (scope.user_id, household_id), scope)

    def forget(self, who: str) -> None:
        """Drop what a change may have made wrong: one person's entries, or all (EVERYONE)."""
        with self._lock:
            self._epoch += 1
            if who == EVERYONE or not who.isdigit():
                self._tokens.clear()
                self._scopes.clear()
                return
            user_id = int(who)
            for token in [t for t, known in self._tokens.items() if known.user_id == user_id]:
                del self._tokens[token]
            for key in [key for key in self._scopes if key[0] == user_id]:
                del self._scopes[key]

    def _may_keep(self, ticket: int | None) -> bool:
        return ticket is not None and ticket == self._epoch and self._freshness.fresh()

    def _usable(self, stored: float) -> bool:
        return time.monotonic() - stored <= ENTRY_TTL and self._freshness.fresh()


def _bounded_put(entries: dict[Key, Entry], key: Key, value: Entry) -> None:
    entries.pop(key, None)
    if len(entries) >= MAX_ENTRIES:
        del entries[next(iter(entries))]
    entries[key] = value


def verify_access(
    session: Session, settings: Settings, cache: VerificationCache, token: str, *, now: datetime
) -> int:
    """Verify an access token in the database (as `auth.verify_token`) and remember it."""
    ticket = cache.ticket()
    user, claims = auth.verify_token(session, settings, token, "access", now)
    cache.keep_token(ticket, token, user.id, claims.expires_at)
    return user.id


def open_read_scope(
    session: Session,
    settings: Settings,
    cache: VerificationCache,
    token: str,
    *,
    household_id: int | None,
    now: datetime,
) -> ReadScope:
    """Open a reading scope in the database (as `households.open_scope`) and remember it."""
    ticket = cache.ticket()
    user, _ = auth.verify_token(session, settings, token, "access", now)
    scope = households.open_scope(session, user, household_id)
    scope.require(READ)
    found = ReadScope(user.id, scope.household.id, scope.role, time.monotonic())
    cache.keep_scope(ticket, found, household_id)
    return found
