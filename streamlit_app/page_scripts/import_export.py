"""Page: Import & export (not built yet)."""

from streamlit_app.views.placeholder import coming_soon

coming_soon("Import & export", "Bank files in, Excel, CSV and PDF out.")()
