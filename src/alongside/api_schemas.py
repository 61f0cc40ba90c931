"""Response schemas shared by every router of the JSON API (errors, mostly).

Kept apart from ``alongside.api`` so routers can import them without importing the root API
that imports the routers.
"""

from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from ninja import Schema


class ErrorOut(Schema):
    """Every refusal but validation: 401, 403, 404, 409."""

    detail: str


class CrisisLineOut(Schema):
    """One crisis line, as the "Get help now" page shows it (every router that returns
    crisis support uses this one schema)."""

    name: str
    phone: str
    text: str
    web: str
    hours: str


class ValidationErrorOut(Schema):
    """A request that fails the schema, or that a service refused as invalid (422)."""

    detail: list[dict[str, Any]]


def validation_problems(error: ValidationError) -> list[dict[str, Any]]:
    """A service's ValidationError in the shape of ninja's own 422 (``ValidationErrorOut``)."""
    if not hasattr(error, "error_dict"):
        return [{"type": "refused", "loc": ["body"], "msg": message} for message in error.messages]
    return [
        {
            "type": "refused",
            "loc": ["body"] if field == NON_FIELD_ERRORS else ["body", field],
            "msg": message,
        }
        for field, errors in error.message_dict.items()
        for message in errors
    ]
