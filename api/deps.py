"""Dependencies: settings, the unit of work, the clock and the current user."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.auth_events import listener_for
from domain.db.engine import end_unit_of_work, libpq_url
from domain.db.models import Household, User
from domain.errors import AuthenticationError
from domain.rules.dates import local_today
from domain.rules.roles import READ, WRITE
from domain.rules.throttling import client_address
from domain.rules.tokens import TokenClaims
from domain.services import audit, auth, households, token_cache
from domain.services.households import Scope
from domain.services.token_cache import ReadScope, VerificationCache

bearer = HTTPBearer(auto_error=False, description="An access token from POST /api/v1/auth/login")


async def get_settings_dep(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


READ_ONLY = "cashflow_read_only"
VIEWER_MAY_CALL = "cashflow_viewer_may_call"
HOUSEHOLD_HEADER = "X-Household-Id"
MAX_ID = 2**63 - 1

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
Result = TypeVar("Result")


def read_only(endpoint: Endpoint) -> Endpoint:
    """Declare that an endpoint only reads: its unit of work runs without a transaction.

    That spares the BEGIN and COMMIT round trips of the hottest reads (the ledger's pages);
    a write attempted through such a unit of work is refused, never committed.
    """
    setattr(endpoint, READ_ONLY, True)
    return endpoint


def computes_only(endpoint: Endpoint) -> Endpoint:
    """Declare that a POST only computes an answer (a what-if): a viewer may call it."""
    setattr(endpoint, VIEWER_MAY_CALL, True)
    return endpoint


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One request, one unit of work, committed before the response is sent.

    Opening a session does no I/O, so it happens on the event loop; the commit (or
    rollback) runs in the threadpool. That spares a thread hop per request. A read-only
    endpoint's session has nothing to commit, and closing it does no I/O either.
    """
    if getattr(request.scope.get("endpoint"), READ_ONLY, False):
        reader = request.app.state.read_session_factory()
        try:
            yield reader
        finally:
            reader.close()
        return
    session = request.app.state.session_factory()
    try:
        yield session
    except BaseException as exc:
        await run_in_threadpool(end_unit_of_work, session, exc)
        raise
    await run_in_threadpool(end_unit_of_work, session, None)


async def get_now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


async def get_client(request: Request, settings: SettingsDep) -> str:
    """The client's address: the socket's, or a trusted proxy's X-Forwarded-For."""
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-for")
    return client_address(peer, forwarded, settings.trusted_proxies)


ClientDep = Annotated[str, Depends(get_client)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
NowDep = Annotated[datetime, Depends(get_now)]


def get_auth(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> tuple[User, TokenClaims]:
    """The user behind a valid, unrevoked access token, and the token's claims."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationError("not authenticated")
    user, claims = auth.verify_token(session, settings, credentials.credentials, "access", now)
    request.state.user_id = user.id
    if not getattr(request.scope.get("endpoint"), READ_ONLY, False):
        audit.act_as_person(session, user.id)  # the author of every change the request makes
    return user, claims


AuthDep = Annotated[tuple[User, TokenClaims], Depends(get_auth)]


async def get_current_user(authenticated: AuthDep) -> User:
    """The user making the request."""
    return authenticated[0]


CurrentUser = Annotated[User, Depends(get_current_user)]


def get_scope(
    request: Request,
    session: SessionDep,
    user: CurrentUser,
    household_id: Annotated[
        int | None,
        Header(
            alias=HOUSEHOLD_HEADER,
            ge=1,
            le=MAX_ID,
            description="the household to act in; without it, the person's default household",
        ),
    ] = None,
) -> Scope:
    """The household the request acts in, the person and their role; changes are theirs."""
    scope = households.open_scope(session, user, household_id)
    request.state.household_id = scope.household.id
    return scope


ScopeDep = Annotated[Scope, Depends(get_scope)]


async def get_household(request: Request, scope: ScopeDep) -> Household:
    """The household whose money the request reads or changes.

    Reading needs any role; changing money (any method but GET, except a POST that only
    computes) needs member or above: a viewer is answered 403 before anything runs.
    """
    endpoint = request.scope.get("endpoint")
    reads = request.method in ("GET", "HEAD") or getattr(endpoint, VIEWER_MAY_CALL, False)
    scope.require(READ if reads else WRITE)
    return scope.household


HouseholdDep = Annotated[Household, Depends(get_household)]


async def get_today(household: HouseholdDep, now: NowDep) -> date:
    """Today in the household's timezone."""
    return local_today(now, household.timezone)


TodayDep = Annotated[date, Depends(get_today)]


def _verifications(request: Request) -> VerificationCache:
    """This app's cache of verified tokens and scopes, listening to its database's changes."""
    state = request.app.state
    cache: VerificationCache | None = getattr(state, "verifications", None)
    if cache is None:
        url = state.engine.url.render_as_string(hide_password=False)
        cache = state.verifications = VerificationCache(listener_for(libpq_url(url)))
    return cache


def _in_read_unit(request: Request, verify: Callable[..., Result], **kwargs: Any) -> Result:
    """Run a verification in a read-only unit of work of its own (in the threadpool)."""
    session = request.app.state.read_session_factory()
    try:
        return verify(session, request.app.state.settings, **kwargs)
    finally:
        session.close()


@dataclass(frozen=True, slots=True)
class Reader:
    """A person whose access token verified, the token, and the request's now."""

    user_id: int
    token: str
    now: datetime


async def get_reader(
    request: Request,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Reader:
    """The person behind a valid, unrevoked access token, as `get_auth` finds them.

    A token verified recently by this process is not verified again while no change to
    people, memberships, households or revocations has been announced since
    (domain.services.token_cache says how long a revocation may take to arrive).
    """
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationError("not authenticated")
    token = credentials.credentials
    cache = _verifications(request)
    user_id = cache.user_of(token, now)
    if user_id is None:
        user_id = await run_in_threadpool(
            _in_read_unit, request, token_cache.verify_access, cache=cache, token=token, now=now
        )
    request.state.user_id = user_id
    return Reader(user_id, token, now)


async def get_read_scope(
    request: Request,
    reader: Annotated[Reader, Depends(get_reader)],
    household_id: Annotated[
        int | None,
        Header(
            alias=HOUSEHOLD_HEADER,
            ge=1,
            le=MAX_ID,
            description="the household to act in; without it, the person's default household",
        ),
    ] = None,
) -> ReadScope:
    """The household a read-only request reads in, as `get_scope` and `get_household` find it.

    Fewer dependencies than theirs, each one costing FastAPI work on every request.
    """
    cache = _verifications(request)
    scope = cache.scope_of(reader.user_id, household_id)
    if scope is None:
        scope = await run_in_threadpool(
            _in_read_unit,
            request,
            token_cache.open_read_scope,
            cache=cache,
            token=reader.token,
            household_id=household_id,
            now=reader.now,
        )
    request.state.household_id = scope.household_id
    return scope


ReadScopeDep = Annotated[ReadScope, Depends(get_read_scope)]
