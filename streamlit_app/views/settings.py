"""The settings page: preferences, thresholds, and the bank balance."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from domain.rules.money import format_money
from domain.services import balance
from domain.services.household_settings import get_household_settings, update_household_settings
from domain.services.users import set_language
from streamlit_app.i18n import (
    DATE_FORMAT,
    _,
    language,
    select_code,
    show_date,
    show_money,
    show_table,
)
from streamlit_app.session import load_user, require_household_id, require_user_id
from streamlit_app.views.forms import household_work, money, run_action, today_of
from streamlit_app.views.rates import rates_section

SAVED = "settings_saved"
TIMEZONES = ["Asia/Jerusalem", "Europe/London", "Europe/Berlin", "America/New_York", "UTC"]


def _balance_section(household_id: int) -> None:
    today = today_of(household_id)
    with household_work(household_id) as (session, household):
        current = balance.current_balance(session, household, today)
        history = balance.balance_history(session, household, limit=20)
        rows = [
            {
                _("As of"): show_date(r.as_of),
                _("Amount"): show_money(r.amount),
                _("Note"): r.note,
            }
            for r in history
        ]
    st.subheader(_("Bank balance"))
    st.metric(_("Balance now"), show_money(current.amount))
    if current.as_of:
        st.caption(
            _("Recorded {recorded} on {date}, then {movements} of movements.").format(
                recorded=show_money(current.recorded),
                date=show_date(current.as_of),
                movements=show_money(current.movements),
            )
        )
    else:
        st.caption(_("No balance recorded yet: the balance is the sum of your transactions."))
    with st.form("balance_record", clear_on_submit=True):
        cols = st.columns([1, 1, 2])
        amount = cols[0].text_input(_("Balance"), key="balance_amount", placeholder="0.00")
        as_of = cols[1].date_input(
            _("At the end of"), value=today, key="balance_as_of", format=DATE_FORMAT
        )
        note = cols[2].text_input(_("Note"), key="balance_note", max_chars=200)
        if st.form_submit_button(_("Record balance")):

            def record() -> None:
                with household_work(household_id) as (session, household):
                    balance.record_balance(
                        session,
                        household,
                        amount=money(amount, "amount"),
                        as_of=as_of,
                        today=today,
                        note=note,
                    )

            run_action(record, _("Balance recorded."))
    if rows:
        frame = pd.DataFrame(rows)
        show_table(frame)


def _preferences(household_id: int) -> None:
    with household_work(household_id) as (session, household):
        row = get_household_settings(session, household)
        now: dict[str, Any] = {
            "currency": household.currency,
            "timezone": household.timezone,
            "language": language(),
            "horizon": row.forecast_horizon_months,
            "warning": format_money(row.warning_threshold),
            "critical": format_money(row.critical_threshold),
            "week_start": row.week_start,
            "share": int(row.large_payment_share * 100),
            "history": row.include_history,
        }
    st.subheader(_("Preferences"))
    if st.session_state.pop(SAVED, False):
        st.success(_("Settings saved."))
    with st.form("settings_form"):
        cols = st.columns(3)
        currency = cols[0].text_input(
            _("Base currency"), value=now["currency"], max_chars=3, key="set_currency"
        )
        zones = [now["timezone"], *[z for z in TIMEZONES if z != now["timezone"]]]
        timezone = cols[1].selectbox(_("Timezone"), zones, key="set_timezone")
        language_choice = select_code(
            cols[2],
            _("Language"),
            ["he", "en"],
            index=["he", "en"].index(now["language"]),
            key="set_language",
        )
        cols = st.columns(3)
        horizon = cols[0].slider(
            _("Forecast horizon (months)"), 1, 36, now["horizon"], key="set_horizon"
        )
        warning = cols[1].text_input(
            _("Warning threshold"), value=now["warning"], key="set_warning"
        )
        critical = cols[2].text_input(
            _("Critical threshold"), value=now["critical"], key="set_critical"
        )
        cols = st.columns(3)
        week = select_code(
            cols[0],
            _("Week starts on"),
            ["sunday", "monday"],
            index=["sunday", "monday"].index(now["week_start"]),
            key="set_week",
        )
        share = cols[1].number_input(
            _("Large payment (percent of monthly income)"), 1, 500, now["share"], key="set_share"
        )
        history = cols[2].toggle(
            _("Forecast everyday spending"), value=now["history"], key="set_history"
        )
        if st.form_submit_button(_("Save settings"), type="primary"):

            def save() -> None:
                with household_work(household_id) as (session, household):
                    set_language(session, load_user(session, require_user_id()), language_choice)
                    update_household_settings(
                        session,
                        household,
                        {
                            "currency": currency.strip().upper(),
                            "timezone": timezone,
                            "forecast_horizon_months": int(horizon),
                            "warning_threshold": money(warning, "warning_threshold"),
                            "critical_threshold": money(critical, "critical_threshold"),
                            "week_start": week,
                            "large_payment_share": money(str(share), "large_payment_share") / 100,
                            "include_history": history,
                        },
                    )

            if run_action(save, _("Settings saved.")):
                st.session_state[SAVED] = True
                st.rerun()  # the whole page, sidebar too, in the new language at once


def settings_page() -> None:
    """Render the settings."""
    household_id = require_household_id()
    st.title(_("Settings"))
    _preferences(household_id)
    _balance_section(household_id)
    rates_section(household_id)
