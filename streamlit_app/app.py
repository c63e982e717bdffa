"""Entry point of the UI: `streamlit run streamlit_app/app.py` (or `cashflow ui`)."""

from __future__ import annotations

import streamlit as st

from streamlit_app.auth import (
    build_authenticator,
    current_user_id,
    login_page,
    logout_button,
    restore_session,
)
from streamlit_app.views.alerts import unread_badge

PAGES = (
    ("home", "Home", ":material/home:"),
    ("transactions", "Transactions", ":material/receipt_long:"),
    ("categories", "Categories", ":material/category:"),
    ("fixed", "Fixed", ":material/event_repeat:"),
    ("installments", "Installments", ":material/credit_card:"),
    ("loans", "Loans", ":material/account_balance:"),
    ("forecast", "Forecast", ":material/trending_up:"),
    ("scenarios", "Scenarios", ":material/alt_route:"),
    ("alerts", "Alerts", ":material/notifications:"),
    ("settings", "Settings", ":material/settings:"),
    ("import_export", "Import & export", ":material/swap_vert:"),
)


def _pages() -> list[st.Page]:
    return [
        st.Page(f"page_scripts/{name}.py", title=title, icon=icon, default=name == "home")
        for name, title, icon in PAGES
    ]


def main() -> None:
    """Route to the login page or to the app's pages."""
    st.set_page_config(page_title="Cashflow", page_icon=":material/savings:", layout="wide")
    restore_session(build_authenticator())
    if current_user_id() is None:
        st.navigation([st.Page(login_page, title="Log in", url_path="login")]).run()
        return
    st.sidebar.write(f"Signed in as **{st.session_state.get('name')}**")
    unread = unread_badge(int(current_user_id() or 0))
    if unread:
        st.sidebar.warning(
            f"{unread} unread alert{'s' if unread != 1 else ''}", icon=":material/notifications:"
        )
    logout_button()
    st.navigation(_pages()).run()


main()
