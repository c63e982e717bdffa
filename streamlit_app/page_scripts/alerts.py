"""Page: alerts."""

from streamlit_app.views.alerts import alerts_page

alerts_page()
