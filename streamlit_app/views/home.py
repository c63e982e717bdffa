"""The home page: who is logged in, and what the scheduler has been doing."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from domain.services import users
from domain.services.jobs import recent_job_runs
from streamlit_app.db import transaction
from streamlit_app.session import require_user_id


def _job_panel(user_id: int) -> None:
    with transaction() as session:
        runs = recent_job_runs(session, job="booking", limit=10)
        rows = [
            {
                "started": run.started_at,
                "finished": run.finished_at,
                "status": run.status,
                "booked for you": int((run.details.get("booked") or {}).get(str(user_id), 0)),  # type: ignore[attr-defined]
                "problem": (run.details.get("errors") or {}).get(str(user_id), ""),  # type: ignore[attr-defined]
            }
            for run in runs
        ]
    st.subheader("Scheduler")
    if not rows:
        st.info("The scheduler has not run yet; it books due payments daily at 00:05.")
        return
    st.dataframe(pd.DataFrame.from_records(rows), hide_index=True, width="stretch")


def home_page() -> None:
    """Greet the user and show the scheduler's recent passes."""
    user_id = require_user_id()
    with transaction() as session:
        user = users.get_user(session, user_id)
        name, currency, tz = user.display_name, user.currency, user.timezone
    st.title(f"Welcome, {name}")
    st.write(f"Currency **{currency}** · timezone **{tz}**")
    st.info(
        "Cashflow answers, day by day, what your balance will be, why, and what is safe "
        "to spend. Use the pages on the left to record money and look ahead."
    )
    _job_panel(user_id)
