"""Showing a service's refusal on the form the member filled in, keeping what they typed."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def keep_service_errors(
    form: forms.Form, error: ValidationError, *, rename: Mapping[str, str] | None = None
) -> None:
    """Put a service's ``ValidationError`` on ``form``: beside the field it names when the form
    shows that field (``rename`` maps a service's field name to the form's), else at the top.

    Services validate again whatever the form checked, so a refusal can name a field the form
    does not have; it must still be shown, never lost.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = (rename or {}).get(field, field)
        form.add_error(target if target in form.fields else None, errors)
