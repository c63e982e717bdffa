"""Category routes."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import HouseholdDep, NowDep, SessionDep, read_only
from api.schemas.common import PathId
from api.schemas.ledger import CategoryIn, CategoryOut, CategoryPatch, ReorderIn
from domain.services import categories

router = APIRouter(prefix="/categories", tags=["categories"])


@router.get("")
@read_only
def list_categories(
    household: HouseholdDep, session: SessionDep, include_archived: bool = False
) -> list[CategoryOut]:
    """The household's categories in display order."""
    found = categories.list_categories(session, household, include_archived=include_archived)
    return [CategoryOut.model_validate(c) for c in found]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_category(body: CategoryIn, household: HouseholdDep, session: SessionDep) -> CategoryOut:
    """Add a category."""
    return CategoryOut.model_validate(
        categories.create_category(session, household, **body.model_dump())
    )


@router.post("/reorder")
def reorder_categories(
    body: ReorderIn, household: HouseholdDep, session: SessionDep
) -> list[CategoryOut]:
    """Set the display order: the ids given first, in that order."""
    found = categories.reorder_categories(session, household, body.ids)
    return [CategoryOut.model_validate(c) for c in found]


@router.get("/{category_id:int}")
@read_only
def get_category(category_id: PathId, household: HouseholdDep, session: SessionDep) -> CategoryOut:
    """One category."""
    return CategoryOut.model_validate(categories.get_category(session, household, category_id))


@router.put("/{category_id:int}")
def update_category(
    category_id: PathId, body: CategoryPatch, household: HouseholdDep, session: SessionDep
) -> CategoryOut:
    """Change a category's name, colour, icon or parent."""
    changed = categories.update_category(
        session, household, category_id, **body.model_dump(exclude_unset=True)
    )
    return CategoryOut.model_validate(changed)


@router.delete("/{category_id:int}")
def archive_category(
    category_id: PathId, household: HouseholdDep, session: SessionDep, now: NowDep
) -> CategoryOut:
    """Archive a category (soft delete): its transactions keep it."""
    return CategoryOut.model_validate(
        categories.archive_category(session, household, category_id, now)
    )


@router.post("/{category_id:int}/restore")
def restore_category(
    category_id: PathId, household: HouseholdDep, session: SessionDep
) -> CategoryOut:
    """Bring an archived category back."""
    return CategoryOut.model_validate(categories.restore_category(session, household, category_id))
