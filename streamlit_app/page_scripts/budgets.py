"""Page: budgets."""

from streamlit_app.views.budgets import budgets_page

budgets_page()
