"""The scheduler process: registration of jobs and loops over domain services."""
