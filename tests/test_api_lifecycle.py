"""What operators and client generators see of the API: shutdown and operation ids."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine, QueuePool

from api.app import create_app
from domain.config import Settings


def _idle_connections(engine: Engine) -> int:
    pool = engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedin()


def test_shutdown_closes_the_pooled_connections(settings: Settings) -> None:
    app = create_app(settings)
    engine: Engine = app.state.engine
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        assert _idle_connections(engine) >= 1  # the probe's connection waits in the pool
    assert _idle_connections(engine) == 0


def test_operation_ids_are_unique_and_read_tag_then_function(settings: Settings) -> None:
    paths = create_app(settings).openapi()["paths"]
    operations = [op for item in paths.values() for op in item.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids))
    for op in operations:
        assert re.fullmatch(rf"{op['tags'][0]}-[a-z_]+", op["operationId"]), op["operationId"]
    assert paths["/api/v1/transactions"]["get"]["operationId"] == "transactions-list_transactions"
    assert paths["/health"]["get"]["operationId"] == "health-health"
