"""Prepare a chat site in ``ALONGSIDE_DATA_DIR`` for the live-delivery tests, without HTTP.

Run as a script in a subprocess (the test process never opens this database), after
``alongside manage migrate``. It creates the members named on the command line (established
accounts that accepted the policies), an open group with one room they all take part in, and
a signed-in session for each, and prints a JSON object: the room's id, the session cookie's
name, and each handle's session key.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta
from importlib import import_module
from typing import Any


def set_up(handles: list[str]) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alongside.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group as RoleGroup
    from django.db import transaction
    from django.utils import timezone

    from alongside.accounts.models import PolicyAcceptance, PolicyDocument, User
    from alongside.accounts.roles import Role
    from alongside.chat.models import Conversation, Participant
    from alongside.communities.models import Group, Membership

    joined = timezone.now() - timedelta(days=90)
    with transaction.atomic():
        users = []
        for handle in handles:
            user = User(handle=handle, date_joined=joined)
            user.set_unusable_password()
            users.append(user)
        users = User.objects.bulk_create(users)
        member_role = RoleGroup.objects.get(name=Role.MEMBER)
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=member_role.pk) for user in users
        )
        documents = list(PolicyDocument.objects.all())
        PolicyAcceptance.objects.bulk_create(
            PolicyAcceptance(user=user, document=document)
            for user in users
            for document in documents
        )
        group = Group.objects.create(slug="live-test", name="Live test", member_count=len(users))
        Membership.objects.bulk_create(Membership(group=group, user=user) for user in users)
        room = Conversation.objects.create(
            kind=Conversation.Kind.ROOM, group=group, title="Evening drop-in", created_by=users[0]
        )
        Participant.objects.bulk_create(Participant(conversation=room, user=user) for user in users)
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[-1]
    sessions = {}
    for user in users:
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = backend
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions[user.handle] = store.session_key
    return {"room": room.pk, "cookie": settings.SESSION_COOKIE_NAME, "sessions": sessions}


if __name__ == "__main__":
    print(json.dumps(set_up(sys.argv[1:])))
