"""The demo account that a first run shows."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import Transaction, User
from domain.rules.demo_history import generate_history
from domain.rules.ledger import TransactionDraft
from domain.services import categories
from domain.services.transactions import BULK_MAX, bulk_record
from domain.services.users import create_user, find_user_by_username

DEMO_USERNAME = "demo"


def ensure_demo_user(session: Session, settings: Settings, password: str) -> tuple[User, bool]:
    """Return the demo user, creating it (as an admin) when missing; True when created."""
    user = find_user_by_username(session, DEMO_USERNAME)
    if user is not None:
        return user, False
    user = create_user(
        session,
        settings,
        username=DEMO_USERNAME,
        password=password,
        display_name="Demo household",
        is_admin=True,
    )
    return user, True


def seed_demo_history(session: Session, user: User, today: date) -> int:
    """Give a user with an empty ledger two years of history up to today; return the count."""
    if session.scalar(select(func.count()).where(Transaction.user_id == user.id)):
        return 0
    if not categories.list_categories(session, user):
        categories.create_default_categories(session, user)
    ids = {c.name: c.id for c in categories.list_categories(session, user)}
    start = (today.replace(day=1) - timedelta(days=730)).replace(day=1)
    drafts = [
        TransactionDraft(
            date=row.date,
            amount=row.amount,
            type=row.type,
            category_id=ids.get(row.category),
            description=row.description,
        )
        for row in generate_history(start, today + timedelta(days=1))
    ]
    for chunk in range(0, len(drafts), BULK_MAX):
        bulk_record(session, user, drafts[chunk : chunk + BULK_MAX])
    return len(drafts)
