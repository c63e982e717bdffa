"""Shared pieces of request and response bodies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field


class RequestBody(BaseModel):
    """Base of every request body: unknown fields are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseBody(BaseModel):
    """Base of every response body, read from ORM objects or dataclasses."""

    model_config = ConfigDict(from_attributes=True)


class Message(ResponseBody):
    """A short confirmation."""

    detail: str


MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
"""A row id in a body or a query: a positive bigint."""
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""A row id in the path: a positive bigint."""
