"""Pure business rules: no database, no web, no UI, no clock, no environment."""
