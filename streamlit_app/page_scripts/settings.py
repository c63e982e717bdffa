"""Page: Settings (not built yet)."""

from streamlit_app.views.placeholder import coming_soon

coming_soon("Settings", "Currency, timezone, horizon and thresholds.")()
