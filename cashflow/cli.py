"""The `cashflow` command and its subcommands."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from domain.config import Settings, get_settings
from domain.errors import DomainError, InvalidInputError
from domain.logs import configure_logging

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger("cashflow")


def _cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from cashflow.launcher import run_all  # noqa: PLC0415 - each command imports what it needs

    return run_all(settings)


def _cmd_api(args: argparse.Namespace, settings: Settings) -> int:
    from cashflow.database import database_url  # noqa: PLC0415
    from cashflow.serving import run_uvicorn  # noqa: PLC0415

    with database_url(settings):
        run_uvicorn(
            "api.app:create_app",
            factory=True,
            host=args.host or settings.api_host,
            port=args.port or settings.api_port,
            workers=args.workers,
        )
    return 0


def _cmd_ui(args: argparse.Namespace, settings: Settings) -> int:
    import subprocess  # noqa: PLC0415

    from cashflow.database import database_url  # noqa: PLC0415
    from cashflow.launcher import ui_command  # noqa: PLC0415

    with database_url(settings):
        return subprocess.call(ui_command(settings, port=args.port))  # noqa: S603 - our own argv


def _cmd_scheduler(args: argparse.Namespace, settings: Settings) -> int:
    from cashflow.database import database_url  # noqa: PLC0415
    from jobs.scheduler import run_once, run_scheduler  # noqa: PLC0415

    with database_url(settings):
        if args.preview:
            _print_preview(settings, args.date)
        elif args.once:
            failed = run_once(settings, as_of=args.date)
            for line in failed:
                print(f"failed: {line}", file=sys.stderr)  # noqa: T201 - CLI output
            return 1 if failed else 0
        else:
            run_scheduler(settings, inline=args.inline)
    return 0


def _cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from cashflow.database import database_url  # noqa: PLC0415
    from jobs.queue import run_worker  # noqa: PLC0415

    with database_url(settings) as url:
        run_worker(
            url,
            heartbeat=args.heartbeat,
            stalled_after=args.stalled_after,
            check_every=args.check_every,
            name=args.name,
        )
    return 0


def _print_preview(settings: Settings, as_of: date | None) -> None:
    """Print what a pass up to `as_of` (default: each household's today) would book."""
    from datetime import UTC, datetime  # noqa: PLC0415

    from domain.db.engine import create_db_engine, make_session_factory, unit_of_work  # noqa: PLC0415
    from domain.rules.dates import local_today  # noqa: PLC0415
    from domain.services.booking import preview_booking  # noqa: PLC0415
    from domain.services.households import list_households  # noqa: PLC0415

    engine = create_db_engine(str(settings.database_url))
    with unit_of_work(make_session_factory(engine)) as session:
        for home in list_households(session):
            through = as_of or local_today(datetime.now(UTC), home.timezone)
            for o in preview_booking(session, home, through):
                print(  # noqa: T201 - CLI output
                    f"{home.name}\t{o.due_date}\t{o.kind}\t{o.type}\t{o.amount}\t{o.description}"
                )
        session.rollback()
    engine.dispose()


def _cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from cashflow.database import database_url  # noqa: PLC0415
    from domain.db.migrate import upgrade_database  # noqa: PLC0415

    with database_url(settings) as url:
        upgrade_database(url, args.revision)
    print(f"database upgraded to {args.revision}")  # noqa: T201 - CLI output
    return 0


def _in_unit_of_work(settings: Settings, work: Callable[[Session], None]) -> None:
    """Run `work` in one unit of work on the configured (or embedded) database."""
    from cashflow.database import database_url  # noqa: PLC0415
    from domain.db.engine import create_db_engine, make_session_factory, unit_of_work  # noqa: PLC0415

    with database_url(settings) as url:
        engine = create_db_engine(url)
        try:
            with unit_of_work(make_session_factory(engine)) as session:
                work(session)
        finally:
            engine.dispose()


def _cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    from domain.services.users import create_user  # noqa: PLC0415

    password = args.password or getpass.getpass("Password (8 to 72 bytes): ")

    def create(session: Session) -> None:
        user = create_user(
            session, settings, username=args.username, password=password, is_admin=args.admin
        )
        print(f"created user {user.username} (id {user.id})")  # noqa: T201 - CLI output

    _in_unit_of_work(settings, create)
    return 0


def _cmd_reset_password(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime  # noqa: PLC0415

    from domain.services.auth import reset_password  # noqa: PLC0415

    password = args.password or getpass.getpass(f"New password for {args.name} (8 to 72 bytes): ")

    def reset(session: Session) -> None:
        user = reset_password(session, settings, args.name, password, datetime.now(UTC))
        print(  # noqa: T201 - CLI output
            f"password of {user.username} changed; their logins (API and UI) have ended"
        )

    _in_unit_of_work(settings, reset)
    return 0


def _cmd_invite(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime  # noqa: PLC0415

    from domain.services.signup import create_signup_code  # noqa: PLC0415

    def invite(session: Session) -> None:
        issued = create_signup_code(session, datetime.now(UTC), by=None, days=args.days)
        print(issued.code)  # noqa: T201 - CLI output: the code alone, for scripts
        until = issued.expires_at.strftime("%Y-%m-%d %H:%M UTC")
        print(f"single-use sign-up code, valid until {until}", file=sys.stderr)  # noqa: T201
        if settings.registration_mode() != "invite":
            print(  # noqa: T201 - CLI output
                f"note: REGISTRATION is {settings.registration_mode()}; codes are asked "
                "for only when it is invite",
                file=sys.stderr,
            )

    _in_unit_of_work(settings, invite)
    return 0


def _cmd_seed(args: argparse.Namespace, settings: Settings) -> int:
    from cashflow.database import database_url  # noqa: PLC0415
    from cashflow.launcher import seed_demo  # noqa: PLC0415

    if not args.demo:
        print("nothing to seed: pass --demo")  # noqa: T201 - CLI output
        return 2
    with database_url(settings) as url:
        username, password = seed_demo(settings, url)
    print(f"demo user ready: {username} / {password}")  # noqa: T201 - CLI output
    return 0


def _cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import UTC, datetime  # noqa: PLC0415

    from cashflow.database import database_url  # noqa: PLC0415
    from domain.db.backups import backup_database  # noqa: PLC0415

    target = Path(args.dir) if args.dir else settings.backup_dir
    with database_url(settings) as url:
        manifest = backup_database(url, target, datetime.now(UTC))
    print(f"backup written: {target / manifest.file} (sha256 {manifest.sha256})")  # noqa: T201
    return 0


def _cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import make_url  # noqa: PLC0415

    from cashflow.database import database_url  # noqa: PLC0415
    from domain.db.backups import restore_backup  # noqa: PLC0415

    with database_url(settings) as url:
        target = make_url(url).set(database=args.database).render_as_string(hide_password=False)
        manifest = restore_backup(Path(args.file), target)
    print(f"restored {manifest.file} into database {args.database}")  # noqa: T201
    return 0


def _cmd_rates(args: argparse.Namespace, settings: Settings) -> int:
    from cashflow.database import database_url  # noqa: PLC0415
    from domain.db.engine import create_db_engine, make_session_factory, unit_of_work  # noqa: PLC0415
    from domain.services.rates import import_rates_for  # noqa: PLC0415

    try:
        content = Path(args.file).read_bytes()
    except OSError as exc:
        print(f"error: file: {exc.strerror or exc}", file=sys.stderr)  # noqa: T201 - CLI output
        return 1
    with database_url(settings) as url:
        engine = create_db_engine(url)
        with unit_of_work(make_session_factory(engine)) as session:
            done = import_rates_for(session, args.username, content)
        engine.dispose()
    days = f"{done.first_day.isoformat()} to {done.last_day.isoformat()}"
    print(f"stored {done.stored} rates ({', '.join(done.currencies)}) from {days}")  # noqa: T201
    for line in done.skipped:
        print(f"skipped: {line}", file=sys.stderr)  # noqa: T201 - CLI output
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _add_user_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`cashflow user create | reset-password | invite`."""
    user = sub.add_parser("user", help="user accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    create = user_sub.add_parser("create", help="create an account (prompts for the password)")
    create.add_argument("--username", required=True)
    create.add_argument("--password", default=None, help="omit to be prompted")
    create.add_argument("--admin", action="store_true", help="make the account an admin")
    create.set_defaults(func=_cmd_user)
    reset = user_sub.add_parser(
        "reset-password",
        help="set a person's password (prompts for it); every login of theirs ends",
    )
    reset.add_argument("name", help="the username")
    reset.add_argument("--password", default=None, help="omit to be prompted")
    reset.set_defaults(func=_cmd_reset_password)
    invite = user_sub.add_parser(
        "invite", help="print a single-use sign-up code (for REGISTRATION=invite)"
    )
    invite.add_argument("--days", type=_positive, default=7, help="how long it stays valid")
    invite.set_defaults(func=_cmd_invite)


def build_parser() -> argparse.ArgumentParser:
    """The command line: `cashflow --help` explains each subcommand."""
    parser = argparse.ArgumentParser(
        prog="cashflow",
        description="Cashflow: a self-hosted cash-flow manager. Without DATABASE_URL, commands "
        "start the embedded PostgreSQL under .data/ for as long as they run.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run", help="everything: database, migrations, demo user, API, UI, scheduler"
    )
    run.set_defaults(func=_cmd_run)

    api = sub.add_parser("api", help="the REST API (uvicorn) on API_HOST:API_PORT")
    api.add_argument("--host", default=None)
    api.add_argument("--port", type=int, default=None)
    api.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    api.set_defaults(func=_cmd_api)

    ui = sub.add_parser("ui", help="the Streamlit UI on UI_PORT")
    ui.add_argument("--port", type=int, default=None)
    ui.set_defaults(func=_cmd_ui)

    sched = sub.add_parser("scheduler", help="the APScheduler process that books and checks")
    sched.add_argument("--once", action="store_true", help="run one pass and exit")
    sched.add_argument(
        "--preview", action="store_true", help="print what a pass would book, book nothing"
    )
    sched.add_argument(
        "--date",
        type=date.fromisoformat,
        default=None,
        help="with --once or --preview: book up to this day instead of each household's today",
    )
    sched.add_argument(
        "--inline",
        action="store_true",
        help="run the nightly pass's chunks here instead of queueing them for workers",
    )
    sched.set_defaults(func=_cmd_scheduler)

    worker = sub.add_parser(
        "worker", help="run the nightly pass's chunks the scheduler queues (any number of them)"
    )
    worker.add_argument("--name", default=None, help="how the worker shows in its logs")
    worker.add_argument("--heartbeat", type=float, default=10.0, help="seconds between heartbeats")
    worker.add_argument(
        "--stalled-after",
        type=float,
        default=30.0,
        help="seconds without a heartbeat before a worker's chunk goes back to the queue",
    )
    worker.add_argument(
        "--check-every", type=_positive, default=10, help="seconds between stalled-chunk checks"
    )
    worker.set_defaults(func=_cmd_worker)

    db = sub.add_parser("db", help="database schema commands")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="apply Alembic migrations")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=_cmd_db)

    _add_user_commands(sub)

    backup = sub.add_parser("backup", help="a verified, compressed pg_dump with a SHA-256 manifest")
    backup.add_argument("--dir", default=None, help="where to write it (default BACKUP_DIR)")
    backup.set_defaults(func=_cmd_backup)

    restore = sub.add_parser("restore", help="restore a backup into an empty database")
    restore.add_argument("file", help="the .dump file (its .json manifest beside it)")
    restore.add_argument(
        "--database", required=True, help="the empty (or new) database to restore into"
    )
    restore.set_defaults(func=_cmd_restore)

    rates = sub.add_parser("rates", help="exchange rates to the base currency")
    rates_sub = rates.add_subparsers(dest="rates_command", required=True, metavar="ACTION")
    rates_import = rates_sub.add_parser(
        "import", help="import a Bank of Israel representative-rates file (CSV or XML)"
    )
    rates_import.add_argument("file", help="the file downloaded from boi.org.il")
    rates_import.add_argument("--username", required=True, help="whose rates they become")
    rates_import.set_defaults(func=_cmd_rates)

    seed = sub.add_parser("seed", help="sample data")
    seed.add_argument("--demo", action="store_true", help="the demo user and its history")
    seed.set_defaults(func=_cmd_seed)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen subcommand."""
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace, Settings], int] = args.func
    try:
        settings = get_settings()
        # The processes this one starts see the embedded database's URL: they must keep the
        # REGISTRATION decided here (open on the embedded database unless set).
        os.environ.setdefault("REGISTRATION", settings.registration_mode())
        log_file = settings.backup_dir / "scheduler_logs" / "scheduler.log"
        configure_logging(
            debug=settings.debug, log_file=log_file if args.command == "scheduler" else None
        )
        return func(args, settings)
    except DomainError as exc:
        field = f"{exc.field}: " if isinstance(exc, InvalidInputError) else ""
        print(f"error: {field}{exc.message}", file=sys.stderr)  # noqa: T201 - CLI output
        return 1


if __name__ == "__main__":
    sys.exit(main())
