"""Domain errors; each carries the HTTP status an adapter should answer with."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a business rule raises on purpose."""

    status_code = 400

    def __init__(self, message: str, *, keep_changes: bool = False) -> None:
        super().__init__(message)
        self.message = message
        # A refusal that must still be recorded (a failed login, a reused token):
        # the unit of work commits before answering.
        self.keep_changes = keep_changes


class NotFoundError(DomainError):
    """The thing does not exist, or belongs to someone else."""

    status_code = 404


class ForbiddenError(DomainError):
    """The person may see this, but their role does not allow the action."""

    status_code = 403


class ConflictError(DomainError):
    """The change clashes with what is stored (a duplicate name, say)."""

    status_code = 409


class InvalidInputError(DomainError):
    """A value breaks a rule; `field` names it and `index` the row of a bulk call."""

    status_code = 422

    def __init__(
        self, field: str, message: str, *, index: int | None = None, keep_changes: bool = False
    ) -> None:
        super().__init__(message, keep_changes=keep_changes)
        self.field = field
        self.index = index


class AuthenticationError(DomainError):
    """Credentials or a token were refused."""

    status_code = 401


class ThrottledError(DomainError):
    """Too many failed attempts; try again after `retry_after` seconds."""

    status_code = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
