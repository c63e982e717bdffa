"""Categories: the starter set, create, edit, archive, restore, reorder."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.db.models import Category, Household
from domain.errors import ConflictError, InvalidInputError, NotFoundError
from domain.rules.categories import DEFAULT_CATEGORIES, FLOW_TYPES

COLOR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")
NAME_MAX = 60


def create_default_categories(session: Session, household: Household) -> None:
    """Give a new household the starter set, in its display order."""
    session.add_all(
        Category(
            household_id=household.id,
            name=item.name,
            name_he=item.name_he,
            type=item.type,
            color=item.color,
            icon=item.icon,
            sort_order=index,
        )
        for index, item in enumerate(DEFAULT_CATEGORIES)
    )
    session.flush()


def list_categories(
    session: Session, household: Household, *, include_archived: bool = False
) -> list[Category]:
    """The household's categories in display order; archived ones only when asked."""
    query = select(Category).where(Category.household_id == household.id)
    if not include_archived:
        query = query.where(Category.archived_at.is_(None))
    return list(session.scalars(query.order_by(Category.sort_order, Category.id)))


def get_category(session: Session, household: Household, category_id: int) -> Category:
    """One of the household's categories; another household's answers not found."""
    category = session.scalars(
        select(Category).where(Category.id == category_id, Category.household_id == household.id)
    ).one_or_none()
    if category is None:
        raise NotFoundError("category not found")
    return category


def _check_fields(name: str | None, flow: str | None, color: str | None) -> None:
    if name is not None and not (1 <= len(name.strip()) <= NAME_MAX):
        raise InvalidInputError("name", f"must be 1 to {NAME_MAX} characters")
    if flow is not None and flow not in FLOW_TYPES:
        raise InvalidInputError("type", "must be 'income' or 'expense'")
    if color is not None and not COLOR_RE.match(color):
        raise InvalidInputError("color", "must look like #RRGGBB")


def _check_parent(session: Session, household: Household, parent_id: int | None, flow: str) -> None:
    if parent_id is None:
        return
    parent = get_category(session, household, parent_id)
    if parent.type != flow:
        raise InvalidInputError("parent_id", "must be a category of the same type")


def _flush_unique(session: Session) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise ConflictError("an active category with this name exists") from exc


def create_category(
    session: Session,
    household: Household,
    *,
    name: str,
    type: str,
    color: str = "#757575",
    icon: str = "",
    name_he: str | None = None,
    parent_id: int | None = None,
) -> Category:
    """Add a category; names are unique among the household's active categories."""
    _check_fields(name, type, color)
    _check_parent(session, household, parent_id, type)
    last = session.scalar(
        select(func.coalesce(func.max(Category.sort_order), -1)).where(
            Category.household_id == household.id
        )
    )
    category = Category(
        household_id=household.id,
        name=name.strip(),
        name_he=name_he,
        type=type,
        color=color,
        icon=icon,
        parent_id=parent_id,
        sort_order=int(last or 0) + 1,
    )
    session.add(category)
    _flush_unique(session)
    return category


def update_category(
    session: Session,
    household: Household,
    category_id: int,
    *,
    name: str | None = None,
    color: str | None = None,
    icon: str | None = None,
    name_he: str | None = None,
    parent_id: int | None = None,
    clear_parent: bool = False,
) -> Category:
    """Change a category's name, colour, icon or parent (its type is fixed)."""
    category = get_category(session, household, category_id)
    _check_fields(name, None, color)
    if parent_id is not None:
        if parent_id == category.id:
            raise InvalidInputError("parent_id", "a category cannot be its own parent")
        _check_parent(session, household, parent_id, category.type)
        category.parent_id = parent_id
    elif clear_parent:
        category.parent_id = None
    if name is not None:
        category.name = name.strip()
    if color is not None:
        category.color = color
    if icon is not None:
        category.icon = icon
    if name_he is not None:
        category.name_he = name_he or None
    _flush_unique(session)
    return category


def archive_category(
    session: Session, household: Household, category_id: int, now: datetime
) -> Category:
    """Hide a category from pickers; its transactions keep it."""
    category = get_category(session, household, category_id)
    if category.archived_at is None:
        category.archived_at = now
    session.flush()
    return category


def restore_category(session: Session, household: Household, category_id: int) -> Category:
    """Bring an archived category back (refused while an active one has its name)."""
    category = get_category(session, household, category_id)
    category.archived_at = None
    _flush_unique(session)
    return category


def reorder_categories(
    session: Session, household: Household, ordered_ids: list[int]
) -> list[Category]:
    """Put the given categories first, in the given order; the rest keep their order after."""
    if len(set(ordered_ids)) != len(ordered_ids):
        raise InvalidInputError("ids", "each id may appear once")
    mine = {c.id: c for c in list_categories(session, household, include_archived=True)}
    missing = [i for i in ordered_ids if i not in mine]
    if missing:
        raise NotFoundError("category not found")
    rest = [c.id for c in sorted(mine.values(), key=lambda c: (c.sort_order, c.id))]
    order = ordered_ids + [i for i in rest if i not in set(ordered_ids)]
    for position, category_id in enumerate(order):
        mine[category_id].sort_order = position
    session.flush()
    return [mine[i] for i in order if mine[i].archived_at is None]


def check_category_for(
    session: Session, household: Household, category_id: int | None, flow: str
) -> None:
    """A category given to a transaction or a source: the household's own, active, same type."""
    if category_id is None:
        return
    # The row being checked may already carry the id; flushing it first would hit the
    # foreign key (another household's or a missing category) before this check could name it.
    with session.no_autoflush:
        category = session.scalars(
            select(Category).where(
                Category.id == category_id, Category.household_id == household.id
            )
        ).one_or_none()
    if category is None:
        raise InvalidInputError("category_id", "no such category")
    if category.archived_at is not None:
        raise InvalidInputError("category_id", "the category is archived")
    if category.type != flow:
        raise InvalidInputError("category_id", f"is an {category.type} category, not {flow}")
