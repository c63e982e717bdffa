"""Honest empty states for the areas that have not been built yet."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def coming_soon(title: str, what: str) -> Callable[[], None]:
    """A page that says plainly what will live here and that it is not built yet."""

    def page() -> None:
        st.title(title)
        st.info(f"{what}\n\nThis area is not built yet; nothing here is stored or computed.")

    page.__name__ = f"page_{title.lower().replace(' ', '_').replace('&', 'and')}"
    return page
