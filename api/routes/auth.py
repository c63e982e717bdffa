"""Auth routes: register, login, refresh, logout, profile, password."""

from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import AuthDep, ClientDep, CurrentUser, NowDep, SessionDep, SettingsDep
from api.schemas.auth import (
    LoginIn,
    LogoutIn,
    PasswordIn,
    ProfileIn,
    RefreshIn,
    RegisterIn,
    TokenOut,
    UserOut,
)
from api.schemas.common import Message
from domain.config import Settings
from domain.services import auth, users
from domain.services.auth import TokenPair

router = APIRouter(prefix="/auth", tags=["auth"])
PUBLIC_PATHS = {"/auth/register", "/auth/login", "/auth/refresh"}


def _tokens(settings: Settings, pair: TokenPair) -> TokenOut:
    return TokenOut(
        access_token=pair.access.token,
        refresh_token=pair.refresh.token,
        expires_in=settings.access_token_expire_minutes * 60,
    )


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(body: RegisterIn, session: SessionDep, settings: SettingsDep) -> UserOut:
    """Create an account (public)."""
    user = users.create_user(
        session,
        settings,
        username=body.username,
        password=body.password,
        display_name=body.display_name,
        email=body.email,
    )
    return UserOut.model_validate(user)


@router.post("/login")
def login(
    body: LoginIn, session: SessionDep, settings: SettingsDep, now: NowDep, client: ClientDep
) -> TokenOut:
    """Exchange a username and password for tokens (public; throttled per account and client)."""
    user = auth.authenticate(session, settings, body.username, body.password, now, client=client)
    return _tokens(settings, auth.issue_pair(settings, user, now))


@router.post("/refresh")
def refresh(body: RefreshIn, session: SessionDep, settings: SettingsDep, now: NowDep) -> TokenOut:
    """Rotate a refresh token into a new pair (public); a reused one ends every session."""
    return _tokens(settings, auth.refresh_pair(session, settings, body.refresh_token, now))


@router.post("/logout")
def logout(
    authenticated: AuthDep,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    body: LogoutIn | None = None,
) -> Message:
    """Revoke the access token used and the refresh token given."""
    refresh_token = body.refresh_token if body else None
    auth.logout(session, settings, authenticated[1], refresh_token, now)
    return Message(detail="logged out")


@router.get("/me")
def read_me(user: CurrentUser) -> UserOut:
    """The current account."""
    return UserOut.model_validate(user)


@router.put("/me")
def update_me(body: ProfileIn, user: CurrentUser, session: SessionDep) -> UserOut:
    """Change the display name or e-mail address."""
    users.update_profile(session, user, display_name=body.display_name, email=body.email)
    return UserOut.model_validate(user)


@router.put("/password")
def change_password(
    body: PasswordIn, user: CurrentUser, session: SessionDep, settings: SettingsDep, now: NowDep
) -> TokenOut:
    """Change the password; every older token stops working, fresh tokens are returned."""
    pair = auth.change_password(
        session, settings, user, current=body.current_password, new=body.new_password, now=now
    )
    return _tokens(settings, pair)
