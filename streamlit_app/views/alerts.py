"""The alerts page: what needs attention, read, snooze, dismiss."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from domain.db.models import Alert
from domain.rules.alert_texts import TEXT, render
from domain.services import alerts, dashboard
from streamlit_app import cache
from streamlit_app.i18n import DATE_FORMAT, _, currency, language
from streamlit_app.session import require_household_id
from streamlit_app.views.forms import household_work, run_action, today_of

ICONS = {"critical": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}


@st.cache_resource
def _refreshed() -> dict[int, tuple[str, date]]:
    """Per household, the data version and day its alerts were last refreshed in this process."""
    return {}


def unread_badge(household_id: int) -> int:
    """The unread count for the sidebar; alerts are refreshed only when the data changed.

    It reads this run's data version (which the page's caches then use). The scheduler's
    alerts pass refreshes every household's alerts; here they are refreshed only after a
    write or on a new day, so a plain rerun costs two small reads.
    """
    today = today_of(household_id)
    with household_work(household_id) as (session, household):
        mark = (cache.read_version(session, household), today)
        if _refreshed().get(household_id) != mark:
            alerts.refresh_alerts(session, household, today, datetime.now(UTC))
            _refreshed()[household_id] = mark
        return alerts.unread_count(session, household, today)


def alert_texts(alert: Alert) -> tuple[str, str]:
    """An alert's title and message in the reader's language, with their money and dates.

    Alerts stored before their wording was kept show their stored (English) text.
    """
    wording: Any = (alert.data or {}).get(TEXT)
    try:
        values = wording["values"]
        return (
            render(wording["title"], values, language(), currency()),
            render(wording["message"], values, language(), currency()),
        )
    except (TypeError, KeyError, ValueError, ArithmeticError):
        return _(alert.title), _(alert.message)


def alerts_page() -> None:
    """Render the alerts."""
    household_id = require_household_id()
    today = today_of(household_id)
    now = datetime.now(UTC)
    st.title(_("Alerts"))
    with household_work(household_id) as (session, household):
        alerts.refresh_alerts(session, household, today, now)
        found = alerts.list_alerts(session, household, today)
        empty = not dashboard.has_data(session, household)
    if not found and empty:
        st.info(
            _(
                "Not enough data yet: alerts about the balance ahead start once your bank "
                "balance, a transaction or a recurring item is recorded."
            )
        )
        return
    if not found:
        st.success(_("Nothing needs your attention."))
        return

    def read_all() -> None:
        with household_work(household_id) as (session, household):
            alerts.mark_all_read(session, household, today, now)

    if st.button(_("Mark all read"), key="alerts_read_all"):
        run_action(read_all, _("All read.")) and st.rerun()
    for alert in found:
        with st.container(border=True):
            weight = "" if alert.read_at else "**"
            title, message = alert_texts(alert)
            st.markdown(f"{ICONS.get(alert.severity, '')} {weight}{title}{weight}")
            st.write(message)
            cols = st.columns([1, 1, 2, 1])
            _buttons(household_id, alert.id, alert.read_at is not None, list(cols), today)


def _buttons(
    household_id: int, alert_id: int, is_read: bool, cols: list[DeltaGenerator], today: date
) -> None:
    now = datetime.now(UTC)
    until = cols[2].date_input(
        _("Snooze until"),
        value=today + timedelta(days=7),
        format=DATE_FORMAT,
        key=f"alert_until_{alert_id}",
        label_visibility="collapsed",
    )

    def toggle() -> None:
        with household_work(household_id) as (session, household):
            alerts.mark_read(session, household, alert_id, now, read=not is_read)

    def snooze() -> None:
        with household_work(household_id) as (session, household):
            alerts.snooze(session, household, alert_id, until=until or today, today=today)

    def dismiss() -> None:
        with household_work(household_id) as (session, household):
            alerts.dismiss(session, household, alert_id, now)

    label = _("Mark unread") if is_read else _("Mark read")
    if cols[0].button(label, key=f"alert_read_{alert_id}"):
        run_action(toggle, _("Done.")) and st.rerun()
    if cols[1].button(_("Snooze"), key=f"alert_snooze_{alert_id}"):
        run_action(snooze, _("Snoozed.")) and st.rerun()
    if cols[3].button(_("Dismiss"), key=f"alert_dismiss_{alert_id}"):
        run_action(dismiss, _("Dismissed.")) and st.rerun()
