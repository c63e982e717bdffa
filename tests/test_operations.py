"""Operations: backups that restore, retention, version checks, logs, several workers."""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, make_url, select
from sqlalchemy.orm import sessionmaker

from api.app import create_app
from domain.config import Settings
from domain.db.backups import (
    BackupError,
    _candidates,
    backup_database,
    restore_backup,
    server_major,
    tool_major,
    verify_backup,
)
from domain.db.engine import create_db_engine
from domain.db.models import Category, Household, Transaction, User
from domain.logs import JsonFormatter
from domain.rules.backups import BackupFile, is_stale, prunable
from tests.builders import make_transaction
from tests.conftest import PASSWORD, forget_people, home_of, make_user
from tests.servers import api_process

NOW = datetime(2027, 6, 1, 2, 0, tzinfo=UTC)


def _counts_and_sums(engine: Engine) -> list[tuple[object, ...]]:
    with sessionmaker(bind=engine)() as session:
        owner = Transaction.household_id == Household.id
        rows = session.execute(
            select(
                Household.id,
                Household.name,
                select(func.count()).where(owner).scalar_subquery(),
                select(func.coalesce(func.sum(Transaction.amount), 0))
                .where(owner)
                .scalar_subquery(),
                select(func.count()).where(Category.household_id == Household.id).scalar_subquery(),
            ).order_by(Household.id)
        ).all()
    return [tuple(r) for r in rows]


