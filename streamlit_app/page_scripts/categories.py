"""Page: categories."""

from streamlit_app.views.categories import categories_page

categories_page()
