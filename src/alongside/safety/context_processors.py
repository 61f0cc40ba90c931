from typing import Any

from django.http import HttpRequest

from alongside.safety import support


def support_notice(request: HttpRequest) -> dict[str, Any]:
    """The author's support note from their last post, shown once on the next page."""
    return {"support_notice": support.pop(request)}
