"""The artifact that ships: the wheel alone, installed outside the checkout, does the job.

The wheel is built from a copy of the package folders with the hashed build lock, installed
with the hashed runtime lock into a fresh virtual environment (no access to the checkout or
to the development venv), and every command compose and the image run is run from an empty
folder against a throwaway database. uv links the locked wheels from its cache, which
`make install` fills, so this takes seconds rather than a download of the stack.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from alembic.script import ScriptDirectory
from psycopg import sql
from sqlalchemy import make_url

from domain.config import PROJECT_ROOT
from domain.db.engine import libpq_url
from domain.db.migrate import alembic_config
from tests.servers import free_port

BIN = Path(sys.executable).parent
UV = BIN / "uv"
PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES = [p.rstrip("*") for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]]
SECRET = "wheel-test-secret-key-long-enough-for-hs256"
PASSWORD = "correct horse battery"
READY_SECONDS = 90  # a bound on waiting for a server to come up, not a timing target


def _run(argv: list[str | Path], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command; fail the test with its output when it fails."""
    result = subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)
    assert result.returncode == 0, f"{argv}\n{result.stdout}\n{result.stderr}"
    return result


def _source_files(package: str) -> set[str]:
    """The files of one top-level package folder, relative to the checkout."""
    root = PROJECT_ROOT / package
    return {
        path.relative_to(PROJECT_ROOT).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a fresh copy of the package folders (no stale build/)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT_ROOT / name, source / name)
    for package in PACKAGES:
        shutil.copytree(
            PROJECT_ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    dist = tmp_path_factory.mktemp("dist")
    _run([
        UV, "build", "--quiet", "--wheel", "--out-dir", dist, "--require-hashes",
        "--build-constraints", PROJECT_ROOT / "requirements-tools.lock", source,
    ])  # fmt: skip
    (built,) = dist.glob("cashflow-*.whl")
    return built


@dataclass(frozen=True)
class Installed:
    """A virtual environment holding the runtime lock and the wheel, nothing else."""

    root: Path
    home: Path

    @property
    def bin(self) -> Path:
        """Its scripts folder."""
        return self.root / "bin"

    @property
    def site_packages(self) -> Path:
        """Where the wheel was unpacked."""
        return (
            self.root
            / "lib"
            / f"python{sys.version_info[0]}.{sys.version_info[1]}"
            / ("site-packages")
        )

    def env(self, database_url: str, **extra: str) -> dict[str, str]:
        """A bare environment: this venv first on PATH, nothing from the checkout's venv."""
        return {
            "PATH": f"{self.bin}:/usr/bin:/bin",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET,
            "BCRYPT_ROUNDS": "4",
            **extra,
        }


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """A fresh venv outside the checkout with requirements.lock (hashes required) and the wheel."""
    root = tmp_path_factory.mktemp("venv")
    python: list[str | Path] = ["--python", root / "bin" / "python"]
    _run([UV, "venv", "--quiet", "--python", sys.executable, root])
    lock = PROJECT_ROOT / "requirements.lock"
    _run([UV, "pip", "install", "--quiet", *python, "--require-hashes", "-r", lock])
    _run([UV, "pip", "install", "--quiet", *python, "--no-deps", wheel])
    _run([UV, "pip", "check", "--quiet", *python])  # the lock satisfies the wheel's metadata
    return Installed(root=root, home=tmp_path_factory.mktemp("home"))


@contextmanager
def _sibling_database(url: str) -> Iterator[str]:
    """A new, empty database on the same server as `url`, dropped afterwards."""
    base = make_url(url)
    name = f"cashflow_wheel_{uuid.uuid4().hex[:8]}"
    admin = libpq_url(base.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="module")
def fresh_database(database_url: str) -> Iterator[str]:
    """An empty database beside the test run's, for the wheel to migrate."""
    with _sibling_database(database_url) as url:
        yield url


@pytest.fixture(scope="module")
def migrated(
    installed: Installed, fresh_database: str, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The fresh database after the wheel's `cashflow db upgrade`, run from an empty folder."""
    empty = tmp_path_factory.mktemp("empty")
    env = installed.env(fresh_database)
    _run([installed.bin / "cashflow", "db", "upgrade"], cwd=empty, env=env)
    return fresh_database


def _compose() -> dict[str, Any]:
    spec: dict[str, Any] = yaml.safe_load(
        (PROJECT_ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    )
    return spec


def _dockerfile_instructions() -> list[str]:
    """The Dockerfile's instructions of the final stage, continuation lines joined."""
    text = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = re.sub(r"\\\n\s*", " ", text).splitlines()
    instructions = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    last_from = max(i for i, line in enumerate(instructions) if line.startswith("FROM "))
    return instructions[last_from:]


def _exec_form(instruction: str, keyword: str) -> list[str]:
    """The JSON argv after `keyword` in a CMD or HEALTHCHECK instruction."""
    argv: list[str] = json.loads(
        instruction.split(f"{keyword} ", 1)[1].rsplit(" CMD ", maxsplit=1)[-1]
    )
    return argv


def _dockerfile_argv(keyword: str) -> list[str]:
    (line,) = (i for i in _dockerfile_instructions() if i.startswith(f"{keyword} "))
    return _exec_form(line, keyword)


def test_wheel_carries_every_file_of_every_package(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    missing = {p: _source_files(p) - shipped for p in PACKAGES}
    assert {p: files for p, files in missing.items() if files} == {}
    assert "migrations/script.py.mako" in shipped


def test_installed_wheel_migrates_a_fresh_database_and_runs_every_command(
    installed: Installed, migrated: str, tmp_path: Path
) -> None:
    env = installed.env(migrated)
    cashflow = installed.bin / "cashflow"
    where = _run(
        [installed.bin / "python", "-c", "import domain, migrations; print(domain.__file__)"],
        cwd=tmp_path,
        env=env,
    )
    assert Path(where.stdout.strip()).is_relative_to(installed.site_packages)
    assert "db" in _run([cashflow, "--help"], cwd=tmp_path, env=env).stdout
    user = ["user", "create", "--username", "wheel", "--password", PASSWORD]
    assert "created user wheel" in _run([cashflow, *user], cwd=tmp_path, env=env).stdout
    _run([cashflow, "scheduler", "--once"], cwd=tmp_path, env=env)

    heads = ScriptDirectory.from_config(alembic_config(migrated)).get_heads()
    with psycopg.connect(libpq_url(migrated)) as conn:
        versions = [r[0] for r in conn.execute("SELECT version_num FROM alembic_version")]
        users = [r[0] for r in conn.execute("SELECT username FROM users")]
        jobs = [r[0] for r in conn.execute("SELECT job FROM job_runs")]
    assert sorted(versions) == sorted(heads)
    assert users == ["wheel"]
    assert "heartbeat" in jobs
    assert not (installed.site_packages / ".data").exists()  # nothing written beside the code


def test_every_command_compose_and_the_image_run_parses_in_the_wheel(
    installed: Installed, tmp_path: Path
) -> None:
    commands = [s["command"] for s in _compose()["services"].values() if "command" in s]
    commands.append(_dockerfile_argv("CMD"))
    assert commands
    assert all(argv[0] == "cashflow" for argv in commands)
    check = (
        "import json, sys\n"
        "from importlib.metadata import entry_points\n"
        "from cashflow.cli import build_parser\n"
        "(script,) = entry_points(group='console_scripts', name='cashflow')\n"
        "assert script.value == 'cashflow.cli:main', script.value\n"
        "for argv in json.loads(sys.argv[1]):\n"
        "    build_parser().parse_args(argv[1:])\n"
    )
    _run(
        [installed.bin / "python", "-c", check, json.dumps(commands)],
        cwd=tmp_path,
        env=installed.env("postgresql+psycopg://unused"),
    )


@contextmanager
def _serving(
    argv: list[str | Path], cwd: Path, env: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a server in its own process group; stop the whole group afterwards."""
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        yield proc
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _healthy(
    check: list[str], proc: subprocess.Popen[bytes], cwd: Path, env: dict[str, str]
) -> bool:
    """Run the health check until it passes, the server dies or the bound runs out."""
    deadline = time.monotonic() + READY_SECONDS
    while proc.poll() is None and time.monotonic() < deadline:
        result = subprocess.run(check, cwd=cwd, env=env, capture_output=True, check=False)
        if result.returncode == 0:
            return True
        time.sleep(0.5)
    return False


@pytest.mark.parametrize("service", ["api", "ui"])
def test_compose_health_checks_pass_against_the_wheel(
    installed: Installed, migrated: str, tmp_path: Path, service: str
) -> None:
    spec = _compose()["services"][service]
    check = spec["healthcheck"]["test"]
    assert check[0] == "CMD"
    port = free_port()
    env = installed.env(migrated, API_HOST="127.0.0.1", API_PORT=str(port), UI_PORT=str(port))
    argv = [installed.bin / a if i == 0 else a for i, a in enumerate(spec["command"])]
    if service == "api":  # as compose runs it, on loopback and with two workers, not four
        argv = [*argv[:2], "--host", "127.0.0.1", "--workers", "2"]
    with _serving(argv, tmp_path, env) as proc:
        assert _healthy(check[1:], proc, tmp_path, env), f"{service} never answered {check}"


def test_image_health_check_is_the_api_check_compose_shows() -> None:
    instructions = _dockerfile_instructions()
    (healthcheck,) = (i for i in instructions if i.startswith("HEALTHCHECK "))
    assert (
        _exec_form(healthcheck, "HEALTHCHECK")
        == _compose()["services"]["api"]["healthcheck"]["test"][1:]
    )
    assert any(re.fullmatch(r"USER \d+(:\d+)?", i) for i in instructions)  # non-root, numeric
    assert not any(
        i.startswith("USER ") and i.split()[1].split(":")[0] == "0" for i in instructions
    )


def test_image_installs_only_hashed_locks_and_the_built_wheel() -> None:
    text = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    installs = re.findall(r"(?:pip|uv pip) install[^&\n]*", text)
    assert installs
    for command in installs:
        assert "--require-hashes" in command or "/dist/" in command, command
    assert "--build-constraints requirements-tools.lock" in text


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [BIN / "hadolint", PROJECT_ROOT / "Dockerfile"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _pins(lock: str) -> dict[str, str]:
    """Map each name to 'name==version' for every pin of a lock, each checked to carry a hash."""
    text = (PROJECT_ROOT / lock).read_text(encoding="utf-8")
    pins: dict[str, str] = {}
    for entry in re.split(r"\n(?=\S)", text):
        if entry.startswith("#") or not entry.strip():
            continue
        assert "--hash=sha256:" in entry, f"{lock}: no hash for {entry.splitlines()[0]}"
        pin = entry.split()[0]
        pins[_normal(pin.split("==")[0])] = pin
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize(
    "lock", ["requirements.lock", "requirements-dev.lock", "requirements-tools.lock"]
)
def test_every_pin_of_every_lock_carries_a_hash(lock: str) -> None:
    assert all("==" in pin for pin in _pins(lock).values())


def test_runtime_and_development_locks_agree() -> None:
    runtime, dev = _pins("requirements.lock"), _pins("requirements-dev.lock")
    assert {name: dev.get(name) for name in runtime} == runtime


def _declared(*groups: list[str]) -> set[str]:
    return {_normal(re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0]) for g in groups for req in g}


def _imported_distributions(folders: list[str]) -> dict[str, set[str]]:
    """Distribution -> the files importing it, for every third-party import in `folders`."""
    own = {*PACKAGES, "tests", "benchmarks"}
    providers = packages_distributions()
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                else:
                    continue
                for top in {name.split(".")[0] for name in names}:
                    if top in sys.stdlib_module_names or top in own:
                        continue
                    for dist in providers.get(top, [f"<no distribution for {top}>"]):
                        found.setdefault(_normal(dist), set()).add(path.name)
    return found


def test_every_import_is_declared() -> None:
    project = PYPROJECT["project"]
    runtime = _declared(project["dependencies"])
    dev = runtime | _declared(project["optional-dependencies"]["dev"])
    code = _imported_distributions(PACKAGES)
    checks = _imported_distributions(["tests", "benchmarks"])
    assert {d: f for d, f in code.items() if d not in runtime} == {}
    assert {d: f for d, f in checks.items() if d not in dev} == {}
