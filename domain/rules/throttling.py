"""Throttling of password checks: growing waits per account and per client address.

Following OWASP ASVS (V2.2.1): a client address that keeps failing waits longer and
longer before its next guess is checked, and so does an account failing from many
addresses, at a higher allowance. One address cannot lock the owner out elsewhere.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

FORGET_AFTER = timedelta(hours=24)
"""A counter with no failure for this long starts again from zero."""


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures are free, and how the wait grows after them."""

    free_failures: int
    first_wait: timedelta
    longest_wait: timedelta


def current_failures(failures: int, last_failure: datetime | None, now: datetime) -> int:
    """The failures that still count: none once the last one is a day old."""
    if last_failure is None or now - last_failure >= FORGET_AFTER:
        return 0
    return failures


def wait_before_next(
    failures: int, last_failure: datetime | None, now: datetime, policy: ThrottlePolicy
) -> timedelta:
    """How long until another attempt may be checked (zero: now).

    The first failure over the allowance costs `first_wait`, each further one doubles
    it, up to `longest_wait`, counted from the last failure.
    """
    counted = current_failures(failures, last_failure, now)
    if counted < policy.free_failures or last_failure is None:
        return timedelta(0)
    doublings = min(counted - policy.free_failures, 30)
    wait: timedelta = min(policy.longest_wait, policy.first_wait * 2**doublings)
    remaining: timedelta = last_failure + wait - now
    return max(timedelta(0), remaining)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _networks(trusted: Iterable[str]) -> list[Network]:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in trusted if entry.strip()]


def _is_trusted(
    address: str, networks: Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]
) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str | None, forwarded_for: str | None, trusted: Iterable[str]) -> str:
    """The client's address: the socket's, or X-Forwarded-For's when a trusted proxy sent it.

    The header is read from the right, skipping the trusted proxies, so a client cannot
    choose its own address by sending the header itself.
    """
    networks = _networks(trusted)
    address = peer or "unknown"
    if not forwarded_for or not _is_trusted(address, networks):
        return address
    for hop in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
        if not _is_trusted(hop, networks):
            return hop[:64]
    return address
