"""The command line and the scheduler's heartbeat pass."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from domain.config import Settings
from domain.db.models import JobRun
from jobs.scheduler import run_once


def test_help_explains_every_subcommand() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "cashflow", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for command in ("run", "api", "ui", "scheduler", "db", "user", "seed"):
        assert f"    {command}" in out


def test_user_create_then_duplicate_is_refused(database_url: str) -> None:
    argv = [sys.executable, "-m", "cashflow", "user", "create", "--username", "CliUser"]
    first = subprocess.run(
        [*argv, "--password", "cli password"], capture_output=True, text=True, check=False
    )
    assert first.returncode == 0, first.stderr
    assert "created user CliUser" in first.stdout
    again = subprocess.run(
        [*argv[:-1], "cliuser", "--password", "cli password"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode != 0
    assert "username is taken" in again.stderr


def test_scheduler_once_records_a_heartbeat(settings: Settings, engine: Engine) -> None:
    factory = sessionmaker(bind=engine)
    with factory() as session:
        before = len(session.scalars(select(JobRun).where(JobRun.job == "heartbeat")).all())
    run_once(settings)
    with factory() as session:
        runs = session.scalars(select(JobRun).where(JobRun.job == "heartbeat")).all()
    assert len(runs) == before + 1
    assert runs[-1].status == "ok"


def test_multi_worker_socket_reports_tcp_so_nodelay_is_kept() -> None:
    import socket

    from uvicorn.config import Config

    from cashflow.serving import _bind_socket_with_tcp_proto

    sock = _bind_socket_with_tcp_proto(Config("api.app:create_app", host="127.0.0.1", port=0))
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
