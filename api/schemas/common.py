"""Shared pieces of request and response bodies: the text, date and null rules of every input."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, TypeVar, get_args

from fastapi import Path
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    field_validator,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema, WithJsonSchema

from domain.rules.dates import DATE_RANGE_TEXT, date_in_range
from domain.rules.text import text_problem

T = TypeVar("T")


def check_texts(value: T) -> T:
    """Refuse text PostgreSQL cannot store, wherever it sits in a value (lists, mappings)."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            check_texts(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_texts(key)
            check_texts(item)
    return value


class CheckedText(BaseModel):
    """A model whose every text field is refused when PostgreSQL could not store it.

    One place for the rule, so a field added tomorrow is covered the day it is added.
    """

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        return check_texts(value)


def _admits_bool(annotation: object) -> bool:
    return annotation is bool or any(_admits_bool(arg) for arg in get_args(annotation))


def _holds_bool(value: object) -> bool:
    return isinstance(value, bool) or (
        isinstance(value, list | tuple) and any(isinstance(item, bool) for item in value)
    )


class RequestBody(CheckedText):
    """Base of every request body: unknown fields are refused, text is trimmed and storable.

    JSON's true and false are refused where a number or an id is expected (pydantic
    would read them as 1 and 0, which the published schema does not allow).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_flags_for_numbers(cls, data: Any) -> Any:
        # A model validator, not a field one: field validators may not run before a
        # discriminator (the scenario operations' `op`).
        if isinstance(data, dict):
            for name, value in data.items():
                field = cls.model_fields.get(name)
                if field is not None and _holds_bool(value) and not _admits_bool(field.annotation):
                    raise ValueError(f"{name}: true or false is not a value of this field")
        return data


class QueryModel(CheckedText):
    """Base of query-string models: storable, trimmed text."""

    model_config = ConfigDict(str_strip_whitespace=True)


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
Offset = Annotated[int, Field(ge=0, le=MAX_ID)]
"""How many rows a page skips: a bigint."""

Text = Annotated[str, BeforeValidator(check_texts)]
"""A free text outside a body model (a query or form field): storable."""

DATE_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_DATE_RE = re.compile(DATE_PATTERN)


def parse_user_date(value: object) -> dt.date:
    """A date a person gives: an ISO string (YYYY-MM-DD), between 1900 and 2100."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, str) and _DATE_RE.match(value):
        try:
            parsed = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("not a day of the calendar") from None
    else:
        raise ValueError("must be a date string such as 2027-01-31 (YYYY-MM-DD)")
    if not date_in_range(parsed):
        raise ValueError(f"must be {DATE_RANGE_TEXT}")
    return parsed


UserDate = Annotated[
    dt.date,
    PlainValidator(parse_user_date),
    PlainSerializer(dt.date.isoformat, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
"""A date in a request: ISO text only (never a number), from 1900-01-01 to 2100-12-31."""


def _refuse_null(value: object) -> object:
    if value is None:
        raise ValueError("may not be null; leave the field out to keep its value")
    return value


NotNull = Annotated[T | SkipJsonSchema[None], BeforeValidator(_refuse_null)]
"""A field of a change that may be left out but never set to null (the value is required)."""

MONTH_PATTERN = r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"
"""A month a person picks, YYYY-MM, within the years every date keeps to."""
