"""Page: scenarios."""

from streamlit_app.views.scenarios import scenarios_page

scenarios_page()
