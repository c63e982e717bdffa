"""Page: Installments (not built yet)."""

from streamlit_app.views.placeholder import coming_soon

coming_soon("Installments", "Purchases split into monthly payments.")()
