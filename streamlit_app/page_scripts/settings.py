"""Page: settings."""

from streamlit_app.views.settings import settings_page

settings_page()
