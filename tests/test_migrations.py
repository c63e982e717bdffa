"""The migrations and the models describe the same schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

import domain.db.models  # noqa: F401 - registers the tables
from domain.config import PROJECT_ROOT
from domain.db.base import Base
from domain.db.migrate import ALEMBIC_OPTIONS, alembic_config


def test_models_match_migrations(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_alembic_ini_and_the_packaged_config_agree() -> None:
    """`alembic` in a checkout and `cashflow db upgrade` see the same migrations and options."""
    ini = Config(str(PROJECT_ROOT / "alembic.ini"))
    packaged = alembic_config("postgresql+psycopg://unused")
    for key in ("script_location", *ALEMBIC_OPTIONS):
        assert ini.get_main_option(key) == packaged.get_main_option(key), key
    assert Path(str(packaged.get_main_option("script_location"))) == PROJECT_ROOT / "migrations"
