"""A group with everyone the room pages tell apart, and weekly slots placed around now.

No clock is frozen: a session whose slot must be open starts a few minutes ago in its own
time zone, one that must be closed starts a couple of hours from now.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.messages import get_messages
from django.utils import timezone

from alongside.accounts.models import User
from alongside.chat import services
from alongside.chat.models import Conversation
from alongside.communities import services as group_services
from alongside.communities.models import Group, Membership

MakeUser = Callable[..., User]


@dataclass
class RoomPeople:
    group: Group
    admin: User
    group_moderator: User
    facilitator: User
    member: User
    reader: User  # signed in, may read the open group's rooms, has not joined it


def join(user: User, group: Group) -> Membership:
    return group_services.group_join(
        user=user, group=group, invite_token=group.invite_token or None
    )


def make_people(make_user: MakeUser, visibility: str = Group.Visibility.OPEN) -> RoomPeople:
    admin = make_user("ada_admin", role="administrator")
    group = group_services.group_create(
        actor=admin,
        name="Evening circle",
        description="Talking at the end of the day.",
        visibility=visibility,
    )
    group_moderator = make_user("glen_mod")
    group_services.membership_set_role(
        actor=admin, membership=join(group_moderator, group), role=Membership.Role.MODERATOR
    )
    facilitator = make_user("fern_facilitates", role="peer_supporter")
    join(facilitator, group)
    member = make_user("moss_member")
    join(member, group)
    return RoomPeople(
        group=group,
        admin=admin,
        group_moderator=group_moderator,
        facilitator=facilitator,
        member=member,
        reader=make_user("rowan_reads"),
    )


def slot_from(
    start_in: timedelta, zone: str = "Europe/London", minutes: int = 60
) -> dict[str, Any]:
    """A weekly slot starting ``start_in`` from now (negative: already begun)."""
    starts = (timezone.now() + start_in).astimezone(ZoneInfo(zone)).replace(second=0, microsecond=0)
    return {
        "schedule_weekday": starts.weekday(),
        "schedule_start": starts.time(),
        "schedule_minutes": 60,
        "schedule_timezone": zone,
    }


def open_slot(zone: str = "Europe/London") -> dict[str, Any]:
    return slot_from(timedelta(minutes=-10), zone)


def closed_slot(zone: str = "Europe/London") -> dict[str, Any]:
    return slot_from(timedelta(hours=2), zone)


def make_session(people: RoomPeople, *, is_open: bool = True, **fields: Any) -> Conversation:
    slot = open_slot() if is_open else closed_slot()
    slot.update(fields.pop("slot", {}))
    return services.room_create(
        actor=people.group_moderator,
        group=people.group,
        title=fields.pop("title", "Tuesday drop-in"),
        kind=Conversation.Kind.SESSION,
        facilitator=fields.pop("facilitator", people.facilitator),
        ground_rules=fields.pop("ground_rules", "Listen first. No advice unless asked."),
        **slot,
        **fields,
    )


def make_room(people: RoomPeople, **fields: Any) -> Conversation:
    return services.room_create(
        actor=people.group_moderator,
        group=people.group,
        title=fields.pop("title", "Good news corner"),
        kind=Conversation.Kind.ROOM,
        **fields,
    )


def flashed(response: Any) -> list[str]:
    """The messages a view left for the next page (with any left unread before it: use a
    fresh client for each request whose messages are checked)."""
    return [str(message) for message in get_messages(response.wsgi_request)]
