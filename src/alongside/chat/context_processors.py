"""The unread chat count in the header, on every page a signed-in member sees.

One indexed query (the member's conversations joined to the messages after their read mark),
and only when a template actually shows the count: the value is a function the template
calls on first use and remembers.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.db.models import F
from django.http import HttpRequest

from alongside.accounts.models import User
from alongside.chat.models import Message
from alongside.communities.models import ModerationState


def unread_total(user: User) -> int:
    """Messages from others after the member's read mark, across their conversations.

    Counts what ``selectors.conversations_for`` counts per conversation, in one query that
    walks the member's participations and, in each conversation, only the messages numbered
    after their mark (the (conversation, seq) index).
    """
    return (
        Message.objects.filter(
            conversation__participants__user=user,
            conversation__participants__left_at__isnull=True,
            seq__gt=F("conversation__participants__last_read_seq"),
            kind=Message.Kind.MEMBER,
            moderation_state=ModerationState.PUBLISHED,
            deleted_at__isnull=True,
        )
        .exclude(author=user)
        .count()
    )


def unread_chat(request: HttpRequest) -> dict[str, Any]:
    """``unread_chat_count`` for the header link (nothing for visitors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count: Callable[[], int] = cache(lambda: unread_total(user))
    return {"unread_chat_count": count}
