"""Honest empty states for the areas that have not been built yet."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from streamlit_app.i18n import _


def coming_soon(title: str, what: str) -> Callable[[], None]:
    """A page that says plainly what will live here and that it is not built yet.

    `title` and `what` are catalog texts (marked with N_ where they are written).
    """

    def page() -> None:
        st.title(_(title))
        st.info(
            _(what) + "\n\n" + _("This area is not built yet; nothing here is stored or computed.")
        )

    page.__name__ = f"page_{title.lower().replace(' ', '_').replace('&', 'and')}"
    return page
