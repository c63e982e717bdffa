"""Text people type: what PostgreSQL cannot store is refused before it gets there."""

from __future__ import annotations

NUL = "\x00"


def text_problem(value: str) -> str | None:
    r"""Why a text cannot be stored, or None when it can.

    PostgreSQL text refuses NUL bytes, and a lone surrogate (from JSON's ``\ud800``)
    cannot be encoded as UTF-8; both would fail deep in the driver.
    """
    if NUL in value:
        return "must not contain a NUL character (\\u0000)"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode text (no lone surrogate such as \\ud800)"
    return None
