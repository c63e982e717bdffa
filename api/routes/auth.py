"""Auth routes: register, login (in two steps with 2FA), refresh, logout, profile, password, 2FA."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from api.deps import AuthDep, ClientDep, CurrentUser, NowDep, SessionDep, SettingsDep
from api.schemas.auth import (
    ChallengeOut,
    CodeIn,
    DisableTwoFactorIn,
    EnrolmentOut,
    LoginIn,
    LoginOut,
    LogoutIn,
    PasswordIn,
    ProfileIn,
    RecoveryCodesOut,
    RefreshIn,
    RegisterIn,
    SecondFactorIn,
    TokenOut,
    TwoFactorStatusOut,
    UserOut,
)
from api.schemas.common import Message
from domain.config import Settings
from domain.db.models import User
from domain.services import auth, second_factor, signup, users
from domain.services.auth import CHALLENGE_TTL, TokenPair

router = APIRouter(prefix="/auth", tags=["auth"])
PUBLIC_PATHS = {
    "/auth/register",
    "/auth/login",
    "/auth/login/second-factor",
    "/auth/refresh",
}


def _tokens(settings: Settings, pair: TokenPair) -> TokenOut:
    return TokenOut(
        access_token=pair.access.token,
        refresh_token=pair.refresh.token,
        expires_in=settings.access_token_expire_minutes * 60,
    )


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(body: RegisterIn, session: SessionDep, settings: SettingsDep, now: NowDep) -> UserOut:
    """Create an account (public) as REGISTRATION allows.

    `open`: anyone; `invite`: with an administrator's single-use `code` (422 without one,
    403 when it is unknown, used or expired); `closed`: nobody (403).
    """
    user = signup.sign_up(
        session,
        settings,
        username=body.username,
        password=body.password,
        now=now,
        code=body.code,
        display_name=body.display_name,
        email=body.email,
    )
    return UserOut.model_validate(user)


@router.post("/login")
def login(
    body: LoginIn, session: SessionDep, settings: SettingsDep, now: NowDep, client: ClientDep
) -> LoginOut:
    """Exchange a username and password for tokens (public; throttled per account and client).

    An account with two-factor login gets no tokens here: the answer has
    `two_factor_required: true` and a challenge token for `POST /auth/login/second-factor`.
    """
    step = auth.log_in(session, settings, body.username, body.password, now, client=client)
    if isinstance(step, auth.SecondFactorDue):
        return ChallengeOut(
            challenge_token=step.challenge.token,
            expires_in=int(CHALLENGE_TTL.total_seconds()),
        )
    return _tokens(settings, step.tokens)


@router.post("/login/second-factor")
def login_second_factor(
    body: SecondFactorIn, session: SessionDep, settings: SettingsDep, now: NowDep
) -> TokenOut:
    """Complete a two-factor login with a TOTP or recovery code (public; codes are throttled)."""
    done = auth.complete_login(session, settings, body.challenge_token, body.code, now)
    return _tokens(settings, done.tokens)


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


def _status(session: Session, user: User) -> TwoFactorStatusOut:
    state = second_factor.two_factor_status(session, user)
    return TwoFactorStatusOut(
        enabled=state.enabled,
        enabled_at=state.enabled_at,
        pending=state.pending,
        recovery_codes_left=state.recovery_codes_left,
    )


@router.get("/two-factor")
def two_factor_status(user: CurrentUser, session: SessionDep) -> TwoFactorStatusOut:
    """Whether login asks for a code, and how many recovery codes are left."""
    return _status(session, user)


@router.post("/two-factor/enrol")
def begin_two_factor(user: CurrentUser, session: SessionDep) -> EnrolmentOut:
    """Start (or restart) enrolment: a new secret for the authenticator app (409 when on)."""
    enrolment = second_factor.begin_enrolment(session, user)
    return EnrolmentOut(secret=enrolment.secret, provisioning_uri=enrolment.provisioning_uri)


@router.post("/two-factor/confirm")
def confirm_two_factor(
    body: CodeIn, user: CurrentUser, session: SessionDep, settings: SettingsDep, now: NowDep
) -> RecoveryCodesOut:
    """Turn two-factor login on with a code from the new secret; the recovery codes, once."""
    codes = second_factor.confirm_enrolment(session, settings, user, body.code, now)
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/two-factor/recovery-codes")
def regenerate_recovery_codes(
    body: CodeIn, user: CurrentUser, session: SessionDep, settings: SettingsDep, now: NowDep
) -> RecoveryCodesOut:
    """Replace the recovery codes (a code proves the second factor); the new ones, once."""
    codes = second_factor.regenerate_recovery_codes(session, settings, user, body.code, now)
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/two-factor/disable")
def disable_two_factor(
    body: DisableTwoFactorIn,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
) -> TwoFactorStatusOut:
    """Turn two-factor login off; it takes the password and a TOTP or recovery code."""
    second_factor.disable_two_factor(
        session, settings, user, password=body.password, code=body.code, now=now
    )
    return _status(session, user)
