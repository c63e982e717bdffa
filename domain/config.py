"""Infrastructure settings, read from the environment and `.env` by one cached factory."""

from __future__ import annotations

import ipaddress
import json
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The checkout's root; in an installed wheel it is site-packages, so data files are found
# through domain.resources.package_path instead.
PROJECT_ROOT = Path(__file__).resolve().parents[1]
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name
MIN_SECRET_BYTES = 32


def default_data_dir() -> Path:
    """`.data` in the checkout when run from one, else in the working directory.

    An installed package never writes beside its own code in site-packages.
    """
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / ".data"
    return Path.cwd() / ".data"


class Settings(BaseSettings):
    """Everything a Cashflow process needs to know about its surroundings."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = None
    secret_key: SecretStr | None = None
    algorithm: str = "HS256"
    access_token_expire_minutes: int = Field(default=15, ge=1)
    refresh_token_expire_days: int = Field(default=7, ge=1)
    cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:8501"]
    admin_default_password: SecretStr | None = None
    debug: bool = False
    data_dir: Path = Field(default_factory=default_data_dir)
    backup_dir: Path = Field(default_factory=lambda: default_data_dir() / "backups")
    backup_retention_days: int = Field(default=30, ge=1)
    # How long the audit log keeps who changed what; the nightly prune deletes older entries.
    audit_retention_days: int = Field(default=730, ge=1, le=36500)
    timezone: str = "Asia/Jerusalem"
    default_currency: str = Field(default="ILS", min_length=3, max_length=3)
    # The language of new users (their own setting decides after that).
    default_language: Literal["en", "he"] = "he"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    ui_port: int = 8501
    bcrypt_rounds: int = Field(default=12, ge=4, le=16)
    # Password checks (ASVS V2.2.1): per account and client address, 5 failures are free,
    # then each further guess waits 1, 2, 4, ... minutes up to 15; per account from every
    # address, 50 are free. Counters forget after a day without failures.
    login_max_failures: int = Field(default=5, ge=1)
    login_account_max_failures: int = Field(default=50, ge=1)
    login_first_wait_seconds: int = Field(default=60, ge=1)
    login_window_minutes: int = Field(default=15, ge=1)
    # Proxies whose X-Forwarded-For names the client (addresses or networks); none by default.
    trusted_proxies: Annotated[list[str], NoDecode] = []
    # Who may sign up: anyone, holders of an admin's invite code, or nobody. Unset: `open`
    # on the embedded database, `invite` when DATABASE_URL names a server (build_settings).
    registration: Literal["open", "invite", "closed"] | None = None
    # How long a UI login lasts without logging in again.
    ui_session_days: float = Field(default=7.0, gt=0, le=366)

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        """Accept a JSON array or a comma-separated list."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        """Each entry an IP address or network, so a typo fails at start, not per request."""
        for entry in value:
            ipaddress.ip_network(entry, strict=False)
        return value

    def secret(self) -> str:
        """Return the signing secret; `get_settings` guarantees it is set."""
        if self.secret_key is None:
            raise RuntimeError("SECRET_KEY is not set; build settings with get_settings()")
        return self.secret_key.get_secret_value()

    def registration_mode(self) -> Literal["open", "invite", "closed"]:
        """REGISTRATION, or its default: `invite` with DATABASE_URL, `open` on the embedded one."""
        return self.registration or ("invite" if self.database_url else "open")


def _stored_secret(data_dir: Path) -> str:
    """Read the generated secret kept under the data folder, creating it once."""
    path = data_dir / SECRET_KEY_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(key, encoding="utf-8")
    tmp.chmod(0o600)
    tmp.replace(path)
    return key


def build_settings() -> Settings:
    """Build settings from the environment, filling a missing SECRET_KEY from `.data/`."""
    settings = Settings()
    if settings.secret_key is None:
        settings.secret_key = SecretStr(_stored_secret(settings.data_dir))
    # Decided now: the embedded server's URL is filled in later, and must not make it `invite`.
    settings.registration = settings.registration_mode()
    if len(settings.secret().encode()) < MIN_SECRET_BYTES:
        raise ValueError(f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")
    return settings


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, built on first use."""
    return build_settings()
