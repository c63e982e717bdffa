"""Page: home, the dashboard."""

from streamlit_app.views.dashboard import dashboard_page

dashboard_page()
