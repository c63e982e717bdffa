"""Which database a command uses: DATABASE_URL, or the embedded server under `.data/`."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from cashflow.embedded import embedded_database
from domain.config import Settings

DEMO_PASSWORD_FILE = "demo_password"  # noqa: S105 - a file name


@contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """Yield the URL to use; start the embedded server for the block when none is configured."""
    if settings.database_url:
        yield settings.database_url
        return
    with embedded_database(settings.data_dir / "pg") as url:
        os.environ["DATABASE_URL"] = url
        settings.database_url = url
        try:
            yield url
        finally:
            os.environ.pop("DATABASE_URL", None)
            settings.database_url = None


def demo_password(settings: Settings) -> str:
    """ADMIN_DEFAULT_PASSWORD, or a password generated once and kept under `.data/`."""
    if settings.admin_default_password is not None:
        return settings.admin_default_password.get_secret_value()
    path = settings.data_dir / DEMO_PASSWORD_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(password, encoding="utf-8")
    path.chmod(0o600)
    return password
