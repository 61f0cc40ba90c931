"""Model fields shared by several apps."""

from __future__ import annotations

import json
from typing import Any

from encrypted_fields.fields import EncryptedTextField


class EncryptedJSON(EncryptedTextField):
    """Any JSON value, encrypted at rest as one Fernet token.

    The library's own ``EncryptedJSONField`` encrypts each leaf separately as a string, so
    numbers come back as text and the shape of the data (list lengths, keys) stays readable in
    the database. One token hides both, and the value comes back exactly as stored.
    """

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return super().get_prep_value(json.dumps(value, separators=(",", ":")))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        text = super().from_db_value(value, expression, connection)
        return None if text is None else json.loads(text)
