"""A credit card's statement: pick one, see its lines, purchases, refunds, total and dates."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from domain.i18n import N_
from domain.services import statements
from domain.services.statements import CardStatements, StatementView
from streamlit_app import cache
from streamlit_app.i18n import _, show_date, show_money, show_table
from streamlit_app.views.forms import household_work

PAST = 12
COMING = 3
STATUS_WORDS = {
    "history": N_("before tracking"),
    "charged": N_("charged"),
    "closed": N_("closed, to be charged"),
    "open": N_("open"),
    "coming": N_("coming"),
}
HEADERS = {
    "date": N_("Date"),
    "description": N_("Description"),
    "kind": N_("Kind"),
    "amount": N_("Amount"),
}


@cache.cached
def card_statements(household_id: int, data: str, card_id: int, today: date) -> CardStatements:
    """A card's last statements, the open one and the coming ones, for `data` (the version)."""
    del data
    with household_work(household_id) as (session, household):
        return statements.card_statements(
            session, household, card_id, today, past=PAST, coming=COMING
        )


def _label(statement: StatementView) -> str:
    return _("Closes {closes} · charged {charge} · {status}").format(
        closes=show_date(statement.closes),
        charge=show_date(statement.charge),
        status=_(STATUS_WORDS[statement.status]),
    )


def _kind(line_type: str, planned: bool) -> str:
    word = _("purchase") if line_type == "expense" else _("refund or payment")
    return _("{kind} (expected)").format(kind=word) if planned else word


def _lines(statement: StatementView, currency: str) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "date": show_date(line.date),
                "description": line.description,
                "kind": _kind(line.type, line.planned),
                "amount": show_money(line.amount, currency),
            }
            for line in statement.lines
        ],
        columns=list(HEADERS),
    )


def statement_view(household_id: int, today: date, cards: dict[int, str]) -> None:
    """Pick a card and one of its statements; show its lines and figures."""
    if not cards:
        return
    st.subheader(_("Card statements"))
    cols = st.columns([1, 2])
    card_id = cols[0].selectbox(
        _("Card"), list(cards), format_func=cards.__getitem__, key="statement_card"
    )
    found = card_statements(household_id, cache.version(household_id), int(card_id), today)
    every = [*found.past, found.open, *found.coming]
    picked = cols[1].selectbox(
        _("Statement"),
        range(len(every)),
        index=len(found.past),
        format_func=lambda i: _label(every[i]),
        key=f"statement_of_{card_id}",
    )
    _statement(every[int(picked)], found.currency)


def _statement(statement: StatementView, currency: str) -> None:
    figures = st.columns(4)
    figures[0].metric(_("Purchases"), show_money(statement.purchases, currency))
    figures[1].metric(_("Refunds and payments"), show_money(statement.refunds, currency))
    figures[2].metric(_("Total"), show_money(statement.total, currency))
    figures[3].metric(_("Charged on"), show_date(statement.charge))
    notes = [
        _("From {start} to {closes} · {status}").format(
            start=show_date(statement.opens_after + timedelta(days=1)),
            closes=show_date(statement.closes),
            status=_(STATUS_WORDS[statement.status]),
        )
    ]
    if statement.carried_in:
        notes.append(
            _("Credit carried in: {amount}").format(
                amount=show_money(statement.carried_in, currency)
            )
        )
    if statement.carried:
        notes.append(
            _("Credit carried to the next statement: {amount}").format(
                amount=show_money(statement.carried, currency)
            )
        )
    if statement.charged_amount is not None and statement.charged_amount != statement.total:
        notes.append(
            _("Charged to the bank: {amount}").format(
                amount=show_money(statement.charged_amount, currency)
            )
        )
    st.caption(" · ".join(notes))
    if statement.lines:
        show_table(_lines(statement, currency), HEADERS, key="statement_lines")
    else:
        st.info(_("Nothing on this statement."))
