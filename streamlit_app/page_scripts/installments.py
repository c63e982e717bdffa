"""Page: installments."""

from streamlit_app.views.installments import installments_page

installments_page()
