"""Small helpers the communities tests share (fixtures live in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import Group, Membership, Post, Thread


def join(user: User, group: Group) -> Membership:
    """An active membership, whatever the group's visibility."""
    return services.group_join(user=user, group=group, invite_token=group.invite_token or None)


def make_group_moderator(user: User, group: Group, admin: User) -> Membership:
    membership = join(user, group)
    return services.membership_set_role(
        actor=admin, membership=membership, role=Membership.Role.MODERATOR
    )


@dataclass
class People:
    group: Group
    anonymous: AnonymousUser
    outsider: User
    pending: User | None
    member: User
    group_moderator: User
    site_moderator: User

    def get(self, name: str) -> User | AnonymousUser:
        person = getattr(self, name)
        assert person is not None
        return person


def opening_post(thread: Thread) -> Post:
    return Post.objects.get(thread=thread, is_opening=True)
