"""Use cases: one function each, the only entry into the domain for every adapter."""
