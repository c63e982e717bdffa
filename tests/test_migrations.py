"""The migrations and the models describe the same schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

import domain.db.models  # noqa: F401 - registers the tables
from domain.config import PROJECT_ROOT
from domain.db.base import Base
from domain.db.migrate import ALEMBIC_OPTIONS, alembic_config
from migrations.objects import QUEUE_PREFIX, include_object


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": include_object}
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_the_task_queue_tables_exist_and_only_they_are_left_out(engine: Engine) -> None:
    """Procrastinate's tables are there (0014), and the filter skips them and nothing else."""
    with engine.connect() as conn:
        queue = set(
            conn.execute(
                text("SELECT tablename FROM pg_tables WHERE starts_with(tablename, :prefix)"),
                {"prefix": QUEUE_PREFIX},
            ).scalars()
        )
    assert queue == {
        "procrastinate_jobs",
        "procrastinate_events",
        "procrastinate_periodic_defers",
        "procrastinate_workers",
    }
    assert all(not include_object(None, name, "table", True, None) for name in queue)
    assert all(include_object(None, name, "table", True, None) for name in Base.metadata.tables)
    assert not any(name.startswith(QUEUE_PREFIX) for name in Base.metadata.tables)


def test_alembic_ini_and_the_packaged_config_agree() -> None:
    """`alembic` in a checkout and `cashflow db upgrade` see the same migrations and options."""
    ini = Config(str(PROJECT_ROOT / "alembic.ini"))
    packaged = alembic_config("postgresql+psycopg://unused")
    for key in ("script_location", *ALEMBIC_OPTIONS):
        assert ini.get_main_option(key) == packaged.get_main_option(key), key
    assert Path(str(packaged.get_main_option("script_location"))) == PROJECT_ROOT / "migrations"
