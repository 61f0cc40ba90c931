from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate


class AccountsConfig(AppConfig):
    name = "alongside.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.models import Group as RoleGroup

        from alongside.accounts.backends import permissions_changed
        from alongside.accounts.models import User
        from alongside.accounts.roles import ensure_roles

        # After every app's permissions exist; dispatch_uid keeps it to one run per migrate.
        post_migrate.connect(ensure_roles, dispatch_uid="alongside_ensure_roles")
        # Any change to who holds a role, or what a role may do, drops cached permissions.
        for through in (
            User.groups.through,
            User.user_permissions.through,
            RoleGroup.permissions.through,
        ):
            m2m_changed.connect(permissions_changed, sender=through, weak=False)
        post_delete.connect(permissions_changed, sender=RoleGroup, weak=False)
