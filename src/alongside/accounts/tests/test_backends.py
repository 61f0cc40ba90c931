from django.contrib.auth.models import Group as RoleGroup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alongside.accounts.models import User
from alongside.accounts.roles import Role


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_permissions_are_cached_across_requests(make_user) -> None:
    user = make_user("alder", role=Role.MODERATOR)
    assert fresh(user).has_perm("communities.moderate_all_groups")
    again = fresh(user)
    with CaptureQueriesContext(connection) as queries:
        assert again.has_perm("communities.moderate_all_groups")
    assert len(queries) == 0


def test_role_change_is_seen_at_once(make_user) -> None:
    user = make_user("birch")
    assert not fresh(user).has_perm("communities.moderate_all_groups")
    user.groups.add(RoleGroup.objects.get(name=Role.MODERATOR))
    assert fresh(user).has_perm("communities.moderate_all_groups")
    user.groups.remove(RoleGroup.objects.get(name=Role.MODERATOR))
    assert not fresh(user).has_perm("communities.moderate_all_groups")


def test_role_permission_change_is_seen_at_once(make_user) -> None:
    user = make_user("cedar", role=Role.MODERATOR)
    assert fresh(user).has_perm("communities.moderate_all_groups")
    RoleGroup.objects.get(name=Role.MODERATOR).permissions.clear()
    assert not fresh(user).has_perm("communities.moderate_all_groups")


def test_inactive_member_has_no_permissions(make_user) -> None:
    user = make_user("dune", role=Role.ADMINISTRATOR)
    assert fresh(user).has_perm("communities.create_groups")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert not fresh(user).has_perm("communities.create_groups")
