"""Page: Loans (not built yet)."""

from streamlit_app.views.placeholder import coming_soon

coming_soon("Loans", "Loans with their amortization schedules.")()
