"""Screening in the path of posting: what is stored, held, queued and alerted, and what the
author sees. Texts are invented for these tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.communities import services as communities
from alongside.communities.models import Group, ModerationState, Post, Thread
from alongside.notifications.models import Notification, NotificationKind
from alongside.safety.jobs import run_periodic_jobs
from alongside.safety.models import (
    Alert,
    AuditEntry,
    DutyPeriod,
    QueueItem,
    RotaSlot,
    Sanction,
    Screening,
    Tier,
)
from alongside.safety.services.alerts import alert_acknowledge, escalate_due_alerts

URGENT = (
    "I've saved up all my pills and I'm going to take them tonight. "
    "I already wrote letters to my mum and my sister."
)
ORDINARY = "Had a better day today, went for a walk by the river and noticed the ducks."
PHONE = "If anyone wants to chat properly just ring me on 07700 900123 any evening."
SPAM = "Best crypto signals here!!! Earn 500 a day, join now at http://quick-profit.example"

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]


@pytest.fixture
def group(make_user: MakeUser) -> Group:
    admin = make_user("ada", role="administrator")
    return communities.group_create(actor=admin, name="Evenings")


@pytest.fixture
def moderator(make_user: MakeUser) -> User:
    user = make_user("morgan", role="moderator", email="morgan@example.org")
    DutyPeriod.objects.create(moderator=user)
    return user


def _thread(group: Group, author: User, body: str = ORDINARY) -> Thread:
    communities.group_join(user=author, group=group)
    return communities.thread_create(author=author, group=group, title="Tonight", body=body)


def test_an_ordinary_post_is_published_and_its_result_stored_without_text(
    group: Group, member: User
) -> None:
    thread = _thread(group, member)
    post = thread.posts.get()
    assert post.moderation_state == ModerationState.PUBLISHED
    record = Screening.objects.get(kind="post", object_id=post.pk)
    assert record.tier == Tier.NONE
    stored = json.dumps([record.flags, record.rule_ids, record.reasons, record.scores])
    assert "river" not in stored
    assert not QueueItem.objects.exists()


def test_an_urgent_reply_alerts_moderators_on_duty_and_stays_visible_by_default(
    group: Group,
    member: User,
    make_user: MakeUser,
    moderator: User,
    mailoutbox: list,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    thread = _thread(group, make_user("opener"))
    communities.group_join(user=member, group=group)
    with django_capture_on_commit_callbacks(execute=True):
        post = communities.post_create(author=member, thread=thread, body=URGENT)
    assert post.moderation_state == ModerationState.PUBLISHED
    item = QueueItem.objects.get(object_id=post.pk)
    assert item.tier == Tier.URGENT
    alert = Alert.objects.get(item=item)
    expected = alert.created_at + timedelta(minutes=5)
    assert abs((alert.escalate_at - expected).total_seconds()) < 1
    notice = Notification.objects.get(recipient=moderator, kind=NotificationKind.SAFETY_ALERT)
    assert notice.link == reverse("safety_moderation:item", args=[item.pk])
    assert AuditEntry.objects.filter(action="alert_raised", target_id=item.pk).exists()
    # The email says an alert is waiting, never what was written.
    assert mailoutbox and "pills" not in mailoutbox[0].body


def test_the_author_sees_support_at_once_and_others_do_not(
    group: Group, member: User, make_user: MakeUser, client_for: Callable[[User], Client]
) -> None:
    opener = make_user("opener")
    thread = _thread(group, opener)
    communities.group_join(user=member, group=group)
    url = reverse("communities:thread_reply", args=[group.slug, thread.pk])
    page = client_for(member).post(url, {"body": URGENT}, follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thank you for sharing this" in html
    assert "Samaritans" in html  # the member's region defaults to GB
    assert URGENT.split(".")[0] in html  # the post is there: support is never a wall
    other = client_for(opener).get(thread_url(thread)).content.decode()
    assert "Thank you for sharing this" not in other


def thread_url(thread: Thread) -> str:
    return reverse("communities:thread_detail", args=[thread.group.slug, thread.pk])


def test_a_pre_moderated_group_holds_risky_posts_until_approved(
    group: Group, member: User, make_user: MakeUser, moderator: User
) -> None:
    group.risky_post_policy = Group.RiskyPostPolicy.PRE_MODERATE
    group.save()
    opener = make_user("opener")
    thread = _thread(group, opener)
    communities.group_join(user=member, group=group)
    post = communities.post_create(author=member, thread=thread, body=URGENT)
    assert post.moderation_state == ModerationState.HELD
    thread.refresh_from_db()
    assert thread.reply_count == 0
    assert not Notification.objects.filter(recipient=opener).exists()
    from alongside.communities import selectors

    seen_by_opener = [row.post.pk for row in selectors.post_page(thread, opener).rows]
    seen_by_author = [row.post.pk for row in selectors.post_page(thread, member).rows]
    assert post.pk not in seen_by_opener
    assert post.pk in seen_by_author
    communities.post_set_moderation_state(actor=moderator, post=post, state="published")
    thread.refresh_from_db()
    assert thread.reply_count == 1
    assert thread.last_post_id == post.pk
    assert Notification.objects.filter(recipient=opener, kind=NotificationKind.REPLY).exists()


def test_contact_details_are_held_with_a_reason_the_author_can_act_on(
    group: Group, member: User, make_user: MakeUser, client_for: Callable[[User], Client]
) -> None:
    thread = _thread(group, make_user("opener"))
    communities.group_join(user=member, group=group)
    url = reverse("communities:thread_reply", args=[group.slug, thread.pk])
    html = client_for(member).post(url, {"body": PHONE}, follow=True).content.decode()
    post = Post.objects.get(author=member)
    assert post.moderation_state == ModerationState.HELD
    assert "Your post is waiting for a moderator" in html
    assert "contact details" in html
    assert QueueItem.objects.get(object_id=post.pk).content_held


@override_settings(SAFETY_UNSTAFFED_POLICY="hold")
def test_with_nobody_on_duty_the_deployment_can_hold_risky_posts(
    group: Group, member: User, make_user: MakeUser
) -> None:
    thread = _thread(group, make_user("opener"))
    communities.group_join(user=member, group=group)
    post = communities.post_create(author=member, thread=thread, body=URGENT)
    assert post.moderation_state == ModerationState.HELD


@override_settings(SAFETY_UNSTAFFED_POLICY="hold")
def test_with_a_moderator_on_duty_risky_posts_are_published(
    group: Group, member: User, make_user: MakeUser, moderator: User
) -> None:
    thread = _thread(group, make_user("opener"))
    communities.group_join(user=member, group=group)
    post = communities.post_create(author=member, thread=thread, body=URGENT)
    assert post.moderation_state == ModerationState.PUBLISHED


def test_an_unacknowledged_alert_escalates_to_the_rota_once(
    group: Group, member: User, make_user: MakeUser, moderator: User
) -> None:
    on_rota = make_user("rowan", role="moderator")
    RotaSlot.objects.create(moderator=on_rota, weekday=0, starts="09:00", ends="17:00")
    thread = _thread(group, member, body=URGENT)
    alert = Alert.objects.get(item__object_id=thread.posts.get().pk)
    assert escalate_due_alerts(now=timezone.now() + timedelta(minutes=4)) == 0
    assert escalate_due_alerts(now=timezone.now() + timedelta(minutes=6)) == 1
    assert escalate_due_alerts(now=timezone.now() + timedelta(minutes=7)) == 0
    alert.refresh_from_db()
    assert alert.escalated_at is not None
    messages = Notification.objects.filter(recipient=on_rota, kind=NotificationKind.SAFETY_ALERT)
    assert messages.count() == 1
    assert "Escalated" in messages.get().message
    assert AuditEntry.objects.filter(action="alert_escalated").count() == 1


def test_an_acknowledged_alert_does_not_escalate(
    group: Group, member: User, moderator: User
) -> None:
    thread = _thread(group, member, body=URGENT)
    alert = Alert.objects.get(item__object_id=thread.posts.get().pk)
    alert_acknowledge(actor=moderator, alert=alert)
    assert escalate_due_alerts(now=timezone.now() + timedelta(minutes=30)) == 0
    entry = AuditEntry.objects.get(action="alert_acknowledged")
    assert entry.actor == moderator
    with pytest.raises(ValidationError):
        alert_acknowledge(actor=moderator, alert=alert)


def test_members_cannot_acknowledge_alerts(group: Group, member: User, make_user: MakeUser) -> None:
    thread = _thread(group, member, body=URGENT)
    alert = Alert.objects.get(item__object_id=thread.posts.get().pk)
    with pytest.raises(PermissionDenied):
        alert_acknowledge(actor=make_user("bystander"), alert=alert)


def test_the_periodic_jobs_escalate_due_alerts(group: Group, member: User, moderator: User) -> None:
    thread = _thread(group, member, body=URGENT)
    Alert.objects.filter(item__object_id=thread.posts.get().pk).update(
        escalate_at=timezone.now() - timedelta(seconds=1)
    )
    run_periodic_jobs()
    assert Alert.objects.get().escalated_at is not None


def test_repeated_spam_from_a_new_account_mutes_it_for_a_while(
    group: Group, make_user: MakeUser
) -> None:
    newcomer = make_user("fresh_account", date_joined=timezone.now())
    thread = _thread(group, make_user("opener"))
    communities.group_join(user=newcomer, group=group)
    for _ in range(2):
        post = communities.post_create(author=newcomer, thread=thread, body=SPAM)
        assert post.moderation_state == ModerationState.HELD
    sanction = Sanction.objects.get(member=newcomer)
    assert sanction.kind == Sanction.Kind.MUTE and sanction.issued_by is None
    with pytest.raises(PermissionDenied, match="advertising"):
        communities.post_create(author=newcomer, thread=thread, body=ORDINARY)
    assert AuditEntry.objects.filter(action="auto_mute", member=newcomer).exists()


def test_an_edit_that_adds_contact_details_holds_the_post(
    group: Group, member: User, make_user: MakeUser
) -> None:
    thread = _thread(group, make_user("opener"))
    communities.group_join(user=member, group=group)
    post = communities.post_create(author=member, thread=thread, body=ORDINARY)
    communities.post_edit(actor=member, post=post, body=PHONE)
    post.refresh_from_db()
    thread.refresh_from_db()
    assert post.moderation_state == ModerationState.HELD
    assert thread.reply_count == 0


def test_removing_a_held_reply_leaves_the_counts_alone(
    group: Group, member: User, make_user: MakeUser
) -> None:
    thread = _thread(group, make_user("opener"))
    communities.group_join(user=member, group=group)
    communities.post_create(author=member, thread=thread, body=ORDINARY)
    held = communities.post_create(author=member, thread=thread, body=PHONE)
    communities.post_delete(actor=member, post=held)
    thread.refresh_from_db()
    assert thread.reply_count == 1


def test_a_held_opening_post_holds_the_thread_out_of_lists(
    group: Group, member: User, make_user: MakeUser, client_for: Callable[[User], Client]
) -> None:
    thread = _thread(group, member, body=PHONE)
    assert thread.moderation_state == ModerationState.HELD
    group.refresh_from_db()
    assert group.thread_count == 0
    reader = make_user("reader")
    communities.group_join(user=reader, group=group)
    listing = client_for(reader).get(reverse("communities:group_detail", args=[group.slug]))
    assert "Tonight" not in listing.content.decode()
    assert client_for(reader).get(thread_url(thread)).status_code == 404
    assert client_for(member).get(thread_url(thread)).status_code == 200


def test_a_bio_with_contact_details_is_shown_only_to_its_owner(
    member: User, make_user: MakeUser, client_for: Callable[[User], Client]
) -> None:
    from alongside.accounts import services as accounts

    accounts.profile_update(
        user=member,
        pronouns="",
        bio=PHONE,
        lived_experience=[],
        language="",
        region="",
        email="",
    )
    member.refresh_from_db()
    assert member.bio_held
    url = reverse("accounts:profile", args=[member.handle])
    assert "07700" not in client_for(make_user("reader")).get(url).content.decode()
    assert "07700" in client_for(member).get(url).content.decode()
    assert Screening.objects.filter(kind="profile", object_id=member.pk).exists()


def test_the_api_returns_support_with_the_reply(
    group: Group, member: User, make_user: MakeUser, client_for: Callable[[User], Client]
) -> None:
    thread = _thread(group, make_user("opener"))
    communities.group_join(user=member, group=group)
    response = client_for(member).post(
        f"/api/v1/groups/threads/{thread.pk}/posts",
        {"body": URGENT},
        content_type="application/json",
    )
    assert response.status_code == 201
    screening = response.json()["screening"]
    assert screening["tier"] == "urgent"
    assert screening["lines"]
    calm = client_for(member).post(
        f"/api/v1/groups/threads/{thread.pk}/posts",
        {"body": ORDINARY},
        content_type="application/json",
    )
    assert calm.json()["screening"] is None


def test_the_draft_check_offers_support_and_stores_nothing(
    member: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(member)
    worried = client.post(
        "/api/v1/screening/draft", {"text": URGENT}, content_type="application/json"
    )
    assert worried.status_code == 200
    assert worried.json()["show_support"] is True
    assert worried.json()["lines"]
    calm = client.post(
        "/api/v1/screening/draft", {"text": ORDINARY}, content_type="application/json"
    )
    assert calm.json()["show_support"] is False
    assert not Screening.objects.exists()
    assert not QueueItem.objects.exists()


def test_the_draft_check_needs_a_signed_in_member() -> None:
    response = Client().post(
        "/api/v1/screening/draft", {"text": URGENT}, content_type="application/json"
    )
    assert response.status_code == 401


def test_an_established_member_posting_in_a_burst_is_not_spam(
    group: Group, member: User, make_user: MakeUser
) -> None:
    thread = _thread(group, make_user("opener"))
    communities.group_join(user=member, group=group)
    for _ in range(10):
        post = communities.post_create(author=member, thread=thread, body="same here")
        assert post.moderation_state == ModerationState.PUBLISHED


def test_a_new_account_repeating_itself_is_held_as_spam(group: Group, make_user: MakeUser) -> None:
    newcomer = make_user("fresh_account", date_joined=timezone.now())
    thread = _thread(group, make_user("opener"))
    communities.group_join(user=newcomer, group=group)
    text = "hi everyone, is anyone around tonight? would love to chat"
    first = communities.post_create(author=newcomer, thread=thread, body=text)
    again = communities.post_create(author=newcomer, thread=thread, body=text)
    assert first.moderation_state == ModerationState.PUBLISHED
    assert again.moderation_state == ModerationState.HELD


def test_the_worker_command_runs_one_round_of_jobs(
    group: Group, member: User, moderator: User
) -> None:
    from alongside.cli import main

    thread = _thread(group, member, body=URGENT)
    Alert.objects.filter(item__object_id=thread.posts.get().pk).update(
        escalate_at=timezone.now() - timedelta(seconds=1)
    )
    assert main(["worker", "--once"]) == 0
    assert Alert.objects.get().escalated_at is not None


def test_a_group_moderator_can_choose_to_hold_risky_posts(
    group: Group, client_for: Callable[[User], Client]
) -> None:
    admin = User.objects.get(handle="ada")
    response = client_for(admin).post(
        reverse("communities:group_edit", args=[group.slug]),
        {
            "name": group.name,
            "description": "",
            "rules": "",
            "visibility": "open",
            "risky_post_policy": "pre",
        },
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.risky_post_policy == Group.RiskyPostPolicy.PRE_MODERATE
    with pytest.raises(ValidationError):
        communities.group_update(actor=admin, group=group, risky_post_policy="never")
