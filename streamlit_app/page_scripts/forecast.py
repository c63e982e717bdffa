"""Page: forecast."""

from streamlit_app.views.forecast import forecast_page

forecast_page()
