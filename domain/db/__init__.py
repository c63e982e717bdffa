"""Persistence: the engine, the tables and the read-model queries."""
