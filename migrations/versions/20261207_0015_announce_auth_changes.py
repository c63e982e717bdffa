"""announce every change to who may do what from the database itself, however it is written

The API processes keep the tokens and household scopes they verified and forget them when
a change is announced on the `cashflow_auth` channel (domain/db/auth_events.py). The
application announced its own writes; a write from psql or another program was seen only
when a kept entry aged out (60 seconds). These statement triggers announce every committed
write to users, memberships and households (payload `*`: forget everything), and every
revocation by its person (payload: the user's id), whoever writes it. PostgreSQL delivers
a notification only when its transaction commits and folds identical ones, so a statement
that touches a thousand rows sends one.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 19:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVERYONE_TABLES = ("users", "memberships", "households")

ANNOUNCE_EVERYONE = r"""
CREATE FUNCTION cashflow_announce_everyone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cashflow_auth', '*');
    RETURN NULL;
END
$$
"""

ANNOUNCE_REVOKED = r"""
CREATE FUNCTION cashflow_announce_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cashflow_auth', coalesce(person::text, '*'))
    FROM (SELECT DISTINCT user_id AS person FROM revoked) AS people;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.execute(ANNOUNCE_EVERYONE)
    op.execute(ANNOUNCE_REVOKED)
    for table in EVERYONE_TABLES:
        op.execute(
            f"CREATE TRIGGER announce_auth AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
            f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION cashflow_announce_everyone()"
        )
    # A revocation names its person; a transition table names them all, once a statement.
    op.execute(
        "CREATE TRIGGER announce_revoked AFTER INSERT ON revoked_tokens"
        " REFERENCING NEW TABLE AS revoked"
        " FOR EACH STATEMENT EXECUTE FUNCTION cashflow_announce_revoked()"
    )
    # A revocation changed or taken back (pruning, by hand) may concern anyone.
    op.execute(
        "CREATE TRIGGER announce_auth AFTER UPDATE OR DELETE OR TRUNCATE ON revoked_tokens"
        " FOR EACH STATEMENT EXECUTE FUNCTION cashflow_announce_everyone()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER announce_auth ON revoked_tokens")
    op.execute("DROP TRIGGER announce_revoked ON revoked_tokens")
    for table in EVERYONE_TABLES:
        op.execute(f"DROP TRIGGER announce_auth ON {table}")
    op.execute("DROP FUNCTION cashflow_announce_revoked()")
    op.execute("DROP FUNCTION cashflow_announce_everyone()")
