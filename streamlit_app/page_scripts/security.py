"""Page: security (two-factor login)."""

from streamlit_app.views.security import security_page

security_page()
