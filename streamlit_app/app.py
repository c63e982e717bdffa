"""Entry point of the UI: `streamlit run streamlit_app/app.py` (or `cashflow ui`)."""

from __future__ import annotations

import streamlit as st

from domain.i18n import N_
from domain.rules.currency import MissingRateError
from domain.services import users
from domain.services.user_settings import get_user_settings
from streamlit_app.auth import (
    build_authenticator,
    current_user_id,
    login_page,
    logout_button,
    restore_session,
)
from streamlit_app.db import transaction
from streamlit_app.i18n import _, apply_direction, n_, show_date, use_language
from streamlit_app.views.alerts import unread_badge

PAGES = (
    ("home", N_("Home"), ":material/home:"),
    ("transactions", N_("Transactions"), ":material/receipt_long:"),
    ("categories", N_("Categories"), ":material/category:"),
    ("fixed", N_("Fixed"), ":material/event_repeat:"),
    ("installments", N_("Installments"), ":material/credit_card:"),
    ("loans", N_("Loans"), ":material/account_balance:"),
    ("budgets", N_("Budgets"), ":material/savings:"),
    ("forecast", N_("Forecast"), ":material/trending_up:"),
    ("scenarios", N_("Scenarios"), ":material/alt_route:"),
    ("alerts", N_("Alerts"), ":material/notifications:"),
    ("settings", N_("Settings"), ":material/settings:"),
    ("import_export", N_("Import & export"), ":material/swap_vert:"),
)


def _pages() -> list[st.Page]:
    return [
        st.Page(f"page_scripts/{name}.py", title=_(title), icon=icon, default=name == "home")
        for name, title, icon in PAGES
    ]


def _load_language(user_id: int) -> None:
    """The user's language and currency, read every run so a change shows on the next click."""
    with transaction() as session:
        user = users.get_user(session, user_id)
        use_language(get_user_settings(session, user).language, user.currency)


def main() -> None:
    """Route to the login page or to the app's pages."""
    st.set_page_config(page_title="Cashflow", page_icon=":material/savings:", layout="wide")
    restore_session(build_authenticator())
    user_id = current_user_id()
    if user_id is None:
        use_language(None)
        apply_direction()
        st.navigation([st.Page(login_page, title=_("Log in"), url_path="login")]).run()
        return
    _load_language(user_id)
    apply_direction()
    st.sidebar.write(_("Signed in as **{name}**").format(name=st.session_state.get("name")))
    unread = unread_badge(user_id)
    if unread:
        st.sidebar.warning(
            n_("{count} unread alert", "{count} unread alerts", unread).format(count=unread),
            icon=":material/notifications:",
        )
    logout_button()
    try:
        st.navigation(_pages()).run()
    except MissingRateError as exc:  # a sum would mix currencies: say which rate is missing
        st.error(
            _(
                "No {currency} exchange rate on or before {date}: totals cannot add it to "
                "{base}. Add the rate under Settings, Exchange rates."
            ).format(currency=exc.currency, date=show_date(exc.day), base=exc.base)
        )


main()
