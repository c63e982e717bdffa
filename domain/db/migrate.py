"""Schema upgrades through Alembic, the only way the schema changes."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from domain.config import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointed at the project's migrations and the given database."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Bring the database to `revision` (the newest by default)."""
    command.upgrade(alembic_config(database_url), revision)
