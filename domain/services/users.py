"""Users: creating accounts, finding them, changing their profile."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.actors import unaudited
from domain.db.models import USERNAME_MAX, User
from domain.errors import ConflictError, InvalidInputError, NotFoundError
from domain.rules.passwords import hash_password
from domain.services.categories import create_default_categories
from domain.services.households import create_household

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")


def normalise_username(username: str) -> str:
    """The key usernames are compared by: trimmed, lower case."""
    return username.strip().lower()


def check_username(username: str) -> str:
    """Return the trimmed username, or refuse one with the wrong shape."""
    name = username.strip()
    if not USERNAME_RE.match(name) or len(name) > USERNAME_MAX:
        raise InvalidInputError(
            "username", "3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def find_user_by_username(session: Session, username: str) -> User | None:
    """Find an account by name, regardless of case."""
    key = normalise_username(username)
    return session.scalars(select(User).where(func.lower(User.username) == key)).one_or_none()


def get_user(session: Session, user_id: int) -> User:
    """Load an account by id."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFoundError("user not found")
    return user


def create_user(
    session: Session,
    settings: Settings,
    *,
    username: str,
    password: str,
    display_name: str = "",
    email: str | None = None,
    is_admin: bool = False,
) -> User:
    """Create an account with a bcrypt hash; usernames are unique regardless of case."""
    name = check_username(username)
    password_hash = hash_password(password, rounds=settings.bcrypt_rounds)
    if find_user_by_username(session, name) is not None:
        raise ConflictError("username is taken")
    user = User(
        username=name,
        display_name=display_name or name,
        email=email,
        password_hash=password_hash,
        is_admin=is_admin,
        language=settings.default_language,
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise ConflictError("username is taken") from exc
    household = create_household(session, settings, user, name=user.display_name)
    with unaudited(session):  # the starter categories come with the household
        create_default_categories(session, household)
    return user


def update_profile(
    session: Session, user: User, *, display_name: str | None = None, email: str | None = None
) -> User:
    """Change the name shown and the e-mail address."""
    if display_name is not None:
        user.display_name = display_name.strip()
    if email is not None:
        user.email = email.strip() or None
    session.flush()
    return user


def set_language(session: Session, user: User, language: str) -> User:
    """Change the language a person reads Cashflow in."""
    if language not in ("en", "he"):
        raise InvalidInputError("language", "must be 'en' or 'he'")
    user.language = language
    session.flush()
    return user


def list_active_users(session: Session) -> list[User]:
    """Every account that may log in, oldest first."""
    return list(session.scalars(select(User).where(User.is_active).order_by(User.id)))
