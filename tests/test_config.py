"""Settings: parsing, and the secret generated once and kept under the data folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.config import Settings, build_settings


def test_cors_origins_accept_json_and_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", '["http://a.example", "http://b.example"]')
    assert Settings(_env_file=None).cors_origins == ["http://a.example", "http://b.example"]
    monkeypatch.setenv("CORS_ORIGINS", "http://a.example, http://b.example")
    assert Settings(_env_file=None).cors_origins == ["http://a.example", "http://b.example"]


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ALGORITHM", "ACCESS_TOKEN_EXPIRE_MINUTES", "TIMEZONE", "DEFAULT_CURRENCY"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert (settings.algorithm, settings.access_token_expire_minutes) == ("HS256", 15)
    assert (settings.refresh_token_expire_days, settings.backup_retention_days) == (7, 30)
    assert (settings.timezone, settings.default_currency) == ("Asia/Jerusalem", "ILS")


def test_missing_secret_is_generated_once_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    first = build_settings().secret()
    second = build_settings().secret()
    assert first == second
    assert len(first.encode()) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_short_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "too-short")
    with pytest.raises(ValueError, match="32 bytes"):
        build_settings()
