"""The browser UI: a thin Streamlit adapter over the domain services."""
