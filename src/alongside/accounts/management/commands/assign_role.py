"""Give a member a role (or take it away with --remove), from the server's command line.

    alongside manage assign_role river moderator
    alongside manage assign_role river moderator --remove

This is how the first administrator is made; after that, administrators can set roles on
each member's page.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from alongside.accounts.roles import Role
from alongside.accounts.selectors import member_get
from alongside.accounts.services import role_assign, role_remove


class Command(BaseCommand):
    help = "Give a member a role, or take it away with --remove."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("handle")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--remove", action="store_true", help="take the role away")

    def handle(self, *args: Any, **options: Any) -> None:
        member = member_get(handle=options["handle"])
        if member is None:
            raise CommandError(f"No active member has the handle {options['handle']!r}.")
        role = options["role"]
        try:
            if options["remove"]:
                changed = role_remove(actor=None, user=member, role=role)
                done = "Removed" if changed else "Nothing to do: no"
                self.stdout.write(self.style.SUCCESS(f"{done} role {role} for {member.handle}."))
            else:
                changed = role_assign(actor=None, user=member, role=role)
                done = "Gave" if changed else "Nothing to do: already has"
                self.stdout.write(self.style.SUCCESS(f"{done} {member.handle} role {role}."))
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
