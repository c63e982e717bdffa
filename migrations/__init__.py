"""Alembic migrations, shipped in the wheel and found by `domain.db.migrate`."""
