"""Page: security (two-factor login; an installation admin's sign-up codes)."""

from streamlit_app.views.security import security_page
from streamlit_app.views.signup_codes import signup_codes_section

security_page()
signup_codes_section()
