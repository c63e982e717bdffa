"""Cashflow's tests: real PostgreSQL, real HTTP, real browser."""
