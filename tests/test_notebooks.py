"""Every notebook runs top to bottom against the demo household, in a real kernel."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from domain.config import PROJECT_ROOT, Settings
from domain.db.models import User
from domain.rules.dates import local_today
from domain.services.demo import ensure_demo_user, seed_demo_history, seed_demo_sources
from tests.conftest import forget_people, home_of

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))
PLOTLY = "application/vnd.plotly.v1+json"


@pytest.fixture(scope="module")
def demo_household(engine: Engine, settings: Settings) -> Iterator[User]:
    """The demo user, its household's history and recurring items committed for the kernel."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    with factory() as session, session.begin():
        user, created = ensure_demo_user(session, settings, "demo-password-for-tests")
        home = home_of(session, user)
        today = local_today(datetime.now(UTC), home.timezone)
        seed_demo_history(session, home, today)
        seed_demo_sources(session, home, today)
    yield user
    if created:
        forget_people(engine, [user.id])


def test_there_are_notebooks() -> None:
    assert {path.stem for path in NOTEBOOKS} >= {"spending_analysis", "forecast_explorer"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_a_notebook_runs_top_to_bottom(
    path: Path, demo_household: User, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # The kernel inherits the environment: DATABASE_URL (the test database) and the user.
    monkeypatch.setenv("CASHFLOW_USER", demo_household.username)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # Jupyter's connection files
    notebook = nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call]
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    client = NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(PROJECT_ROOT)}},
    )
    client.execute()
    outputs = [out for cell in notebook.cells for out in cell.get("outputs", [])]
    assert not [out for out in outputs if out.get("output_type") == "error"]
    charts = [out for out in outputs if PLOTLY in out.get("data", {})]
    assert len(charts) >= 2
