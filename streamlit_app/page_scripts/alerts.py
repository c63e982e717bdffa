"""Page: Alerts (not built yet)."""

from streamlit_app.views.placeholder import coming_soon

coming_soon("Alerts", "Warnings before the balance goes wrong.")()
