"""The logged-in user, as the pages need it."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from domain.db.models import User
from domain.services import users
from streamlit_app.auth import current_user_id
from streamlit_app.i18n import _


def require_user_id() -> int:
    """The logged-in user's id; stops the page when nobody is logged in."""
    user_id = current_user_id()
    if user_id is None:
        st.warning(_("Please log in."))
        st.stop()
    return user_id


def load_user(session: Session, user_id: int) -> User:
    """The user row inside the current unit of work."""
    return users.get_user(session, user_id)
