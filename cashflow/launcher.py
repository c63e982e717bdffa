"""`cashflow run`: the database, migrations, the demo user, the three processes and a worker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from types import FrameType

from cashflow.database import database_url, demo_password
from domain.config import PROJECT_ROOT, Settings
from domain.db.engine import create_db_engine, make_session_factory, unit_of_work
from domain.db.migrate import upgrade_database
from domain.rules.dates import local_today
from domain.services.demo import ensure_demo_user, seed_demo_history, seed_demo_sources
from domain.services.households import open_scope

STOP_GRACE_SECONDS = 10


def ui_command(settings: Settings, *, port: int | None = None) -> list[str]:
    """The argv that serves the Streamlit UI."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_ROOT / "streamlit_app" / "app.py"),
        "--server.headless=true",
        f"--server.port={port or settings.ui_port}",
        f"--server.address={settings.api_host}",
        "--browser.gatherUsageStats=false",
        "--client.toolbarMode=minimal",
    ]


def seed_demo(settings: Settings, url: str) -> tuple[str, str]:
    """Create the demo user when missing; return its credentials."""
    password = demo_password(settings)
    engine = create_db_engine(url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            user, _created = ensure_demo_user(session, settings, password)
            home = open_scope(session, user).household
            today = local_today(datetime.now(UTC), home.timezone)
            seed_demo_history(session, home, today)
            seed_demo_sources(session, home, today)
            username = user.username
    finally:
        engine.dispose()
    return username, password


class _Stop(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Raised by the signal handler to leave the wait loop."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    _ignore_signals()  # one stop is enough: a second signal must not interrupt the clean-up
    raise _Stop


def _ignore_signals() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, env=env, start_new_session=True)  # noqa: S603 - our own argv


def _stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every process group, wait, then SIGKILL what is left."""
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_all(settings: Settings) -> int:
    """Start everything, print where it is, and stop everything on Ctrl-C or SIGTERM."""
    signal.signal(signal.SIGTERM, _raise_stop)
    procs: list[subprocess.Popen[bytes]] = []
    code = 0
    try:
        with database_url(settings) as url:
            upgrade_database(url)
            username, password = seed_demo(settings, url)
            env = {**os.environ, "DATABASE_URL": url}
            me = [sys.executable, "-m", "cashflow"]
            procs = [
                _start([*me, "api"], env),
                _start(ui_command(settings), env),
                _start([*me, "scheduler"], env),
                _start([*me, "worker"], env),  # runs the nightly pass's chunks
            ]
            host = settings.api_host
            print(  # noqa: T201 - the launcher's whole point is to say where things are
                f"\nCashflow is running:\n"
                f"  UI         http://{host}:{settings.ui_port}\n"
                f"  API        http://{host}:{settings.api_port}/api/v1  "
                f"(docs http://{host}:{settings.api_port}/docs)\n"
                f"  Scheduler  running (books due payments now, then hourly; backups at 02:00)\n"
                f"  Worker     running (the nightly pass's chunks; more: `cashflow worker`)\n"
                f"  Log in as  {username} / {password}\n"
                f"Press Ctrl-C to stop.\n",
                flush=True,
            )
            try:
                while all(proc.poll() is None for proc in procs):
                    time.sleep(0.5)
                code = 1  # a process died on its own
            except (KeyboardInterrupt, _Stop):
                code = 0
            finally:
                _ignore_signals()
                _stop_all(procs)
    except (KeyboardInterrupt, _Stop):
        _stop_all(procs)
    return code
