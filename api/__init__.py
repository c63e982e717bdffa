"""The REST API: a thin FastAPI adapter over the domain services."""
