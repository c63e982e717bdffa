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
from streamlit_app.views.home import home_page
from streamlit_app.views.placeholder import coming_soon


def _pages() -> list[st.Page]:
    return [
        st.Page(home_page, title="Home", icon=":material/home:", url_path="home", default=True),
        st.Page(
            coming_soon("Transactions", "The ledger of money in and out, editable and filtered."),
            title="Transactions",
            icon=":material/receipt_long:",
            url_path="transactions",
        ),
        st.Page(
            coming_soon("Categories", "Income and expense categories."),
            title="Categories",
            icon=":material/category:",
            url_path="categories",
        ),
        st.Page(
            coming_soon("Fixed", "Salary, rent and other recurring income and expenses."),
            title="Fixed",
            icon=":material/event_repeat:",
            url_path="fixed",
        ),
        st.Page(
            coming_soon("Installments", "Purchases split into monthly payments."),
            title="Installments",
            icon=":material/credit_card:",
            url_path="installments",
        ),
        st.Page(
            coming_soon("Loans", "Loans with their amortization schedules."),
            title="Loans",
            icon=":material/account_balance:",
            url_path="loans",
        ),
        st.Page(
            coming_soon("Forecast", "The balance day by day, with its dips and their causes."),
            title="Forecast",
            icon=":material/trending_up:",
            url_path="forecast",
        ),
        st.Page(
            coming_soon("Alerts", "Warnings before the balance goes wrong."),
            title="Alerts",
            icon=":material/notifications:",
            url_path="alerts",
        ),
        st.Page(
            coming_soon("Settings", "Currency, timezone, horizon and thresholds."),
            title="Settings",
            icon=":material/settings:",
            url_path="settings",
        ),
        st.Page(
            coming_soon("Import & export", "Bank files in, Excel, CSV and PDF out."),
            title="Import & export",
            icon=":material/swap_vert:",
            url_path="import-export",
        ),
    ]


def main() -> None:
    """Route to the login page or to the app's pages."""
    st.set_page_config(page_title="Cashflow", page_icon=":material/savings:", layout="wide")
    restore_session(build_authenticator())
    if current_user_id() is None:
        st.navigation([st.Page(login_page, title="Log in", url_path="login")]).run()
        return
    st.sidebar.write(f"Signed in as **{st.session_state.get('name')}**")
    logout_button()
    st.navigation(_pages()).run()


main()
