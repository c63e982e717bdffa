"""The accounts page: where the money sits, each card's use of its limit, statements, transfers."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from domain.i18n import N_
from domain.rules.display import display_number
from domain.services import account_views
from domain.services.account_views import AccountLine, AccountsOverview
from domain.services.dashboard import CardFigures
from streamlit_app import cache
from streamlit_app.i18n import _, language, show_date, show_money, show_table
from streamlit_app.session import may_write, require_household_id
from streamlit_app.views import account_forms
from streamlit_app.views.forms import account_choices, household_work, kind_word, today_of
from streamlit_app.views.statements import statement_view
from streamlit_app.views.transfers import recent_transfers, transfer_form

VIEWER_NOTE = N_("You are a viewer in this household: you can look, not change.")
HEADERS = {
    "name": N_("Account"),
    "kind": N_("Kind"),
    "institution": N_("Institution"),
    "balance": N_("Balance"),
    "note": N_("Note"),
}


@cache.cached
def overview(household_id: int, data: str, today: date) -> AccountsOverview:
    """Every account with its balance and each card's figures, for `data` (the version)."""
    del data
    with household_work(household_id) as (session, household):
        return account_views.accounts_overview(session, household, today)


def _note(line: AccountLine, names: dict[int, str]) -> str:
    parts = []
    if line.is_default:
        parts.append(_("default"))
    if line.archived:
        parts.append(_("archived"))
    if line.charged_to_id is not None:
        parts.append(_("charged to {bank}").format(bank=names.get(line.charged_to_id, "")))
    return " · ".join(parts)


def _table(found: AccountsOverview) -> None:
    names = {line.id: line.name for line in found.accounts}
    rows = [
        {
            "name": line.name,
            "kind": kind_word(line.kind),
            "institution": line.institution,
            "balance": show_money(line.balance, line.currency),
            "note": _note(line, names),
        }
        for line in found.accounts
    ]
    show_table(pd.DataFrame(rows, columns=list(HEADERS)), HEADERS, key="accounts_table")


def _totals(found: AccountsOverview) -> None:
    cols = st.columns(3)
    cols[0].metric(
        _("Your money"),
        show_money(found.cash),
        help=_("Bank, savings and cash accounts (and debit cards), in the household's currency."),
    )
    cols[1].metric(
        _("Owed on cards"),
        show_money(-found.owed),
        help=_("What the credit cards owe until their statements are charged to the bank."),
    )
    cols[2].metric(_("Money less what the cards owe"), show_money(found.cash + found.owed))


def _card(line: AccountLine, figures: CardFigures) -> None:
    """A card's use of its limit, the open statement so far and the next charge."""
    exposure = figures.exposure
    with st.container(border=True, key=f"card_{line.id}"):
        st.markdown(f"**{line.name}** · {line.institution}" if line.institution else line.name)
        if exposure.limit:
            share = exposure.used / exposure.limit
            st.progress(
                min(max(float(share), 0.0), 1.0),
                text=_("Used {used} of {limit} ({share}%)").format(
                    used=show_money(exposure.used, line.currency),
                    limit=show_money(exposure.limit, line.currency),
                    share=display_number(share * 100, language()),
                ),
            )
            if exposure.over_limit:
                st.warning(_("Over the limit."))
        else:
            st.caption(
                _("Used {used} · no credit limit recorded").format(
                    used=show_money(exposure.used, line.currency)
                )
            )
        cols = st.columns(3)
        cols[0].metric(
            _("Open statement so far"), show_money(exposure.open_statement, line.currency)
        )
        cols[1].metric(
            _("Next charge"),
            show_money(figures.next_charge_amount, line.currency),
            help=_("on {date}").format(date=show_date(figures.next_charge_date)),
        )
        cols[2].metric(
            _("Available"),
            show_money(exposure.available, line.currency)
            if exposure.available is not None
            else "—",
        )
        st.caption(
            _(
                "Next charge on {date} · statement closes on day {close}, charged on day {charge}"
            ).format(
                date=show_date(figures.next_charge_date),
                close=line.close_day,
                charge=line.charge_day,
            )
        )


def _cards(found: AccountsOverview) -> None:
    shown = [(line, found.cards[line.id]) for line in found.accounts if line.id in found.cards]
    if not shown:
        return
    st.subheader(_("Credit cards"))
    cols = st.columns(2)
    for index, (line, figures) in enumerate(shown):
        with cols[index % 2]:
            _card(line, figures)


def accounts_page() -> None:
    """Render the accounts page."""
    household_id = require_household_id()
    today = today_of(household_id)
    st.title(_("Accounts"))
    st.caption(
        _(
            "Where the money sits. Card purchases reach the bank on the card's charge day; "
            "a transfer moves money between accounts and changes no income or expense."
        )
    )
    found = overview(household_id, cache.version(household_id), today)
    writable = may_write()
    _totals(found)
    _table(found)
    _cards(found)
    cards = {
        line.id: line.name
        for line in found.accounts
        if line.kind == "credit_card" and not line.archived
    }
    statement_view(household_id, today, cards)
    choices = account_choices(household_id)
    st.subheader(_("Transfers"))
    if writable:
        transfer_form(household_id, today, choices)
    recent_transfers(household_id, choices)
    if not writable:
        st.info(_(VIEWER_NOTE))
        return
    st.subheader(_("Manage accounts"))
    account_forms.notes()
    banks = {
        line.id: line.name for line in found.accounts if line.kind == "bank" and not line.archived
    }
    account_forms.add_form(household_id, today, banks)
    account_forms.edit_form(household_id, today, found.accounts, banks)
