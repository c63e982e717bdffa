"""The health probe, with the database up and down."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from domain.config import Settings


def test_health_reports_database_ok(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["version"], body["database"]) == ("healthy", "0.1.0", "ok")
    assert response.headers["X-Request-ID"]


def test_health_is_503_when_database_unreachable(settings: Settings) -> None:
    down = settings.model_copy(
        update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"}
    )
    app = create_app(down)
    with TestClient(app) as client:
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_unexpected_error_is_500_with_request_id_and_no_trace(settings: Settings) -> None:
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["request_id"]
    assert "secret internals" not in response.text
    app.state.engine.dispose()
