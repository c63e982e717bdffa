"""households own the money; people are members with roles; invitations; the audit log

Every user gets a personal household with the user's id, name, currency and timezone,
and is its owner; every money row moves to it by renaming its owner column (the ids are
equal, so no row and no sum changes). Settings that shape the money become the
household's; the language becomes the person's. The audit log is written by a trigger
on every audited table, in the same transaction as the change.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables whose rows the owner column `user_id` tied to a user; they move to the household.
MONEY_TABLES = (
    "categories",
    "transactions",
    "fixed_items",
    "installment_plans",
    "loans",
    "recurring_bookings",
    "household_settings",
    "balance_records",
    "alerts",
    "scenarios",
    "import_profiles",
    "category_rules",
    "import_batches",
    "import_keys",
    "budgets",
    "category_budget_settings",
    "exchange_rates",
)

# Audited tables: (table, entity name, parent table, parent key) for rows that carry no
# household of their own. Bookings, import keys and alerts are bookkeeping, not changes
# people make; an import's transactions are recorded as one entry, its batch.
AUDITED = (
    ("households", "household", None, None),
    ("memberships", "membership", None, None),
    ("household_invitations", "invitation", None, None),
    ("household_settings", "settings", None, None),
    ("categories", "category", None, None),
    ("transactions", "transaction", None, None),
    ("fixed_items", "fixed", None, None),
    ("fixed_pauses", "fixed_pause", "fixed_items", "fixed_id"),
    ("installment_plans", "installment", None, None),
    ("loans", "loan", None, None),
    ("loan_prepayments", "loan_prepayment", "loans", "loan_id"),
    ("balance_records", "balance", None, None),
    ("scenarios", "scenario", None, None),
    ("category_rules", "category_rule", None, None),
    ("import_batches", "import", None, None),
    ("budgets", "budget", None, None),
    ("category_budget_settings", "budget_settings", None, None),
    ("exchange_rates", "rate", None, None),
)

AUDIT_FUNCTION = r"""
CREATE FUNCTION cashflow_audit() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_row jsonb;
    new_row jsonb;
    a_row jsonb;
    quiet text[] := ARRAY['id', 'household_id', 'created_at', 'updated_at',
                          'booked_through', 'alerts_fingerprint', 'code_hash'];
    actor text := coalesce(nullif(current_setting('cashflow.actor', true), ''), 'system');
    hh bigint;
    before_v jsonb;
    after_v jsonb;
    verb text;
