"""Page: import and export."""

from streamlit_app.views.import_export import import_export_page

import_export_page()
