"""Backup rules: what retention may delete, and when backups are stale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

STALE_AFTER = timedelta(hours=36)


@dataclass(frozen=True)
class BackupFile:
    """A backup on disk: its file name, when it was taken, whether it was verified."""

    name: str
    created_at: datetime
    verified: bool


def prunable(backups: list[BackupFile], now: datetime, retention_days: int) -> list[BackupFile]:
    """Backups older than the retention period, never the newest verified one."""
    cutoff = now - timedelta(days=retention_days)
    verified = [b for b in backups if b.verified]
    keep = max(verified, key=lambda b: b.created_at) if verified else None
    return [b for b in backups if b.created_at < cutoff and b != keep]


def is_stale(last_verified: datetime | None, now: datetime) -> bool:
    """True when no verified backup was taken within 36 hours."""
    return last_verified is None or now - last_verified > STALE_AFTER
