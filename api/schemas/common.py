"""Shared pieces of request and response bodies."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RequestBody(BaseModel):
    """Base of every request body: unknown fields are refused, text is trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseBody(BaseModel):
    """Base of every response body, read from ORM objects or dataclasses."""

    model_config = ConfigDict(from_attributes=True)


class Message(ResponseBody):
    """A short confirmation."""

    detail: str
