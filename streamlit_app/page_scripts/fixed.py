"""Page: Fixed (not built yet)."""

from streamlit_app.views.placeholder import coming_soon

coming_soon("Fixed", "Salary, rent and other recurring income and expenses.")()
