"""Fast JSON answers for hot list routes: orjson, with Decimal amounts as strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from fastapi import Response


def _default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def json_response(body: Any) -> Response:
    """Serialise a body of dicts, lists, dates and Decimals (as strings) without revalidating.

    The route still declares its response model, so the OpenAPI schema is exact and
    schemathesis checks every answer against it.
    """
    return Response(orjson.dumps(body, default=_default), media_type="application/json")
