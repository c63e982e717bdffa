"""The compose file describes the production shape (validated by docker when present)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from domain.config import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"


def test_compose_services_and_ordering() -> None:
    spec = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    services = spec["services"]
    assert services["db"]["image"] == "postgres:16-alpine"
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["migrate"]["command"] == ["cashflow", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("api", "ui", "scheduler"):
        condition = services[name]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully"
    assert services["pgadmin"]["profiles"] == ["admin"]


def test_docker_compose_config_validates() -> None:
    docker = shutil.which("docker")
    if (
        docker is None
        or subprocess.run(
            [docker, "compose", "version"], capture_output=True, check=False
        ).returncode
    ):
        pytest.skip("no docker compose client on this machine")
    result = subprocess.run(
        [docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
        env={"SECRET_KEY": "validation-only-secret-key-of-32-bytes", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
