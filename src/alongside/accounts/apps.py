from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "alongside.accounts"
    label = "accounts"

    def ready(self) -> None:
        from alongside.accounts.roles import ensure_roles

        # After every app's permissions exist; dispatch_uid keeps it to one run per migrate.
        post_migrate.connect(ensure_roles, dispatch_uid="alongside_ensure_roles")
