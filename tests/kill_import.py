"""Run by test_import_api: start an import commit, then hang mid-commit until killed.

Usage: python -m tests.kill_import DATABASE_URL HOUSEHOLD_ID FILE
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from domain.db.engine import unit_of_work
from domain.db.models import Household
from domain.services.imports import CHUNK_ROWS, Upload, commit_import

APPLICATION_NAME = "cashflow-kill-import"


def main(argv: list[str]) -> None:
    """Import the file into the household; after the first chunk is written, wait to be killed."""
    url, household_id, path = argv
    engine = create_engine(url, connect_args={"application_name": APPLICATION_NAME})
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    def progress(done: int, total: int) -> None:
        if done >= CHUNK_ROWS:
            sys.stdout.write(f"written {done} of {total}\n")
            sys.stdout.flush()
            time.sleep(600)

    with unit_of_work(factory) as session:
        household = session.get(Household, int(household_id))
        assert household is not None
        today = datetime.now(UTC).date()
        commit_import(
            session, household, Upload(Path(path).read_bytes(), "big.csv"), today, progress=progress
        )


if __name__ == "__main__":
    main(sys.argv[1:])
