from typing import Any

from django.http import HttpRequest


def unread_chat(request: HttpRequest) -> dict[str, Any]:
    """The unread chat count shown in the header (filled in by the conversations UI work)."""
    return {}
