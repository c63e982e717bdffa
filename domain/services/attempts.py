"""Counting failed secret checks (passwords, two-factor codes) and refusing them when too many."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import LoginThrottle
from domain.errors import ThrottledError
from domain.rules.throttling import ThrottlePolicy, current_failures, wait_before_next


def _policy(settings: Settings, *, account_wide: bool) -> ThrottlePolicy:
    return ThrottlePolicy(
        free_failures=(
            settings.login_account_max_failures if account_wide else settings.login_max_failures
        ),
        first_wait=timedelta(seconds=settings.login_first_wait_seconds),
        longest_wait=timedelta(minutes=settings.login_window_minutes),
    )


def _lock_scopes(session: Session, keys: Sequence[str]) -> list[LoginThrottle]:
    """The counters of these scopes, created when missing, locked until the unit ends."""
    session.execute(
        insert(LoginThrottle)
        .values([{"scope_key": key} for key in keys])
        .on_conflict_do_nothing(index_elements=[LoginThrottle.scope_key])
    )
    rows = session.scalars(
        select(LoginThrottle)
        .where(LoginThrottle.scope_key.in_(keys))
        .order_by(LoginThrottle.scope_key)  # one order everywhere: no deadlock
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return list(rows)


def claim_attempt(
    session: Session, settings: Settings, scopes: Sequence[tuple[str, bool]], now: datetime
) -> list[LoginThrottle]:
    """Count one secret check against each scope, or refuse it with 429 while any waits.

    The attempt is counted as a failure before the secret is checked, under the
    rows' locks, so concurrent guesses queue and each sees the ones before it; a
    success clears the counters (`clear_attempts`).
    """
    rows = _lock_scopes(session, [key for key, _ in scopes])
    account_wide = dict(scopes)
    waits = [
        wait_before_next(
            row.failures,
            row.last_failure_at,
            now,
            _policy(settings, account_wide=account_wide[row.scope_key]),
        )
        for row in rows
    ]
    longest = max(waits, default=timedelta(0))
    if longest > timedelta(0):
        raise ThrottledError(
            "too many failed attempts; try again later",
            retry_after=max(1, math.ceil(longest.total_seconds())),
        )
    for row in rows:
        row.failures = current_failures(row.failures, row.last_failure_at, now) + 1
        row.last_failure_at = now
    session.flush()
    return rows


def clear_attempts(rows: Sequence[LoginThrottle]) -> None:
    """A right password or code: the counters of its scopes start again."""
    for row in rows:
        row.failures = 0
        row.last_failure_at = None
