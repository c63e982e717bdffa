"""Page: who changed what in the household."""

from streamlit_app.views.activity import activity_page

activity_page()
