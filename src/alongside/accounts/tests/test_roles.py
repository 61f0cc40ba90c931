from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import Group as RoleGroup
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from alongside.accounts import access
from alongside.accounts.models import RoleChange
from alongside.accounts.roles import ROLE_PERMISSIONS, Role
from alongside.accounts.selectors import users_role_names
from alongside.accounts.services import role_assign, role_remove, roles_set

pytestmark = pytest.mark.django_db

ALL_PERMISSIONS = sorted({perm for perms in ROLE_PERMISSIONS.values() for perm in perms})


class TestAccessHelpers:
    @pytest.mark.parametrize("role", [role.value for role in Role])
    def test_each_role_has_exactly_its_permissions(self, role_users, role) -> None:
        user = role_users[role]
        for perm in ALL_PERMISSIONS:
            assert access.has_permission(user, perm) == (perm in ROLE_PERMISSIONS[role]), perm

    def test_anonymous_and_none_have_nothing(self) -> None:
        for user in (AnonymousUser(), None):
            assert not access.has_permission(user, access.ASSIGN_ROLES)
            assert not access.is_moderator(user)
            assert not access.is_peer_supporter(user)
            assert access.user_role_names(user) == []

    def test_inactive_members_have_nothing(self, make_user) -> None:
        user = make_user(role=Role.ADMINISTRATOR, is_active=False)
        assert not access.has_permission(user, access.ASSIGN_ROLES)

    def test_require_permission(self, role_users) -> None:
        access.require_permission(role_users["administrator"], access.PUBLISH_POLICIES)
        with pytest.raises(PermissionDenied):
            access.require_permission(role_users["moderator"], access.PUBLISH_POLICIES)
        with pytest.raises(PermissionDenied):
            access.require_permission(AnonymousUser(), access.PUBLISH_POLICIES)

    def test_moderator_and_peer_supporter(self, role_users) -> None:
        assert access.is_moderator(role_users["moderator"])
        assert access.is_moderator(role_users["administrator"])
        assert not access.is_moderator(role_users["peer_supporter"])
        assert not access.is_moderator(role_users["member"])
        assert access.is_peer_supporter(role_users["peer_supporter"])
        assert not access.is_peer_supporter(role_users["moderator"])

    def test_role_names_in_order_and_badges(self, make_user) -> None:
        user = make_user(role=Role.MODERATOR)
        for role in (Role.MEMBER, Role.PEER_SUPPORTER):
            user.groups.add(RoleGroup.objects.get(name=role))
        names = access.user_role_names(user)
        assert names == ["member", "peer_supporter", "moderator"]
        assert access.role_badges(names) == [Role.PEER_SUPPORTER, Role.MODERATOR]

    def test_role_names_for_many_members_in_one_query(
        self, role_users, django_assert_num_queries
    ) -> None:
        ids = [user.pk for user in role_users.values()]
        with django_assert_num_queries(1):
            names = users_role_names(user_ids=ids)
        assert names[role_users["moderator"].pk] == ["moderator"]
        assert names[role_users["member"].pk] == ["member"]


class TestRoleServices:
    def test_administrator_assigns_and_removes_with_an_audit_trail(self, role_users) -> None:
        admin, member = role_users["administrator"], role_users["member"]
        assert role_assign(actor=admin, user=member, role=Role.MODERATOR)
        assert access.is_moderator(member)
        assert not role_assign(actor=admin, user=member, role=Role.MODERATOR)
        assert role_remove(actor=admin, user=member, role=Role.MODERATOR)
        assert not access.is_moderator(member)
        actions = list(
            RoleChange.objects.filter(user=member).order_by("id").values_list("action", "actor")
        )
        assert actions == [("assigned", admin.pk), ("removed", admin.pk)]

    @pytest.mark.parametrize("role", ["member", "peer_supporter", "moderator", "researcher"])
    def test_only_holders_of_assign_roles_may(self, role_users, role) -> None:
        target = role_users["member"]
        with pytest.raises(PermissionDenied):
            role_assign(actor=role_users[role], user=target, role=Role.MODERATOR)
        with pytest.raises(PermissionDenied):
            role_remove(actor=role_users[role], user=role_users["moderator"], role=Role.MODERATOR)
        assert not RoleChange.objects.exists()

    def test_unknown_role_is_refused(self, role_users) -> None:
        with pytest.raises(ValidationError):
            role_assign(actor=role_users["administrator"], user=role_users["member"], role="god")

    def test_administrators_cannot_remove_their_own_administrator_role(self, role_users) -> None:
        admin = role_users["administrator"]
        with pytest.raises(ValidationError):
            role_remove(actor=admin, user=admin, role=Role.ADMINISTRATOR)

    def test_roles_set_keeps_member(self, role_users) -> None:
        admin, target = role_users["administrator"], role_users["moderator"]
        roles_set(actor=admin, user=target, roles=["peer_supporter"])
        assert access.user_role_names(target) == ["member", "peer_supporter"]


class TestMemberRolesPage:
    def url(self, handle: str = "user_member") -> str:
        return reverse("accounts:member_roles", args=[handle])

    def test_administrator_sets_roles(self, role_users, client_for) -> None:
        client = client_for(role_users["administrator"])
        page = client.get(self.url())
        assert page.status_code == 200
        assert 'name="roles"' in page.content.decode()
        response = client.post(self.url(), {"roles": ["peer_supporter", "researcher"]})
        assert response.status_code == 302
        target = role_users["member"]
        assert access.user_role_names(target) == ["member", "peer_supporter", "researcher"]
        history = client.get(self.url()).content.decode()
        assert "Assigned <strong>Peer supporter</strong>" in history

    def test_own_administrator_role_stays(self, role_users, client_for) -> None:
        response = client_for(role_users["administrator"]).post(
            self.url("user_administrator"), {"roles": []}
        )
        assert response.status_code == 200
        assert "cannot remove your own administrator role" in response.content.decode()
        assert "administrator" in access.user_role_names(role_users["administrator"])

    @pytest.mark.parametrize("role", ["member", "peer_supporter", "moderator", "researcher"])
    def test_others_are_refused(self, role_users, client_for, role) -> None:
        client = client_for(role_users[role])
        assert client.get(self.url()).status_code == 403
        assert client.post(self.url(), {"roles": ["moderator"]}).status_code == 403
        assert not access.is_moderator(role_users["member"])

    def test_anonymous_is_sent_to_log_in(self) -> None:
        response = Client().get(self.url())
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_profile_links_to_it_only_for_administrators(self, role_users, client_for) -> None:
        profile = reverse("accounts:profile", args=["user_member"])
        admin_view = client_for(role_users["administrator"]).get(profile).content.decode()
        moderator_view = client_for(role_users["moderator"]).get(profile).content.decode()
        assert self.url() in admin_view
        assert self.url() not in moderator_view


class TestAssignRoleCommand:
    def test_gives_and_removes_a_role(self, member) -> None:
        call_command("assign_role", "RIVER", "administrator")
        assert access.has_permission(member, access.ASSIGN_ROLES)
        change = RoleChange.objects.get()
        assert change.actor is None
        call_command("assign_role", "river", "administrator", "--remove")
        member = type(member).objects.get(pk=member.pk)
        assert not access.has_permission(member, access.ASSIGN_ROLES)

    def test_unknown_member_or_role(self, member) -> None:
        with pytest.raises(CommandError):
            call_command("assign_role", "nobody", "moderator")
        with pytest.raises(CommandError):
            call_command("assign_role", "river", "god")
