from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from alongside.accounts.models import User
from alongside.communities.models import Post, Thread
from alongside.notifications import services
from alongside.notifications.models import Notification, NotificationKind, NotificationPreference
from alongside.notifications.tests.conftest import make_post, make_reaction

MakeUser = Callable[..., User]
REPLY = NotificationKind.REPLY
MENTION = NotificationKind.MENTION
REACTION = NotificationKind.REACTION


def kinds_for(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


# --- notify_reply -----------------------------------------------------------------------------


def test_reply_notifies_the_thread_author(thread_and_reply: tuple[Thread, Post]) -> None:
    thread, reply = thread_and_reply
    services.notify_reply(post=reply)
    notification = Notification.objects.get()
    assert notification.recipient == thread.author
    assert notification.actor == reply.author
    assert (notification.kind, notification.post, notification.thread) == (REPLY, reply, thread)
    assert notification.read_at is None


def test_replying_to_your_own_thread_notifies_nobody(thread_and_reply: tuple[Thread, Post]) -> None:
    thread, _reply = thread_and_reply
    services.notify_reply(post=make_post(thread=thread, author=thread.author))
    assert not Notification.objects.exists()


def test_reply_respects_in_app_preference_off(thread_and_reply: tuple[Thread, Post]) -> None:
    thread, reply = thread_and_reply
    NotificationPreference.objects.create(user=thread.author, kind=REPLY, in_app=False)
    services.notify_reply(post=reply)
    assert not Notification.objects.exists()


def test_other_kinds_turned_off_do_not_stop_replies(thread_and_reply: tuple[Thread, Post]) -> None:
    thread, reply = thread_and_reply
    NotificationPreference.objects.create(user=thread.author, kind=MENTION, in_app=False)
    services.notify_reply(post=reply)
    assert kinds_for(thread.author) == [REPLY]


def test_reply_is_not_notified_twice(thread_and_reply: tuple[Thread, Post]) -> None:
    thread, reply = thread_and_reply
    services.notify_reply(post=reply)
    services.notify_reply(post=reply)
    assert kinds_for(thread.author) == [REPLY]


def test_deactivated_author_is_not_notified(thread_and_reply: tuple[Thread, Post]) -> None:
    thread, reply = thread_and_reply
    User.objects.filter(pk=thread.author_id).update(is_active=False)
    thread.refresh_from_db()
    services.notify_reply(post=reply)
    assert not Notification.objects.exists()


# --- notify_mentions --------------------------------------------------------------------------


def test_mentions_notify_each_member_once(
    thread_and_reply: tuple[Thread, Post], make_user: MakeUser
) -> None:
    _thread, reply = thread_and_reply
    kai, lee = make_user("kai"), make_user("lee")
    services.notify_mentions(post=reply, users=[kai, lee, kai])
    assert kinds_for(kai) == [MENTION]
    assert kinds_for(lee) == [MENTION]
    services.notify_mentions(post=reply, users=[kai])
    assert kinds_for(kai) == [MENTION]


def test_mentioning_yourself_notifies_nobody(thread_and_reply: tuple[Thread, Post]) -> None:
    _thread, reply = thread_and_reply
    services.notify_mentions(post=reply, users=[reply.author])
    assert not Notification.objects.exists()


def test_mention_respects_in_app_preference_off(
    thread_and_reply: tuple[Thread, Post], make_user: MakeUser
) -> None:
    _thread, reply = thread_and_reply
    kai = make_user("kai")
    NotificationPreference.objects.create(user=kai, kind=MENTION, in_app=False)
    services.notify_mentions(post=reply, users=[kai])
    assert not Notification.objects.exists()


@pytest.mark.parametrize("mention_first", [True, False])
def test_thread_author_who_is_mentioned_gets_one_mention_in_either_order(
    thread_and_reply: tuple[Thread, Post], mention_first: bool
) -> None:
    thread, reply = thread_and_reply
    if mention_first:
        services.notify_mentions(post=reply, users=[thread.author])
        services.notify_reply(post=reply)
    else:
        services.notify_reply(post=reply)
        services.notify_mentions(post=reply, users=[thread.author])
    assert kinds_for(thread.author) == [MENTION]


def test_author_with_mentions_off_still_gets_the_reply(
    thread_and_reply: tuple[Thread, Post],
) -> None:
    thread, reply = thread_and_reply
    NotificationPreference.objects.create(user=thread.author, kind=MENTION, in_app=False)
    services.notify_reply(post=reply)
    services.notify_mentions(post=reply, users=[thread.author])
    assert kinds_for(thread.author) == [REPLY]


def test_a_mention_in_another_post_does_not_replace_this_reply(
    thread_and_reply: tuple[Thread, Post],
) -> None:
    thread, reply = thread_and_reply
    services.notify_reply(post=reply)
    later = make_post(thread=thread, author=reply.author)
    services.notify_mentions(post=later, users=[thread.author])
    assert sorted(kinds_for(thread.author)) == [MENTION, REPLY]


# --- notify_reaction --------------------------------------------------------------------------


def test_reaction_notifies_the_post_author(thread_and_reply: tuple[Thread, Post]) -> None:
    thread, reply = thread_and_reply
    reaction = make_reaction(post=reply, user=thread.author)
    services.notify_reaction(reaction=reaction)
    notification = Notification.objects.get()
    assert (notification.recipient, notification.actor) == (reply.author, thread.author)
    assert (notification.kind, notification.detail) == (REACTION, "strength")


def test_reacting_to_your_own_post_notifies_nobody(thread_and_reply: tuple[Thread, Post]) -> None:
    _thread, reply = thread_and_reply
    services.notify_reaction(reaction=make_reaction(post=reply, user=reply.author))
    assert not Notification.objects.exists()


def test_reaction_respects_in_app_preference_off(thread_and_reply: tuple[Thread, Post]) -> None:
    thread, reply = thread_and_reply
    NotificationPreference.objects.create(user=reply.author, kind=REACTION, in_app=False)
    services.notify_reaction(reaction=make_reaction(post=reply, user=thread.author))
    assert not Notification.objects.exists()


def test_reactions_from_one_member_coalesce_while_unread(
    thread_and_reply: tuple[Thread, Post], make_user: MakeUser
) -> None:
    thread, reply = thread_and_reply
    services.notify_reaction(reaction=make_reaction(post=reply, user=thread.author))
    services.notify_reaction(reaction=make_reaction(post=reply, user=thread.author, kind="hug"))
    assert kinds_for(reply.author) == [REACTION]

    other = make_user("kai")
    services.notify_reaction(reaction=make_reaction(post=reply, user=other))
    assert kinds_for(reply.author) == [REACTION, REACTION]


def test_a_reaction_after_the_last_was_read_notifies_again(
    thread_and_reply: tuple[Thread, Post],
) -> None:
    thread, reply = thread_and_reply
    services.notify_reaction(reaction=make_reaction(post=reply, user=thread.author))
    services.notification_mark_read(user=reply.author)
    services.notify_reaction(reaction=make_reaction(post=reply, user=thread.author, kind="hug"))
    assert Notification.objects.filter(recipient=reply.author, read_at__isnull=True).count() == 1
    assert kinds_for(reply.author) == [REACTION, REACTION]


def test_reaction_on_a_deleted_post_notifies_nobody(thread_and_reply: tuple[Thread, Post]) -> None:
    from django.utils import timezone

    thread, reply = thread_and_reply
    Post.objects.filter(pk=reply.pk).update(deleted_at=timezone.now())
    reply.refresh_from_db()
    services.notify_reaction(reaction=make_reaction(post=reply, user=thread.author))
    services.notify_reply(post=reply)
    services.notify_mentions(post=reply, users=[thread.author])
    assert not Notification.objects.exists()


# --- email ------------------------------------------------------------------------------------


def set_email(user: User, address: str) -> None:
    User.objects.filter(pk=user.pk).update(email=address)
    user.refresh_from_db()


def test_no_email_by_default(
    thread_and_reply: tuple[Thread, Post], django_capture_on_commit_callbacks
) -> None:
    thread, reply = thread_and_reply
    set_email(thread.author, "alex@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_reply(post=reply)
    assert mail.outbox == []


def test_email_when_opted_in_and_address_given(
    thread_and_reply: tuple[Thread, Post], django_capture_on_commit_callbacks
) -> None:
    thread, reply = thread_and_reply
    set_email(thread.author, "alex@example.org")
    NotificationPreference.objects.create(user=thread.author, kind=REPLY, email=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify_reply(post=reply)
        assert mail.outbox == []  # only after the transaction commits
    assert callbacks
    [message] = mail.outbox
    assert message.to == ["alex@example.org"]
    assert "sam replied to your thread “Sleepless again”" in message.body
    notification = Notification.objects.get()
    assert f"/notifications/{notification.pk}/" in message.body
    # Privacy: what was written never leaves the site by email.
    assert "A private reply" not in message.body
    assert "A private reply" not in message.subject
    assert message.content_subtype == "plain"
    assert getattr(message, "alternatives", []) == []


def test_no_email_without_an_address_even_if_opted_in(
    thread_and_reply: tuple[Thread, Post], django_capture_on_commit_callbacks
) -> None:
    thread, reply = thread_and_reply
    NotificationPreference.objects.create(user=thread.author, kind=REPLY, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_reply(post=reply)
    assert Notification.objects.count() == 1
    assert mail.outbox == []


def test_no_email_when_in_app_is_off(
    thread_and_reply: tuple[Thread, Post], django_capture_on_commit_callbacks
) -> None:
    thread, reply = thread_and_reply
    set_email(thread.author, "alex@example.org")
    NotificationPreference.objects.create(user=thread.author, kind=REPLY, in_app=False, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_reply(post=reply)
    assert mail.outbox == []


def test_replaced_reply_sends_only_the_mention_email(
    thread_and_reply: tuple[Thread, Post], django_capture_on_commit_callbacks
) -> None:
    thread, reply = thread_and_reply
    set_email(thread.author, "alex@example.org")
    for kind in (REPLY, MENTION):
        NotificationPreference.objects.create(user=thread.author, kind=kind, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_reply(post=reply)
        services.notify_mentions(post=reply, users=[thread.author])
    [message] = mail.outbox
    assert "sam mentioned you in “Sleepless again”" in message.body


def test_reaction_email_names_no_content(
    thread_and_reply: tuple[Thread, Post], django_capture_on_commit_callbacks
) -> None:
    thread, reply = thread_and_reply
    set_email(reply.author, "sam@example.org")
    NotificationPreference.objects.create(user=reply.author, kind=REACTION, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_reaction(reaction=make_reaction(post=reply, user=thread.author))
    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert "alex reacted to your post in “Sleepless again”" in message.body
    assert "A private reply" not in message.body


# --- marking read and preferences -------------------------------------------------------------


def test_mark_read_touches_only_the_members_own(
    thread_and_reply: tuple[Thread, Post], make_user: MakeUser
) -> None:
    thread, reply = thread_and_reply
    services.notify_reply(post=reply)
    services.notify_reaction(reaction=make_reaction(post=reply, user=thread.author))
    mine = Notification.objects.get(recipient=thread.author)
    theirs = Notification.objects.get(recipient=reply.author)

    assert services.notification_mark_read(user=thread.author, notification_ids=[theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None

    assert services.notification_mark_read(user=thread.author, notification_ids=[mine.pk]) == 1
    mine.refresh_from_db()
    assert mine.read_at is not None
    # Already read: nothing more to mark, and the first read time is kept.
    first_read = mine.read_at
    assert services.notification_mark_read(user=thread.author) == 0
    mine.refresh_from_db()
    assert mine.read_at == first_read


def test_mark_all_read(thread_and_reply: tuple[Thread, Post], make_user: MakeUser) -> None:
    thread, _reply = thread_and_reply
    for handle in ("kai", "lee"):
        services.notify_reply(post=make_post(thread=thread, author=make_user(handle)))
    assert services.notification_mark_read(user=thread.author) == 2
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_preferences_update_creates_and_changes_rows(member: User) -> None:
    services.preferences_update(user=member, preferences={"reply": {"in_app": False}})
    row = NotificationPreference.objects.get(user=member, kind=REPLY)
    assert (row.in_app, row.email) == (False, False)
    services.preferences_update(user=member, preferences={"reply": {"in_app": True}})
    row.refresh_from_db()
    assert row.in_app is True


def test_preferences_update_email_needs_an_address(member: User) -> None:
    with pytest.raises(ValidationError):
        services.preferences_update(user=member, preferences={"reply": {"email": True}})
    assert not NotificationPreference.objects.exists()
    set_email(member, "river@example.org")
    services.preferences_update(user=member, preferences={"reply": {"email": True}})
    assert NotificationPreference.objects.get(user=member, kind=REPLY).email is True


@pytest.mark.parametrize(
    "preferences",
    [{"gossip": {"in_app": True}}, {"reply": {"sms": True}}],
)
def test_preferences_update_refuses_unknown_kinds_and_channels(
    member: User, preferences: dict[str, dict[str, bool]]
) -> None:
    with pytest.raises(ValidationError):
        services.preferences_update(user=member, preferences=preferences)
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("visibility", ["restricted", "hidden"])
def test_nobody_is_told_about_a_group_they_cannot_read(
    make_user: MakeUser, visibility: str, django_capture_on_commit_callbacks
) -> None:
    from alongside.communities.models import Membership
    from alongside.notifications.tests.conftest import make_group, make_thread

    alex, sam = make_user("alex", email="alex@example.org"), make_user("sam")
    group = make_group(visibility=visibility, members=(alex, sam))
    thread = make_thread(author=alex, group=group)
    Membership.objects.filter(user=alex).delete()
    alex = User.objects.get(pk=alex.pk)
    NotificationPreference.objects.create(user=alex, kind=REPLY, email=True)
    own_post = make_post(thread=thread, author=alex)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_reply(post=make_post(thread=thread, author=sam))
        services.notify_mentions(post=make_post(thread=thread, author=sam), users=[alex])
        services.notify_reaction(reaction=make_reaction(post=own_post, user=sam))
    assert not Notification.objects.exists()
    assert mail.outbox == []
