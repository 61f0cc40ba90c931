"""Moderators' decisions on content: each one recorded, audited, resolved and told."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.communities.models import Group, ModerationState, Post, PostRevision
from alongside.notifications.models import Notification, NotificationKind
from alongside.safety.models import (
    AuditEntry,
    ContentKind,
    ModerationAction,
    QueueItem,
    Report,
    Tier,
)
from alongside.safety.services import moderation
from alongside.safety.tests.moderation_helpers import (
    hold,
    item_for_post,
    make_alert,
    make_group,
    make_item,
    make_post,
    make_report,
)

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]


@pytest.fixture
def admin(make_user: MakeUser) -> User:
    return make_user("ada", role=Role.ADMINISTRATOR)


@pytest.fixture
def moderator(make_user: MakeUser) -> User:
    return make_user("morgan", role=Role.MODERATOR)


@pytest.fixture
def group(admin: User) -> Group:
    return make_group(admin)


@pytest.fixture
def announced(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(moderation, "announce_queue_change", lambda **kwargs: calls.append(kwargs))
    return calls


def _messages(user: User, kind: str = NotificationKind.MODERATION) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=kind).values_list("message", flat=True)
    )


def _resolved(item: QueueItem) -> QueueItem:
    item.refresh_from_db()
    assert item.status == QueueItem.Status.RESOLVED
    return item


# --- Approve, hide, restore -----------------------------------------------------------------


def test_approving_held_content_publishes_it_and_tells_everyone_involved(
    group: Group,
    member: User,
    moderator: User,
    make_user: MakeUser,
    announced: list[dict[str, Any]],
) -> None:
    post = hold(make_post(group, member))
    item = item_for_post(post)
    reporter = make_user("sam")
    make_report(item, reporter, reason=Report.Reason.SPAM)

    action = moderation.item_approve(actor=moderator, item=item, note="Looks fine")

    post.refresh_from_db()
    assert post.moderation_state == ModerationState.PUBLISHED
    item = _resolved(item)
    assert item.resolved_by == moderator
    assert item.resolution == ModerationAction.Kind.APPROVE
    assert action.kind == ModerationAction.Kind.APPROVE
    assert action.member == member
    entry = AuditEntry.objects.get(action=ModerationAction.Kind.APPROVE)
    assert entry.actor == moderator
    assert entry.detail["item_id"] == item.pk
    assert "now visible to everyone" in _messages(member)[0]
    report = Report.objects.get()
    assert report.outcome == Report.Outcome.NO_ACTION
    assert report.outcome_at is not None
    assert _messages(reporter, NotificationKind.REPORT_OUTCOME)
    assert announced == [{"item_id": item.pk, "tier": item.tier, "event": "resolved"}]


def test_hiding_needs_a_reason_which_the_member_reads_and_reporters_do_not(
    group: Group, member: User, moderator: User, make_user: MakeUser
) -> None:
    post = make_post(group, member)
    item = item_for_post(post)
    reporter = make_user("sam")
    make_report(item, reporter)
    with pytest.raises(ValidationError):
        moderation.item_hide(actor=moderator, item=item, reason="  ")

    moderation.item_hide(
        actor=moderator, item=item, reason="Personal details of someone else", note="internal"
    )

    post.refresh_from_db()
    assert post.moderation_state == ModerationState.HIDDEN
    _resolved(item)
    [message] = _messages(member)
    assert "Personal details of someone else" in message
    assert "internal" not in message
    assert "sam" not in message  # the member never learns who reported them
    [outcome] = _messages(reporter, NotificationKind.REPORT_OUTCOME)
    assert "took action" in outcome
    assert member.handle not in outcome
    assert "Personal details" not in outcome
    assert Report.objects.get().outcome == Report.Outcome.ACTION_TAKEN
    action = ModerationAction.objects.get(kind=ModerationAction.Kind.HIDE)
    assert action.reason == "Personal details of someone else"
    assert action.note == "internal"


def test_restoring_hidden_content_shows_it_again(
    group: Group, member: User, moderator: User, make_user: MakeUser
) -> None:
    post = make_post(group, member)
    item = item_for_post(post)
    moderation.item_hide(actor=moderator, item=item, reason="Looked like abuse")
    other = make_user("morwenna", role=Role.MODERATOR)
    with pytest.raises(ValidationError):
        moderation.item_approve(actor=other, item=item)

    moderation.item_restore(actor=other, item=item, reason="It was a joke between friends")

    post.refresh_from_db()
    assert post.moderation_state == ModerationState.PUBLISHED
    assert "visible to everyone again" in _messages(member)[0]
    assert list(
        AuditEntry.objects.filter(action__in=["hide", "restore"])
        .order_by("id")
        .values_list("action", "actor_handle")
    ) == [("hide", "morgan"), ("restore", "morwenna")]
    with pytest.raises(ValidationError):
        moderation.item_restore(actor=other, item=item)


def test_hiding_and_approving_a_held_bio(member: User, moderator: User) -> None:
    member.bio = "Find me elsewhere"
    member.bio_held = True
    member.save(update_fields=["bio", "bio_held"])
    item = make_item(member, kind=ContentKind.PROFILE, object_id=member.pk, held=True)
    moderation.item_approve(actor=moderator, item=item)
    member.refresh_from_db()
    assert member.bio_held is False
    assert "your profile bio" in _messages(member)[0]


# --- Content warning and edit ---------------------------------------------------------------


def test_adding_a_content_warning(group: Group, member: User, moderator: User) -> None:
    post = make_post(group, member)
    item = item_for_post(post)
    moderation.item_add_content_warning(
        actor=moderator, item=item, content_warning="self-harm", reason="Detailed description"
    )
    post.refresh_from_db()
    assert post.content_warning == "self-harm"
    assert post.moderator_note
    _resolved(item)
    assert "self-harm" in _messages(member)[0]
    assert AuditEntry.objects.filter(action=ModerationAction.Kind.CONTENT_WARNING).exists()


def test_editing_keeps_a_revision_and_a_visible_note(
    group: Group, member: User, moderator: User
) -> None:
    post = make_post(group, member, body="Call me on 07700 900123, it's my own number")
    item = item_for_post(post)
    with pytest.raises(ValidationError):
        moderation.item_edit(actor=moderator, item=item, body="Call me", visible_note="")

    moderation.item_edit(
        actor=moderator,
        item=item,
        body="Call me [number removed]",
        visible_note="A moderator removed a phone number.",
    )

    post.refresh_from_db()
    assert post.body == "Call me [number removed]"
    assert post.moderator_note == "A moderator removed a phone number."
    assert PostRevision.objects.filter(post=post, body__contains="07700").exists()
    entry = AuditEntry.objects.get(action=ModerationAction.Kind.EDIT)
    assert "07700" not in str(entry.detail)  # the log keeps no copy of the text
    assert "removed a phone number" in _messages(member)[0]


def test_profile_items_cannot_take_a_content_warning(member: User, moderator: User) -> None:
    item = make_item(member, kind=ContentKind.PROFILE, object_id=member.pk)
    with pytest.raises(ValidationError):
        moderation.item_add_content_warning(
            actor=moderator, item=item, content_warning="x", reason="y"
        )


# --- Dismiss --------------------------------------------------------------------------------


def test_dismissing_tells_reporters_but_not_the_member(
    group: Group, member: User, moderator: User, make_user: MakeUser
) -> None:
    item = item_for_post(make_post(group, member))
    reporter = make_user("sam")
    make_report(item, reporter)
    moderation.item_dismiss(actor=moderator, item=item)
    _resolved(item)
    assert _messages(member) == []
    assert Report.objects.get().outcome == Report.Outcome.NO_ACTION
    assert "stays as it is" in _messages(reporter, NotificationKind.REPORT_OUTCOME)[0]
    with pytest.raises(ValidationError):
        moderation.item_dismiss(actor=moderator, item=item)


def test_held_content_cannot_be_dismissed(group: Group, member: User, moderator: User) -> None:
    item = item_for_post(hold(make_post(group, member)))
    with pytest.raises(ValidationError):
        moderation.item_dismiss(actor=moderator, item=item)
    item.refresh_from_db()
    assert item.status == QueueItem.Status.OPEN


def test_a_member_report_item_can_be_dismissed(member: User, moderator: User) -> None:
    item = make_item(member, kind=ContentKind.MEMBER, object_id=member.pk)
    moderation.item_dismiss(actor=moderator, item=item)
    _resolved(item)
    with pytest.raises(ValidationError):
        moderation.item_hide(actor=moderator, item=item, reason="No")


# --- Alerts ---------------------------------------------------------------------------------


def test_deciding_an_urgent_item_acknowledges_its_alert(
    group: Group, member: User, moderator: User
) -> None:
    item = item_for_post(make_post(group, member), tier=Tier.URGENT)
    alert = make_alert(item)
    moderation.item_approve(actor=moderator, item=item)
    alert.refresh_from_db()
    assert alert.acknowledged_by == moderator
    assert alert.acknowledged_at is not None


# --- Who may decide -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEMBER, Role.PEER_SUPPORTER, Role.RESEARCHER])
def test_people_without_the_permission_cannot_decide(
    group: Group, member: User, make_user: MakeUser, role: str
) -> None:
    actor = make_user("someone", role=role)
    post = hold(make_post(group, member))
    item = item_for_post(post)
    for decide in (
        lambda: moderation.item_approve(actor=actor, item=item),
        lambda: moderation.item_hide(actor=actor, item=item, reason="x"),
        lambda: moderation.item_restore(actor=actor, item=item),
        lambda: moderation.item_dismiss(actor=actor, item=item),
        lambda: moderation.item_edit(actor=actor, item=item, body="x", visible_note="x"),
        lambda: moderation.item_add_content_warning(
            actor=actor, item=item, content_warning="x", reason="x"
        ),
    ):
        with pytest.raises(PermissionDenied):
            decide()
    post.refresh_from_db()
    assert post.moderation_state == ModerationState.HELD
    assert not ModerationAction.objects.exists()


def test_administrators_can_decide(group: Group, member: User, admin: User) -> None:
    item = item_for_post(hold(make_post(group, member)))
    moderation.item_approve(actor=admin, item=item)
    _resolved(item)


def test_a_moderator_cannot_decide_about_their_own_content(group: Group, moderator: User) -> None:
    item = item_for_post(hold(make_post(group, moderator)))
    with pytest.raises(PermissionDenied):
        moderation.item_approve(actor=moderator, item=item)


# --- Through the pages ----------------------------------------------------------------------


def test_hiding_through_the_item_page(
    group: Group, member: User, moderator: User, client_for: ClientFor
) -> None:
    post = make_post(group, member)
    item = item_for_post(post)
    client = client_for(moderator)
    url = reverse("safety_moderation:item_act", args=[item.pk, "hide"])
    response = client.post(url, {"reason": "Unkind to another member"})
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).moderation_state == ModerationState.HIDDEN


def test_a_refusal_comes_back_as_a_message(
    group: Group, member: User, moderator: User, client_for: ClientFor
) -> None:
    item = item_for_post(make_post(group, member))
    client = client_for(moderator)
    url = reverse("safety_moderation:item_act", args=[item.pk, "hide"])
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Please give a reason" in response.content.decode()
    assert not ModerationAction.objects.exists()


def test_members_cannot_post_decisions(
    group: Group, member: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    item = item_for_post(hold(make_post(group, member)))
    other = make_user("sam")
    url = reverse("safety_moderation:item_act", args=[item.pk, "approve"])
    assert client_for(other).post(url).status_code == 403
    assert not ModerationAction.objects.exists()


def test_decisions_need_a_post_request(
    group: Group, member: User, moderator: User, client_for: ClientFor
) -> None:
    item = item_for_post(make_post(group, member))
    url = reverse("safety_moderation:item_act", args=[item.pk, "dismiss"])
    assert client_for(moderator).get(url).status_code == 405


def test_next_must_stay_on_this_site(
    group: Group, member: User, moderator: User, client_for: ClientFor
) -> None:
    item = item_for_post(make_post(group, member))
    url = reverse("safety_moderation:item_act", args=[item.pk, "dismiss"])
    response = client_for(moderator).post(url, {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("safety_moderation:item", args=[item.pk])
