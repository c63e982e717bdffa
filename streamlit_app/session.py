"""The logged-in person and the household they act in, as the pages need them."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from domain.db.models import Household, User
from domain.rules.roles import WRITE, allows
from domain.services import households, users
from streamlit_app.auth import current_user_id
from streamlit_app.i18n import _

HOUSEHOLD = "cashflow_household_id"
ROLE = "cashflow_household_role"


def require_user_id() -> int:
    """The logged-in person's id; stops the page when nobody is logged in."""
    user_id = current_user_id()
    if user_id is None:
        st.warning(_("Please log in."))
        st.stop()
    return user_id


def require_household_id() -> int:
    """The id of the household this run acts in (chosen in the sidebar); stops without one."""
    require_user_id()
    household_id = st.session_state.get(HOUSEHOLD)
    if household_id is None:
        st.warning(_("You are not a member of any household."))
        st.stop()
    return int(household_id)


def may_write() -> bool:
    """Whether the person's role in the household lets them change its money."""
    return allows(str(st.session_state.get(ROLE, "viewer")), WRITE)


def load_user(session: Session, user_id: int) -> User:
    """The person's row inside the current unit of work."""
    return users.get_user(session, user_id)


def load_household(session: Session, household_id: int) -> Household:
    """The household's row inside the current unit of work (membership checked per run)."""
    return households.get_household(session, household_id)
