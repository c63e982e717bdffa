"""The home page: who is logged in and what each area holds."""

from __future__ import annotations

import streamlit as st

from domain.services import users
from streamlit_app.auth import current_user_id
from streamlit_app.db import transaction


def home_page() -> None:
    """Greet the user and point at the areas."""
    user_id = current_user_id()
    if user_id is None:
        st.stop()
    with transaction() as session:
        user = users.get_user(session, user_id)
        name, currency, tz = user.display_name, user.currency, user.timezone
    st.title(f"Welcome, {name}")
    st.write(f"Currency **{currency}** · timezone **{tz}**")
    st.info(
        "Cashflow answers, day by day, what your balance will be, why, and what is safe "
        "to spend. Use the pages on the left to record money and look ahead."
    )
