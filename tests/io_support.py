"""Helpers of the import and export tests: the app with their routes, files to upload."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.app import API_PREFIX, create_app
from api.routes import import_export
from domain.config import Settings
from domain.db.models import Household, ImportBatch, ImportKey, ImportProfile, Transaction

IMPORT_URL = f"{API_PREFIX}/import/transactions"


def with_io_routes(app: FastAPI) -> FastAPI:
    """The app with the import and export routes (until the app registers them itself)."""
    paths = {getattr(route, "path", "") for route in app.routes}
    if IMPORT_URL not in paths:
        app.include_router(import_export.router, prefix=API_PREFIX)
    return app


def io_client(settings: Settings, factory: sessionmaker[Session]) -> Iterator[TestClient]:
    """A TestClient whose units of work run inside the test's transaction."""
    app = with_io_routes(create_app(settings))
    app.state.session_factory = app.state.read_session_factory = factory
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def csv_file(rows: Sequence[Sequence[object]], *, encoding: str = "utf-8", sep: str = ",") -> bytes:
    """Rows as CSV bytes in an encoding."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows: Sequence[Sequence[Any]], *, formulas: dict[str, str] | None = None) -> bytes:
    """Rows as an .xlsx workbook; `formulas` puts formula cells at coordinates."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    for coordinate, formula in (formulas or {}).items():
        sheet[coordinate] = formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def post_file(
    client: TestClient,
    headers: dict[str, str],
    data: bytes,
    *,
    name: str = "bank.csv",
    **form: Any,
) -> Any:
    """POST a file to the import route with form fields."""
    fields = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in form.items()}
    return client.post(IMPORT_URL, headers=headers, files={"file": (name, data)}, data=fields)


def counts(session: Session, household: Household) -> dict[str, int]:
    """How many rows of each import-related table the household has."""
    session.expire_all()
    return {
        model.__tablename__: int(
            session.scalar(select(func.count()).where(model.household_id == household.id)) or 0
        )
        for model in (Transaction, ImportKey, ImportBatch, ImportProfile)
    }
