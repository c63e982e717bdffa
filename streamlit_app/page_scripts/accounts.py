"""Page: accounts, cards, statements and transfers."""

from streamlit_app.views.accounts import accounts_page

accounts_page()
