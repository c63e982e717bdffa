"""Schema upgrades through Alembic, the only way the schema changes."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from domain.resources import package_path

MIGRATIONS_PACKAGE = "migrations"
# The same [alembic] options as alembic.ini, which serves the `alembic` command in a checkout
# (tests/test_migrations.py keeps the two in step); ConfigParser needs %% for a literal %.
ALEMBIC_OPTIONS = {
    "file_template": "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s",
    "path_separator": "os",
}


def alembic_config(database_url: str) -> Config:
    """An Alembic config for the packaged migrations and the given database (no ini file)."""
    config = Config()
    config.set_main_option("script_location", str(package_path(MIGRATIONS_PACKAGE)))
    for key, value in ALEMBIC_OPTIONS.items():
        config.set_main_option(key, value)
    config.attributes["database_url"] = database_url
    return config


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Bring the database to `revision` (the newest by default)."""
    command.upgrade(alembic_config(database_url), revision)
