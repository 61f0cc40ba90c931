"""Response schemas shared by every router of the JSON API (errors, mostly).

Kept apart from ``alongside.api`` so routers can import them without importing the root API
that imports the routers.
"""

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """Every refusal: 400, 401, 403, 404, 409."""

    detail: str


class ValidationErrorOut(Schema):
    """A request whose parameters or body do not match the schema (422)."""

    detail: list[dict[str, Any]]
