"""Entry point of the UI: `streamlit run streamlit_app/app.py` (or `cashflow ui`)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from domain.errors import DomainError
from domain.i18n import N_
from domain.rules.currency import MissingRateError
from domain.services import households, users
from streamlit_app.auth import current_user_id, logout_button, restore_session
from streamlit_app.db import transaction
from streamlit_app.i18n import _, apply_direction, n_, show_date, use_language
from streamlit_app.session import HOUSEHOLD, ROLE
from streamlit_app.views.alerts import unread_badge
from streamlit_app.welcome import public_pages

PICKER = "household_picker"

# The pages, in sections: the money as it is, the money ahead, and the household's own.
SECTIONS = (
    (
        N_("Money"),
        (
            ("home", N_("Home"), ":material/home:"),
            ("transactions", N_("Transactions"), ":material/receipt_long:"),
            ("accounts", N_("Accounts"), ":material/account_balance_wallet:"),
            ("categories", N_("Categories"), ":material/category:"),
            ("fixed", N_("Fixed"), ":material/event_repeat:"),
            ("installments", N_("Installments"), ":material/credit_card:"),
            ("loans", N_("Loans"), ":material/account_balance:"),
            ("budgets", N_("Budgets"), ":material/savings:"),
        ),
    ),
    (
        N_("Ahead"),
        (
            ("forecast", N_("Forecast"), ":material/trending_up:"),
            ("scenarios", N_("Scenarios"), ":material/alt_route:"),
            ("alerts", N_("Alerts"), ":material/notifications:"),
        ),
    ),
    (
        N_("Household"),
        (
            ("household", N_("Household"), ":material/group:"),
            ("activity", N_("Activity"), ":material/history:"),
            ("settings", N_("Settings"), ":material/settings:"),
            ("security", N_("Security"), ":material/lock:"),
            ("import_export", N_("Import & export"), ":material/swap_vert:"),
        ),
    ),
)


def _pages() -> dict[str, list[st.Page]]:
    return {
        _(section): [
            st.Page(f"page_scripts/{name}.py", title=_(title), icon=icon, default=name == "home")
            for name, title, icon in pages
        ]
        for section, pages in SECTIONS
    }


def _load_scope(user_id: int) -> bool:
    """The person's language and the household this run acts in, read every run.

    A change (of language, of household, of role) shows on the next click; a person
    who lost the chosen household falls back to their default one. False when the person
    has no household they may open (one that requires two-factor login, say).
    """
    with transaction() as session:
        user = users.get_user(session, user_id)
        homes = households.memberships_of(session, user)
        chosen = st.session_state.get(HOUSEHOLD)
        try:
            scope = households.open_scope(
                session, user, chosen if chosen in {h.id for h, _r in homes} else None
            )
        except DomainError as exc:
            use_language(user.language)
            st.session_state.pop(HOUSEHOLD, None)
            st.session_state[ROLE] = "viewer"
            st.sidebar.error(_(exc.message))
            if len(homes) > 1:  # another household may open
                _household_picker([(h.id, h.name) for h, _r in homes], None)
            return False
        use_language(user.language, scope.household.currency)
        st.session_state[HOUSEHOLD] = scope.household.id
        st.session_state[ROLE] = scope.role
        if len(homes) > 1:
            _household_picker([(h.id, h.name) for h, _r in homes], scope.household.id)
        return True


def _pick_household() -> None:
    st.session_state[HOUSEHOLD] = st.session_state.get(PICKER)


def _household_picker(homes: list[tuple[int, str]], current: int | None) -> None:
    """The sidebar's household selector; the choice holds for this browser session.

    The widget shows the household the run acts in (which may have changed elsewhere,
    an accepted invitation, say); picking another takes effect before the next run.
    """
    names = dict(homes)
    ids = [h for h, _n in homes]
    nothing_yet: dict[str, Any] = {}
    if current in ids:
        st.session_state[PICKER] = current
    else:
        st.session_state.pop(PICKER, None)
        nothing_yet["index"] = None
    st.sidebar.selectbox(
        _("Household"),
        ids,
        **nothing_yet,
        format_func=names.__getitem__,
        key=PICKER,
        on_change=_pick_household,
        placeholder=_("Choose a household"),
    )


def main() -> None:
    """Route to the login page or to the app's pages."""
    st.set_page_config(page_title="Cashflow", page_icon=":material/savings:", layout="wide")
    restore_session()
    user_id = current_user_id()
    if user_id is None:
        use_language(None)
        apply_direction()
        st.navigation(public_pages(), position="hidden").run()
        return
    in_household = _load_scope(user_id)
    apply_direction()
    st.sidebar.write(_("Signed in as **{name}**").format(name=st.session_state.get("name")))
    unread = unread_badge(st.session_state[HOUSEHOLD]) if in_household else 0
    if unread:
        st.sidebar.warning(
            n_("{count} unread alert", "{count} unread alerts", unread).format(count=unread),
            icon=":material/notifications:",
        )
    logout_button()
    try:
        st.navigation(_pages(), expanded=True).run()
    except MissingRateError as exc:  # a sum would mix currencies: say which rate is missing
        st.error(
            _(
                "No {currency} exchange rate on or before {date}: totals cannot add it to "
                "{base}. Add the rate under Settings, Exchange rates."
            ).format(currency=exc.currency, date=show_date(exc.day), base=exc.base)
        )


main()
