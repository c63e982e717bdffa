"""Page: the ledger."""

from streamlit_app.views.transactions import transactions_page

transactions_page()
