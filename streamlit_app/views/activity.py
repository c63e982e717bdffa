"""The activity page: who changed what in the household, newest first."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from domain.db.models import AuditEntry
from domain.i18n import N_
from domain.rules.dates import exclusive_end, local_midnight, local_time, local_today
from domain.rules.roles import MANAGE_MEMBERS, allows
from domain.services import audit, households
from streamlit_app.db import transaction
from streamlit_app.i18n import DATE_FORMAT, _, show_date, show_table
from streamlit_app.session import load_user, require_household_id, require_user_id

ENTITIES = {
    "transaction": N_("Transaction"),
    "category": N_("Category"),
    "fixed": N_("Fixed item"),
    "fixed_pause": N_("Pause of a fixed item"),
    "installment": N_("Installment plan"),
    "loan": N_("Loan"),
    "loan_prepayment": N_("Loan prepayment"),
    "balance": N_("Balance"),
    "scenario": N_("Scenario"),
    "budget": N_("Budget"),
    "budget_settings": N_("Budget settings"),
    "rate": N_("Exchange rate"),
    "settings": N_("Settings"),
    "import": N_("Import"),
    "booking": N_("Scheduled bookings"),
    "category_rule": N_("Category rule"),
    "household": N_("Household"),
    "membership": N_("Membership"),
    "invitation": N_("Invitation"),
}
ACTIONS = {
    "create": N_("added"),
    "update": N_("changed"),
    "delete": N_("deleted"),
    "import": N_("imported"),
}
ACTORS = {"scheduler": N_("the scheduler"), "system": N_("the system")}
PAGE = 200


def changes_text(entry: AuditEntry) -> str:
    """What changed, as `field: before → after` pairs (or the fields of a new or gone row)."""
    before, after = entry.before or {}, entry.after or {}
    if entry.action == "update":
        return "; ".join(f"{k}: {before.get(k)} → {after.get(k)}" for k in sorted(after))
    shown = after or before
    return "; ".join(f"{k}: {v}" for k, v in sorted(shown.items()) if v not in (None, ""))


def _midnight_after(last: object, zone: str) -> datetime | None:
    """The instant after a picked last day ends, or None without a day."""
    stop = exclusive_end(last) if isinstance(last, date) else None
    return local_midnight(stop, zone) if stop else None


def _filters(user_id: int, household_id: int) -> tuple[audit.AuditFilter, bool]:
    with transaction() as session:
        scope = households.open_scope(session, load_user(session, user_id), household_id)
        people = households.list_members(session, scope)
        zone = scope.household.timezone
        sees_all = allows(scope.role, MANAGE_MEMBERS)
    cols = st.columns(4)
    names: dict[int | None, str] = {None: _("Everyone")}
    names.update({p.user_id: p.display_name for p in people})
    person = cols[0].selectbox(
        _("Person"), list(names), format_func=names.__getitem__, disabled=not sees_all
    )
    kinds: dict[str | None, str] = {None: _("Everything")}
    kinds.update({code: _(label) for code, label in ENTITIES.items()})
    entity = cols[1].selectbox(_("What"), list(kinds), format_func=kinds.__getitem__)
    today = local_today(datetime.now(UTC), zone)
    start = cols[2].date_input(_("From"), today - timedelta(days=30), format=DATE_FORMAT)
    end = cols[3].date_input(_("To"), today, format=DATE_FORMAT)
    spec = audit.AuditFilter(
        actor_id=person,
        entity=entity,
        start=local_midnight(start, zone) if isinstance(start, date) else None,
        end=_midnight_after(end, zone),
    )
    return spec, sees_all


def _when(entry: AuditEntry, zone: str) -> str:
    moment = local_time(entry.at, zone)
    return f"{show_date(moment.date())} {moment:%H:%M}"


def _who(name: str | None, entry: AuditEntry) -> str:
    if entry.actor_kind in ACTORS:
        return _(ACTORS[entry.actor_kind])
    return name or _("a former member")


def activity_page() -> None:
    """Render the household's activity."""
    user_id = require_user_id()
    household_id = require_household_id()
    st.title(_("Activity"))
    spec, sees_all = _filters(user_id, household_id)
    if not sees_all:
        st.caption(_("You see your own changes; owners and admins see everyone's."))
    with transaction() as session:
        scope = households.open_scope(session, load_user(session, user_id), household_id)
        page = audit.list_entries(session, scope, spec, limit=PAGE)
        rows: list[dict[str, Any]] = [
            {
                "when": _when(entry, scope.household.timezone),
                "who": _who(name, entry),
                "what": _(ENTITIES.get(entry.entity, entry.entity)),
                "id": entry.entity_id,
                "action": _(ACTIONS.get(entry.action, entry.action)),
                "changes": changes_text(entry),
            }
            for entry, name in page.rows
        ]
    if not rows:
        st.info(_("No changes in this period."))
        return
    st.caption(_("{shown} of {total} changes").format(shown=len(rows), total=page.total))
    show_table(
        pd.DataFrame(rows),
        {
            "when": N_("When"),
            "who": N_("Who"),
            "what": N_("What"),
            "id": N_("Id"),
            "action": N_("Action"),
            "changes": N_("Changes"),
        },
    )
