"""Page: Forecast (not built yet)."""

from streamlit_app.views.placeholder import coming_soon

coming_soon("Forecast", "The balance day by day, with its dips and their causes.")()
