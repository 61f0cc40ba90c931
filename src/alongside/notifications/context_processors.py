from typing import Any

from django.http import HttpRequest


def unread_notifications(request: HttpRequest) -> dict[str, Any]:
    """The unread count shown in the header, for signed-in members (cached; see selectors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from alongside.notifications.selectors import unread_count

    return {"unread_notification_count": unread_count(user=user)}
