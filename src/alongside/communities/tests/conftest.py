"""Groups of each visibility, and people standing in every relation to them.

``people`` holds, for one group, everyone the access rules tell apart: an anonymous visitor,
a signed-in member who has not joined, one waiting for approval, an active member, a group
moderator, and a site moderator who is not in the group.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import Group, Thread
from alongside.communities.tests.helpers import People, join, make_group_moderator

MakeUser = Callable[..., User]


@pytest.fixture
def admin(make_user: MakeUser) -> User:
    return make_user("ada", role="administrator")


@pytest.fixture
def site_moderator(make_user: MakeUser) -> User:
    return make_user("morgan", role="moderator")


@pytest.fixture
def make_group(admin: User) -> Callable[..., Group]:
    def make(
        name: str = "Quiet corner", visibility: str = Group.Visibility.OPEN, **fields: str
    ) -> Group:
        fields.setdefault("description", "A calm place to talk.")
        fields.setdefault("rules", "Be **kind**.")
        return services.group_create(actor=admin, name=name, visibility=visibility, **fields)

    return make


@pytest.fixture
def open_group(make_group: Callable[..., Group]) -> Group:
    return make_group("Open group", Group.Visibility.OPEN)


@pytest.fixture
def restricted_group(make_group: Callable[..., Group]) -> Group:
    return make_group("Restricted group", Group.Visibility.RESTRICTED)


@pytest.fixture
def hidden_group(make_group: Callable[..., Group]) -> Group:
    return make_group("Hidden group", Group.Visibility.HIDDEN)


@pytest.fixture
def people_for(make_user: MakeUser, site_moderator: User, admin: User) -> Callable[[Group], People]:
    counter = iter(range(1000))

    def make(group: Group) -> People:
        n = next(counter)
        pending = None
        if group.visibility == Group.Visibility.RESTRICTED:
            pending = make_user(f"pending{n}")
            services.group_join(user=pending, group=group)
        member = make_user(f"member{n}")
        join(member, group)
        group_moderator = make_user(f"groupmod{n}")
        make_group_moderator(group_moderator, group, admin)
        return People(
            group=group,
            anonymous=AnonymousUser(),
            outsider=make_user(f"outsider{n}"),
            pending=pending,
            member=member,
            group_moderator=group_moderator,
            site_moderator=site_moderator,
        )

    return make


@pytest.fixture
def thread_in() -> Callable[..., Thread]:
    def make(group: Group, author: User, title: str = "Hard week", body: str = "Hello") -> Thread:
        return services.thread_create(author=author, group=group, title=title, body=body)

    return make
