"""The `cashflow` command: launcher of the API, the UI, the scheduler and the database."""