@pytest.fixture
def committed_ledger(engine: Engine, settings: Settings) -> Iterator[User]:
    """A user whose household has a few committed transactions."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session, session.begin():
        user = make_user(session, settings)
        home = home_of(session, user)
        for amount in ("10.10", "20.20", "30.30"):
            make_transaction(session, home, amount=amount)
    yield user
    forget_people(engine, [user.id])


def test_backup_and_restore_round_trip(
    database_url: str, engine: Engine, committed_ledger: User, tmp_path: Path
) -> None:
    manifest = backup_database(database_url, tmp_path, NOW)
    dump = tmp_path / manifest.file
    assert dump.exists()
    assert (tmp_path / dump.name).with_suffix(".json").exists()
    assert not list(tmp_path.glob("*.partial"))
    target = make_url(database_url).set(database=f"restored_{uuid.uuid4().hex[:8]}")
    restore_backup(dump, target.render_as_string(hide_password=False))
    restored = create_db_engine(target.render_as_string(hide_password=False))
    try:
        assert _counts_and_sums(restored) == _counts_and_sums(engine)
    finally:
        restored.dispose()
        _drop(database_url, target.database or "")
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(dump, database_url)


def _drop(database_url: str, name: str) -> None:
    import psycopg

    admin = make_url(database_url).set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_corrupted_backup_is_refused(database_url: str, tmp_path: Path) -> None:
    manifest = backup_database(database_url, tmp_path, NOW)
    dump = tmp_path / manifest.file
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="corrupted"):
        verify_backup(dump)
    target = make_url(database_url).set(database=f"never_{uuid.uuid4().hex[:8]}")
    with pytest.raises(BackupError, match="corrupted"):
        restore_backup(dump, target.render_as_string(hide_password=False))


def test_a_pg_dump_of_another_major_version_is_refused(database_url: str, tmp_path: Path) -> None:
    major = server_major(database_url)
    other = next((p for p in _candidates("pg_dump", major) if tool_major(p) != major), None)
    if other is None:
        pytest.skip("no pg_dump of another major version on this machine")
    with pytest.raises(BackupError, match=f"does not match the server's PostgreSQL {major}"):
        backup_database(database_url, tmp_path, NOW, pg_dump=other)
    assert list(tmp_path.iterdir()) == []


def test_retention_keeps_the_newest_verified_backup() -> None:
    old = NOW - timedelta(days=40)
    backups = [
        BackupFile("a", old - timedelta(days=2), verified=True),
        BackupFile("b", old, verified=True),  # the newest verified one, though too old
        BackupFile("c", old + timedelta(days=1), verified=False),
        BackupFile("d", NOW - timedelta(days=3), verified=False),
    ]
    assert [b.name for b in prunable(backups, NOW, 30)] == ["a", "c"]
    assert is_stale(None, NOW)
    assert is_stale(NOW - timedelta(hours=37), NOW)
    assert not is_stale(NOW - timedelta(hours=35), NOW)


def test_health_warns_without_a_recent_verified_backup(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "healthy"
    assert body["backup"] == "stale"
    assert body["warnings"] == ["no verified backup within 36 hours"]


def test_log_lines_are_json_and_hold_no_secrets(
    settings: Settings, session_factory: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app = create_app(settings)
    app.state.session_factory = app.state.read_session_factory = session_factory
    with TestClient(app) as client:
        name = f"log{uuid.uuid4().hex[:8]}"
        client.post("/api/v1/auth/register", json={"username": name, "password": PASSWORD})
        tokens = client.post(
            "/api/v1/auth/login", json={"username": name, "password": PASSWORD}
        ).json()
        client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    app.state.engine.dispose()
    records = [JsonFormatter().format(record) for record in caplog.records]
    parsed = [json.loads(line) for line in records]
    requests = [p for p in parsed if p["logger"] == "cashflow.requests"]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [
        ("POST", "/api/v1/auth/register", 201),
        ("POST", "/api/v1/auth/login", 200),
        ("GET", "/api/v1/auth/me", 200),
    ]
    assert all(r["request_id"] and r["duration_ms"] >= 0 for r in requests)
    assert requests[-1]["user_id"] is not None
    text = "\n".join(records)
    assert PASSWORD not in text
    assert tokens["access_token"] not in text
    assert tokens["refresh_token"] not in text


@pytest.fixture(scope="module")
def two_workers(database_url: str) -> Iterator[str]:
    """`cashflow api --workers 2` against the test database."""
    with api_process(database_url, workers=2) as base:
        time.sleep(1.0)  # let both workers start accepting
        yield base


def _fresh(base: str) -> httpx.Client:
    """A client that opens a new connection per request, so both workers answer."""
    return httpx.Client(base_url=base, limits=httpx.Limits(max_keepalive_connections=0))


def test_logout_through_one_worker_holds_on_the_other(two_workers: str) -> None:
    name = f"w{uuid.uuid4().hex[:8]}"
    with _fresh(two_workers) as http:
        http.post("/api/v1/auth/register", json={"username": name, "password": PASSWORD})
        token = http.post(
            "/api/v1/auth/login", json={"username": name, "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        assert http.get("/api/v1/auth/me", headers=headers).status_code == 200
        assert http.post("/api/v1/auth/logout", headers=headers).status_code == 200
        codes = {http.get("/api/v1/auth/me", headers=headers).status_code for _ in range(20)}
    assert codes == {401}


def test_login_throttling_counts_across_both_workers(two_workers: str) -> None:
    name = f"t{uuid.uuid4().hex[:8]}"
    with _fresh(two_workers) as http:
        http.post("/api/v1/auth/register", json={"username": name, "password": PASSWORD})
        bad = {"username": name, "password": "wrong-password"}
        first = [http.post("/api/v1/auth/login", json=bad).status_code for _ in range(5)]
        after = {
            http.post(
                "/api/v1/auth/login", json={"username": name, "password": PASSWORD}
            ).status_code
            for _ in range(10)
        }
    assert first == [401] * 5
    assert after == {429}


def test_scheduler_backup_and_prune_passes_record_their_work(
    settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    from domain.db.models import JobRun
    from jobs.passes import backup_pass, prune_pass

    local = settings.model_copy(update={"backup_dir": tmp_path, "backup_retention_days": 1})
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    backup_pass(factory, local)
    dumps = list(tmp_path.glob("*.dump"))
    assert len(dumps) == 1
    old = tmp_path / "cashflow-20000101T000000Z.dump"
    old.write_bytes(b"not a dump")  # no manifest: unverified, and old
    os.utime(old, (0, 0))
    assert prune_pass(factory, local) == [old.name]
    assert [p.name for p in tmp_path.glob("*.dump")] == [dumps[0].name]
    with factory() as session:
        last = session.scalars(
            select(JobRun).where(JobRun.job == "backup").order_by(JobRun.id.desc()).limit(1)
        ).one()
    assert last.status == "ok"
    assert last.details["file"] == dumps[0].name


def test_admins_get_an_alert_when_backups_are_stale() -> None:
    from domain.rules.alert_rules import backup_conditions

    (condition,) = backup_conditions(NOW - timedelta(hours=40), NOW)
    assert (condition.key, condition.severity) == ("backup_stale", "critical")
    assert backup_conditions(NOW - timedelta(hours=2), NOW) == []
