"""Who is online, shown only as each member allows.

An open chat page marks its member online in the cache (shared by every worker: the data
folder cache, or Redis) and refreshes the mark with a ping every 30 seconds; the mark lapses
after ``ONLINE_SECONDS`` if the page went away without saying so. Whether someone sees the
mark depends on the owner's choice (``ChatPreferences.presence_visibility``): by default only
people they share a one-to-one with; never anyone outside their conversations.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from alongside.accounts.models import User
from alongside.chat.models import ChatPreferences, Conversation, Participant

ONLINE_SECONDS = 75
LISTED_PARTICIPANTS = 200


def _key(user_id: int) -> str:
    return f"chat:online:{user_id}"


def mark_online(user_id: int) -> None:
    cache.set(_key(user_id), 1, timeout=ONLINE_SECONDS)


def mark_offline(user_id: int) -> None:
    cache.delete(_key(user_id))


def _shows_presence(choice: str, conversation: Conversation) -> bool:
    if choice == ChatPreferences.PresenceVisibility.CONVERSATIONS:
        return True
    return choice == ChatPreferences.PresenceVisibility.DIRECT and conversation.is_direct


def participants_for(viewer: User, conversation: Conversation) -> list[dict[str, Any]]:
    """The other participants, each with ``online`` True/False where they let ``viewer``
    see it and None where they don't. Someone only reading a room sees nobody's presence."""
    rows = list(
        Participant.objects.filter(conversation=conversation, left_at__isnull=True)
        .exclude(user=viewer)
        .select_related("user")
        .order_by("joined_at")[:LISTED_PARTICIPANTS]
    )
    viewer_takes_part = Participant.objects.filter(
        conversation=conversation, user=viewer, left_at__isnull=True
    ).exists()
    choices = dict(
        ChatPreferences.objects.filter(user__in=[row.user_id for row in rows]).values_list(
            "user_id", "presence_visibility"
        )
    )
    online = cache.get_many([_key(row.user_id) for row in rows]) if viewer_takes_part else {}
    listed = []
    for row in rows:
        choice = choices.get(row.user_id, ChatPreferences.PresenceVisibility.DIRECT)
        visible = viewer_takes_part and _shows_presence(choice, conversation)
        listed.append(
            {
                "handle": row.user.handle,
                "online": (_key(row.user_id) in online) if visible else None,
                "last_read_seq": row.last_read_seq if conversation.is_direct else None,
            }
        )
    return listed
