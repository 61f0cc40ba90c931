from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.communities.models import Group, Membership, Post, Thread
from alongside.notifications import selectors, services
from alongside.notifications.models import NotificationKind, NotificationPreference
from alongside.notifications.tests.conftest import make_group, make_post, make_reaction, make_thread

MakeUser = Callable[..., User]
UNAVAILABLE = "This post is no longer available"


def notify_in_new_group(author: User, replier: User, visibility: str) -> Post:
    group = make_group(visibility=visibility, members=(author, replier))
    reply = make_post(thread=make_thread(author=author, group=group), author=replier)
    services.notify_reply(post=reply)
    return reply


def queries_for_page(user: User) -> int:
    with CaptureQueriesContext(connection) as captured:
        page = selectors.notification_page(user=user, page=1)
        assert page.entries
    return len(captured)


def test_page_query_count_does_not_grow_with_notifications(make_user: MakeUser) -> None:
    alex, sam = make_user("alex"), make_user("sam")
    for visibility in (Group.Visibility.OPEN, Group.Visibility.RESTRICTED):
        notify_in_new_group(alex, sam, visibility)
    few = queries_for_page(User.objects.get(pk=alex.pk))

    for visibility in [
        Group.Visibility.OPEN,
        Group.Visibility.RESTRICTED,
        Group.Visibility.HIDDEN,
    ] * 5:
        reply = notify_in_new_group(alex, sam, visibility)
        services.notify_reaction(reaction=make_reaction(post=reply, user=alex))
        services.notify_mentions(post=make_post(thread=reply.thread, author=sam), users=[alex])
    assert queries_for_page(User.objects.get(pk=alex.pk)) == few
    assert few <= 3  # count, page, memberships in closed groups


def test_entries_describe_each_kind(thread_and_reply: tuple[Thread, Post]) -> None:
    thread, reply = thread_and_reply
    alex = thread.author
    services.notify_reply(post=reply)
    mention = make_post(thread=thread, author=reply.author)
    services.notify_mentions(post=mention, users=[alex])
    services.notify_reaction(reaction=make_reaction(post=reply, user=alex))

    texts = [entry.text for entry in selectors.notification_page(user=alex).entries]
    assert texts == [
        "sam mentioned you in “Sleepless again”",
        "sam replied to your thread “Sleepless again”",
    ]
    [reaction] = selectors.notification_page(user=reply.author).entries
    assert reaction.text == "alex reacted “Sending strength” to your post in “Sleepless again”"
    assert reaction.url == (
        f"/groups/{thread.group.slug}/t/{thread.pk}/?post={reply.pk}#post-{reply.pk}"
    )
    assert reaction.available
    assert not reaction.is_read


def assert_unavailable(user: User) -> None:
    [entry] = selectors.notification_page(user=user).entries
    assert not entry.available
    assert entry.text == UNAVAILABLE
    assert entry.url == ""


def test_deleted_post_is_no_longer_available(thread_and_reply: tuple[Thread, Post]) -> None:
    thread, reply = thread_and_reply
    services.notify_reply(post=reply)
    Post.objects.filter(pk=reply.pk).update(deleted_at=timezone.now())
    assert_unavailable(thread.author)


def test_deleted_thread_is_no_longer_available(thread_and_reply: tuple[Thread, Post]) -> None:
    thread, reply = thread_and_reply
    services.notify_reply(post=reply)
    Thread.objects.filter(pk=thread.pk).update(deleted_at=timezone.now())
    assert_unavailable(thread.author)


@pytest.mark.parametrize("visibility", [Group.Visibility.RESTRICTED, Group.Visibility.HIDDEN])
@pytest.mark.parametrize("leave", ["delete", "pending"])
def test_closed_group_the_member_left_is_no_longer_available(
    make_user: MakeUser, visibility: str, leave: str
) -> None:
    alex, sam = make_user("alex"), make_user("sam")
    reply = notify_in_new_group(alex, sam, visibility)
    [entry] = selectors.notification_page(user=alex).entries
    assert entry.available

    membership = Membership.objects.filter(user=alex, group=reply.thread.group)
    if leave == "delete":
        membership.delete()
    else:
        membership.update(status=Membership.Status.PENDING)
    assert_unavailable(alex)


def test_moderator_of_every_group_still_sees_it(make_user: MakeUser) -> None:
    moderator = make_user("mod", role=Role.MODERATOR)
    sam = make_user("sam")
    reply = notify_in_new_group(moderator, sam, Group.Visibility.HIDDEN)
    Membership.objects.filter(user=moderator, group=reply.thread.group).delete()
    [entry] = selectors.notification_page(user=User.objects.get(pk=moderator.pk)).entries
    assert entry.available


def test_open_group_stays_readable_after_leaving(make_user: MakeUser) -> None:
    alex, sam = make_user("alex"), make_user("sam")
    reply = notify_in_new_group(alex, sam, Group.Visibility.OPEN)
    Membership.objects.filter(user=alex, group=reply.thread.group).delete()
    [entry] = selectors.notification_page(user=alex).entries
    assert entry.available


def test_pages_and_unread_filter(
    thread_and_reply: tuple[Thread, Post], make_user: MakeUser
) -> None:
    thread, _reply = thread_and_reply
    sam = User.objects.get(handle="sam")
    for _ in range(4):
        services.notify_reply(post=make_post(thread=thread, author=sam))
    services.notification_mark_read(user=thread.author)
    services.notify_reply(post=make_post(thread=thread, author=sam))

    first = selectors.notification_page(user=thread.author, page=1, per_page=2)
    assert (first.count, first.num_pages, first.has_next, first.has_previous) == (5, 3, True, False)
    last = selectors.notification_page(user=thread.author, page="99", per_page=2)
    assert last.number == 3
    unread = selectors.notification_page(user=thread.author, unread_only=True)
    assert unread.count == 1
    assert selectors.unread_count(user=thread.author) == 1


def test_notification_for_someone_else_is_404(
    thread_and_reply: tuple[Thread, Post],
) -> None:
    thread, reply = thread_and_reply
    services.notify_reply(post=reply)
    [entry] = selectors.notification_page(user=thread.author).entries
    assert selectors.notification_for(user=thread.author, notification_id=entry.id) == entry
    with pytest.raises(Http404):
        selectors.notification_for(user=reply.author, notification_id=entry.id)


def test_preferences_for_lists_every_kind_with_defaults(member: User) -> None:
    NotificationPreference.objects.create(user=member, kind=NotificationKind.REACTION, in_app=False)
    prefs = {
        entry.kind: (entry.in_app, entry.email) for entry in selectors.preferences_for(user=member)
    }
    # Questionnaire reminders are listed (a member may switch them off); safety and
    # moderation messages are not (they are always shown).
    assert prefs == {
        "reply": (True, False),
        "mention": (True, False),
        "reaction": (False, False),
        "measure_due": (True, False),
    }
