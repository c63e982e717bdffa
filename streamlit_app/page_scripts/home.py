"""Page: home."""

from streamlit_app.views.home import home_page

home_page()
