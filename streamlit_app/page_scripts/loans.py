"""Page: loans."""

from streamlit_app.views.loans import loans_page

loans_page()
