"""Page: fixed items."""

from streamlit_app.views.fixed import fixed_page

fixed_page()
