"""The compose file describes the production shape (validated by docker when present)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from typing import Any

import pytest
import yaml

from domain.config import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
# A tag that names a version ("16.14-alpine", "9.18", "0.1.0"), never a moving one.
VERSION_TAG = re.compile(r":\d+\.\d+[\w.-]*$")


def _services() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    services: dict[str, Any] = spec["services"]
    return services


def test_compose_services_and_ordering() -> None:
    services = _services()
    assert services["db"]["image"].startswith("postgres:16.")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert services["migrate"]["command"] == ["cashflow", "db", "upgrade"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("api", "ui", "scheduler", "worker"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["db"]["condition"] == "service_healthy"
    assert services["pgadmin"]["profiles"] == ["admin"]
    assert services["pgadmin"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_every_image_is_pinned_by_version() -> None:
    images = {name: service["image"] for name, service in _services().items()}
    assert set(images) == {"db", "migrate", "api", "ui", "scheduler", "worker", "pgadmin"}
    unpinned = {name: image for name, image in images.items() if not VERSION_TAG.search(image)}
    assert unpinned == {}
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert images["api"] == f"cashflow:{project['project']['version']}"  # the image it builds


def test_served_services_are_health_checked_and_one_shots_are_not() -> None:
    services = _services()
    for name, path in (("api", "/health"), ("ui", "/_stcore/health")):
        check = services[name]["healthcheck"]["test"]
        assert check[0] == "CMD"
        assert path in check[-1]
    # The image's HEALTHCHECK asks the API: it must not mark the other commands unhealthy.
    for name in ("migrate", "scheduler", "worker"):
        assert services[name]["healthcheck"] == {"disable": True}


def test_the_worker_service_scales() -> None:
    """`--scale worker=3`: nothing in it may be one of a kind (a name or a published port)."""
    worker = _services()["worker"]
    assert worker["command"] == ["cashflow", "worker"]
    assert "container_name" not in worker
    assert "ports" not in worker


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