BEGIN
    -- An import is one entry: its batch, once its rows are counted (the batch is inserted
    -- first, its rows reference it, then its counts are set).
    IF TG_TABLE_NAME = 'import_batches' AND TG_OP = 'INSERT' THEN
        RETURN NULL;
    END IF;
    old_row := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    new_row := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    a_row := coalesce(new_row, old_row);
    IF TG_TABLE_NAME = 'households' THEN
        hh := (a_row ->> 'id')::bigint;
    ELSIF TG_ARGV[1] IS NOT NULL THEN
        EXECUTE format('SELECT household_id FROM %I WHERE id = $1', TG_ARGV[1])
            INTO hh USING (a_row ->> TG_ARGV[2])::bigint;
    ELSE
        hh := (a_row ->> 'household_id')::bigint;
    END IF;
    IF hh IS NULL OR NOT EXISTS (SELECT 1 FROM households WHERE id = hh) THEN
        RETURN NULL;  -- the household itself is being deleted
    END IF;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'import_batches' THEN
        after_v := new_row - quiet;
        verb := 'import';
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, n.value)
          INTO before_v, after_v
          FROM jsonb_each(old_row) o JOIN jsonb_each(new_row) n USING (key)
         WHERE o.value IS DISTINCT FROM n.value AND NOT o.key = ANY (quiet);
        IF before_v IS NULL THEN
            RETURN NULL;  -- nothing a person changed (a watermark, a timestamp)
        END IF;
        verb := 'update';
    ELSIF TG_OP = 'INSERT' THEN
        after_v := new_row - quiet;
        verb := 'create';
    ELSE
        before_v := old_row - quiet;
        verb := 'delete';
    END IF;
    -- Numbers as text: money stays exact in JSON.
    SELECT jsonb_object_agg(key, CASE jsonb_typeof(value)
               WHEN 'number' THEN to_jsonb(value #>> '{}') ELSE value END)
      INTO before_v FROM jsonb_each(before_v);
    SELECT jsonb_object_agg(key, CASE jsonb_typeof(value)
               WHEN 'number' THEN to_jsonb(value #>> '{}') ELSE value END)
      INTO after_v FROM jsonb_each(after_v);
    INSERT INTO audit_log (household_id, actor_id, actor_kind, entity, entity_id, action,
                           before, after)
    VALUES (hh,
            CASE WHEN actor ~ '^user:[0-9]+$' THEN substr(actor, 6)::bigint END,
            CASE WHEN actor ~ '^user:[0-9]+$' THEN 'user'
                 WHEN actor = 'scheduler' THEN 'scheduler' ELSE 'system' END,
            TG_ARGV[0],
            CASE WHEN TG_TABLE_NAME = 'memberships' THEN (a_row ->> 'user_id')::bigint
                 WHEN TG_TABLE_NAME = 'category_budget_settings'
                     THEN (a_row ->> 'category_id')::bigint
                 WHEN TG_TABLE_NAME = 'household_settings' THEN hh
                 ELSE (a_row ->> 'id')::bigint END,
            verb, before_v, after_v);
    RETURN NULL;
END
$$;
"""

# What the scheduler books is one entry per household and statement, not one per row:
# the pass may book hundreds of thousands of rows, each already keyed by its booking.
BOOKINGS_FUNCTION = r"""
CREATE FUNCTION cashflow_audit_bookings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (household_id, actor_id, actor_kind, entity, entity_id, action, after)
    SELECT household_id, NULL, 'scheduler', 'booking', NULL, 'create',
           jsonb_build_object('transactions', count(*)::text,
                              'from', min(date)::text, 'to', max(date)::text)
      FROM booked
     WHERE source = 'recurring'
     GROUP BY household_id;
    RETURN NULL;
END
$$;
"""
# Every audit trigger runs only while auditing is on (a switch the quiet steps turn off).
AUDITING = "current_setting('cashflow.audit', true) IS DISTINCT FROM 'off'"
BY_SCHEDULER = "current_setting('cashflow.actor', true) = 'scheduler'"

# Append-only for the application: only the retention prune (which says so) and the
# foreign keys' own actions (a household deleted, an author's account deleted) touch it.
GUARD_FUNCTION = r"""
CREATE FUNCTION cashflow_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('cashflow.audit_prune', true) = 'on' THEN
        RETURN OLD;  -- the retention prune
    END IF;
    IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM households WHERE id = OLD.household_id) THEN
        RETURN OLD;  -- the household itself was deleted, and its log with it
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
       AND to_jsonb(NEW) - 'actor_id' = to_jsonb(OLD) - 'actor_id' THEN
        RETURN NEW;  -- the author's account was deleted (the foreign key's SET NULL)
    END IF;
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
    ]


def _create_tables() -> None:
    op.create_table(
        "households",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("currency", sa.CHAR(length=3), server_default="ILS", nullable=False),
        sa.Column(
            "timezone", sa.String(length=64), server_default="Asia/Jerusalem", nullable=False
        ),
        sa.Column(
            "require_two_factor", sa.Boolean(), server_default=sa.text("false"), nullable=False
        ),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
    )
    op.create_table(
        "memberships",
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=6), nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "role IN ('owner', 'admin', 'member', 'viewer')", name=op.f("ck_memberships_role")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_memberships_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("household_id", "user_id", name=op.f("pk_memberships")),
    )
    op.create_index(op.f("ix_memberships_user_id"), "memberships", ["user_id"], unique=False)
    op.create_table(
        "household_invitations",
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=6), nullable=False),
        sa.Column("invitee_id", sa.BigInteger(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("invited_by_id", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.String(length=8), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        *_timestamps(),
        sa.CheckConstraint(
            "role IN ('admin', 'member', 'viewer')", name=op.f("ck_household_invitations_role")
        ),
        sa.CheckConstraint(
            "answer IS NULL OR answer IN ('accepted', 'declined', 'revoked')",
            name=op.f("ck_household_invitations_answer"),
        ),
        sa.CheckConstraint(
            "(invitee_id IS NULL) <> (code_hash IS NULL)",
            name=op.f("ck_household_invitations_invitee_or_code"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_invitations_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invitee_id"],
            ["users.id"],
            name=op.f("fk_household_invitations_invitee_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["users.id"],
            name=op.f("fk_household_invitations_invited_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_invitations")),
    )
    op.create_index(
        "ix_household_invitations_household",
        "household_invitations",
        ["household_id", "answer"],
        unique=False,
    )
    op.create_index(
        "ix_household_invitations_invitee",
        "household_invitations",
        ["invitee_id", "answer"],
        unique=False,
    )
    op.create_index(
        "uq_household_invitations_code_hash", "household_invitations", ["code_hash"], unique=True
    )
    op.create_table(
        "audit_log",
        sa.Column("household_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_kind", sa.String(length=9), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=6), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "actor_kind IN ('user', 'scheduler', 'system')", name=op.f("ck_audit_log_actor_kind")
        ),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete', 'import')", name=op.f("ck_audit_log_action")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_audit_log_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["users.id"],
            name=op.f("fk_audit_log_actor_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_household_at", "audit_log", ["household_id", "at"], unique=False)
    op.create_index(
        "ix_audit_log_household_actor",
        "audit_log",
        ["household_id", "actor_id", "at"],
        unique=False,
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"], unique=False)


def _personal_households() -> None:
    op.execute(
        "INSERT INTO households (id, name, currency, timezone, created_at)"
        " SELECT id, left(coalesce(nullif(display_name, ''), username), 120), currency, timezone,"
        " created_at FROM users"
    )
    op.execute(
        "SELECT setval(pg_get_serial_sequence('households', 'id'),"
        " coalesce((SELECT max(id) FROM households), 1),"
        " (SELECT count(*) > 0 FROM households))"
    )
    op.execute(
        "INSERT INTO memberships (household_id, user_id, role, created_at)"
        " SELECT id, id, 'owner', created_at FROM users"
    )


def _move_settings() -> None:
    op.add_column(
        "users", sa.Column("language", sa.String(length=2), server_default="en", nullable=False)
    )
    op.add_column("users", sa.Column("default_household_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_users_default_household_id_households"),
        "users",
        "households",
        ["default_household_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.execute(
        "UPDATE users u SET default_household_id = u.id,"
        " language = coalesce("
        "(SELECT s.language FROM user_settings s WHERE s.user_id = u.id), 'en')"
    )
    op.drop_column("user_settings", "language")
    op.rename_table("user_settings", "household_settings")
    op.execute(
        "ALTER TABLE household_settings RENAME CONSTRAINT pk_user_settings TO pk_household_settings"
    )
    for check in ("horizon", "week_start", "share"):
        op.execute(
            f"ALTER TABLE household_settings RENAME CONSTRAINT ck_user_settings_{check}"
            f" TO ck_household_settings_{check}"
        )
    op.execute(
        "ALTER TABLE household_settings RENAME CONSTRAINT fk_user_settings_user_id_users"
        " TO fk_household_settings_user_id_users"
    )
    op.drop_column("users", "currency")
    op.drop_column("users", "timezone")


# Constraints and indexes named after the owner column follow it: `_user` becomes `_household`.
RENAME_OWNER_NAMES = r"""
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.conname, c.conrelid::regclass::text AS tbl
               FROM pg_constraint c
              WHERE c.conrelid = ANY (%(tables)s::regclass[]) AND c.conname LIKE '%%\_user%%'
    LOOP
        EXECUTE format('ALTER TABLE %%I RENAME CONSTRAINT %%I TO %%I',
                       r.tbl, r.conname, replace(r.conname, '_user', '_household'));
    END LOOP;
    FOR r IN SELECT i.relname
               FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
              WHERE x.indrelid = ANY (%(tables)s::regclass[]) AND i.relname LIKE '%%\_user%%'
    LOOP
        EXECUTE format('ALTER INDEX %%I RENAME TO %%I',
                       r.relname, replace(r.relname, '_user', '_household'));
    END LOOP;
END
$$;
"""


def _move_money() -> None:
    for table in MONEY_TABLES:
        op.drop_constraint(f"fk_{table}_user_id_users", table, type_="foreignkey")
        op.alter_column(table, "user_id", new_column_name="household_id")
    tables = "ARRAY[" + ", ".join(f"'{t}'" for t in MONEY_TABLES) + "]"
    op.execute(RENAME_OWNER_NAMES % {"tables": tables})
    for table in MONEY_TABLES:
        op.create_foreign_key(
            op.f(f"fk_{table}_household_id_households"),
            table,
            "households",
            ["household_id"],
            ["id"],
            ondelete="CASCADE",
        )


def _audit() -> None:
    op.execute(AUDIT_FUNCTION)
    op.execute(BOOKINGS_FUNCTION)
    op.execute(GUARD_FUNCTION)
    for table, entity, parent, key in AUDITED:
        args = ", ".join(f"'{a}'" for a in (entity, parent, key) if a is not None)
        events = "UPDATE OR DELETE" if table == "transactions" else "INSERT OR UPDATE OR DELETE"
        op.execute(
            f"CREATE TRIGGER audit AFTER {events} ON {table} FOR EACH ROW"
            f" WHEN ({AUDITING}) EXECUTE FUNCTION cashflow_audit({args})"
        )
    # A transaction added by a person is an entry; an import's rows are their batch's entry,
    # and the scheduler's bookings one entry per household and statement.
    op.execute(
        "CREATE TRIGGER audit_insert AFTER INSERT ON transactions FOR EACH ROW"
        f" WHEN ({AUDITING} AND NEW.source <> 'import'"
        f" AND NOT (NEW.source = 'recurring' AND {BY_SCHEDULER}))"
        " EXECUTE FUNCTION cashflow_audit('transaction')"
    )
    op.execute(
        "CREATE TRIGGER audit_bookings AFTER INSERT ON transactions"
        " REFERENCING NEW TABLE AS booked FOR EACH STATEMENT"
        f" WHEN ({AUDITING} AND {BY_SCHEDULER}) EXECUTE FUNCTION cashflow_audit_bookings()"
    )
    op.execute(
        "CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION cashflow_audit_guard()"
    )
    op.execute(
        "CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON audit_log"
        " FOR EACH STATEMENT EXECUTE FUNCTION cashflow_audit_guard()"
    )


def upgrade() -> None:
    _create_tables()
    _personal_households()
    _move_settings()
    _move_money()
    op.execute(
        "INSERT INTO household_settings (household_id) SELECT id FROM households"
        " ON CONFLICT DO NOTHING"
    )
    _audit()


def downgrade() -> None:
    raise NotImplementedError(
        "households cannot be folded back into users: shared money has no single owner"
    )
