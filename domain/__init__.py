"""Cashflow's business rules: pure rules, persistence and the services that combine them."""
