"""Page: the household, its members and invitations."""

from streamlit_app.views.household import household_page

household_page()
