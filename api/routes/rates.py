"""Exchange-rate routes: list, set, read, delete, and import a Bank of Israel file."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile

from api.deps import HouseholdDep, SessionDep
from api.schemas.common import Message, PathId
from api.schemas.rates import CurrencyCode, RateIn, RateOut, RatesImportedOut
from domain.errors import InvalidInputError
from domain.rules.boi_rates import MAX_FILE_BYTES
from domain.services import rates
from domain.services.rates import RateDraft

router = APIRouter(prefix="/rates", tags=["rates"])
FORM_SLACK_BYTES = 64 * 1024


@router.get("")
def list_rates(
    household: HouseholdDep,
    session: SessionDep,
    currency: Annotated[CurrencyCode | None, Query()] = None,
) -> list[RateOut]:
    """The rates to the base currency, newest first (at most 1,000), optionally of one currency."""
    found = rates.list_rates(session, household, currency=currency)
    return [RateOut.model_validate(r) for r in found]


@router.put("")
def set_rate(body: RateIn, household: HouseholdDep, session: SessionDep) -> RateOut:
    """Enter a rate by hand; it replaces the rate of the same currency and day."""
    draft = RateDraft(body.day, body.currency, body.rate)
    return RateOut.model_validate(rates.set_rate(session, household, draft))


@router.get("/{rate_id:int}")
def get_rate(rate_id: PathId, household: HouseholdDep, session: SessionDep) -> RateOut:
    """One rate."""
    return RateOut.model_validate(rates.get_rate(session, household, rate_id))


@router.delete("/{rate_id:int}")
def delete_rate(rate_id: PathId, household: HouseholdDep, session: SessionDep) -> Message:
    """Remove a rate."""
    rates.delete_rate(session, household, rate_id)
    return Message(detail="deleted")


@router.post("/import", max_body_size=MAX_FILE_BYTES + FORM_SLACK_BYTES)
def import_rates(
    file: Annotated[UploadFile, File(description="Bank of Israel rates, CSV or XML, 10 MB")],
    household: HouseholdDep,
    session: SessionDep,
) -> RatesImportedOut:
    """Import the Bank of Israel's representative rates (SDMX CSV or XML, or currency.xml).

    The base currency must be ILS. Rates of a currency and day already held are replaced.
    """
    if file.size is not None and file.size > MAX_FILE_BYTES:
        raise InvalidInputError("file", "a rates file may be at most 10 MB")
    done = rates.import_boi_rates(session, household, file.file.read(MAX_FILE_BYTES + 1))
    return RatesImportedOut(
        stored=done.stored,
        currencies=list(done.currencies),
        first_day=done.first_day,
        last_day=done.last_day,
        skipped=list(done.skipped),
    )
