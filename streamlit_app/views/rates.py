"""The exchange-rates section of Settings: type a rate, import the Bank of Israel's file, list."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pandas as pd
import streamlit as st

from domain.errors import InvalidInputError
from domain.services import rates
from domain.services.rates import RateDraft
from streamlit_app.i18n import DATE_FORMAT, _, show_date, show_table
from streamlit_app.views.forms import household_work, run_action, today_of


def _rate(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        raise InvalidInputError("rate", "must be a number such as 3.7215") from None


def rates_section(household_id: int) -> None:
    """Rates to the base currency: one typed by hand, a file imported, the newest listed."""
    today = today_of(household_id)
    with household_work(household_id) as (session, household):
        base = rates.base_currency(household)
        held = [
            {
                _("Date"): show_date(r.day),
                _("Currency"): r.currency,
                _("Rate"): f"{r.rate.normalize():f}",
                _("Source"): r.source,
            }
            for r in rates.list_rates(session, household, limit=200)
        ]
    st.subheader(_("Exchange rates"))
    st.caption(
        _(
            "Totals, reports and the forecast are in your base currency, {base}. An amount in "
            "another currency converts at the rate of its date, or the latest before it."
        ).format(base=base)
    )
    with st.form("rate_entry", clear_on_submit=True):
        cols = st.columns([1, 1, 1])
        day = cols[0].date_input(_("Date"), value=today, key="rate_day", format=DATE_FORMAT)
        code = cols[1].text_input(_("Currency"), key="rate_currency", max_chars=3)
        text = cols[2].text_input(_("Rate"), key="rate_value", placeholder="3.7215")
        if st.form_submit_button(_("Save rate")):

            def save() -> None:
                with household_work(household_id) as (session, household):
                    draft = RateDraft(day, code.strip().upper(), _rate(text))
                    rates.set_rate(session, household, draft)

            run_action(save, _("Rate saved."))
    upload = st.file_uploader(
        _("Bank of Israel representative rates (CSV or XML)"),
        type=["csv", "xml"],
        key="rates_file",
    )
    if upload is not None and st.button(_("Import rates"), key="rates_import"):

        def load() -> None:
            with household_work(household_id) as (session, household):
                done = rates.import_boi_rates(session, household, upload.getvalue())
            st.session_state["rates_imported"] = done.stored

        run_action(load, _("Rates imported."))
    if held:
        frame = pd.DataFrame(held)
        show_table(frame)
    else:
        st.caption(_("No rates yet: amounts in another currency cannot be added up."))
