"""Warnings, mutes and suspensions: the ladder, the reasons members read, lifting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.notifications.models import Notification, NotificationKind
from alongside.safety.models import AuditEntry, ModerationAction, QueueItem, Report, Sanction
from alongside.safety.selectors.standing import posting_restriction
from alongside.safety.services import moderation
from alongside.safety.services.moderation import LadderStep, ladder_next_step, parse_ladder_step
from alongside.safety.tests.moderation_helpers import make_item, make_report

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]


@pytest.fixture
def moderator(make_user: MakeUser) -> User:
    return make_user("morgan", role=Role.MODERATOR)


def _messages(user: User) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user, kind=NotificationKind.MODERATION)
        .order_by("id")
        .values_list("message", flat=True)
    )


# --- The ladder -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("warning", LadderStep(kind=Sanction.Kind.WARNING)),
        ("mute:7", LadderStep(kind=Sanction.Kind.MUTE, days=7)),
        ("suspend:14", LadderStep(kind=Sanction.Kind.SUSPENSION, days=14)),
        ("suspend", LadderStep(kind=Sanction.Kind.SUSPENSION)),
    ],
)
def test_ladder_steps_are_read_from_settings_text(text: str, step: LadderStep) -> None:
    assert parse_ladder_step(text) == step
    assert step.code == text


@pytest.mark.parametrize("text", ["mute", "warning:3", "ban", "suspend:soon"])
def test_a_wrong_ladder_step_is_a_configuration_error(text: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        parse_ladder_step(text)


def test_the_next_step_follows_prior_sanctions_not_lifted_ones(
    member: User, moderator: User
) -> None:
    assert ladder_next_step(member) == LadderStep(kind=Sanction.Kind.WARNING)
    first = moderation.member_apply_next_step(actor=moderator, member=member, reason="One")
    assert first.kind == Sanction.Kind.WARNING
    assert ladder_next_step(member) == LadderStep(kind=Sanction.Kind.SUSPENSION, days=14)
    moderation.sanction_lift(actor=moderator, sanction=first, reason="A mistake")
    assert ladder_next_step(member) == LadderStep(kind=Sanction.Kind.WARNING)
    for reason in ("Two", "Three", "Four", "Five"):
        moderation.member_apply_next_step(actor=moderator, member=member, reason=reason)
    # Past the top of the ladder: the top step again.
    assert ladder_next_step(member) == LadderStep(kind=Sanction.Kind.SUSPENSION)
    kinds = list(
        Sanction.objects.filter(member=member, lifted_at__isnull=True)
        .order_by("id")
        .values_list("kind", "ends_at")
    )
    assert [kind for kind, _ in kinds] == ["warning", "suspension", "suspension", "suspension"]
    assert kinds[-1][1] is None  # permanent


def test_a_deployment_can_choose_its_own_ladder(
    member: User, moderator: User, settings: object
) -> None:
    settings.SAFETY_SANCTION_LADDER = ["mute:7", "suspend"]  # type: ignore[attr-defined]
    assert ladder_next_step(member) == LadderStep(kind=Sanction.Kind.MUTE, days=7)
    sanction = moderation.member_apply_next_step(actor=moderator, member=member, reason="x")
    assert sanction.kind == Sanction.Kind.MUTE
    assert sanction.ends_at is not None
    assert timedelta(days=6, hours=23) < sanction.ends_at - timezone.now() <= timedelta(days=7)


# --- Applying sanctions ---------------------------------------------------------------------


def test_a_warning_is_a_private_message_with_the_reason(member: User, moderator: User) -> None:
    sanction = moderation.member_sanction(
        actor=moderator,
        member=member,
        kind=Sanction.Kind.WARNING,
        reason="Please keep replies kind",
        note="second time this week",
    )
    assert sanction.issued_by == moderator
    assert sanction.ends_at is None
    [message] = _messages(member)
    assert "Please keep replies kind" in message
    assert "second time this week" not in message
    notification = Notification.objects.get(recipient=member)
    assert notification.link == reverse("safety_appeals:list")
    assert notification.actor is None  # the team speaks, not one named moderator
    action = ModerationAction.objects.get(kind=ModerationAction.Kind.WARN)
    assert sanction.action == action
    assert AuditEntry.objects.get(action="warn").member == member
    assert posting_restriction(member) is None  # a warning restricts nothing


def test_a_mute_needs_days_and_stops_posting(member: User, moderator: User) -> None:
    with pytest.raises(ValidationError):
        moderation.member_sanction(
            actor=moderator, member=member, kind=Sanction.Kind.MUTE, reason="Spam"
        )
    with pytest.raises(ValidationError):
        moderation.member_sanction(
            actor=moderator, member=member, kind=Sanction.Kind.MUTE, reason="Spam", days=0
        )
    moderation.member_sanction(
        actor=moderator, member=member, kind=Sanction.Kind.MUTE, reason="Spam", days=3
    )
    restriction = posting_restriction(member)
    assert restriction is not None
    assert "Spam" in restriction
    assert "paused your posting" in _messages(member)[0]


def test_a_suspension_can_be_for_days_or_permanent(member: User, moderator: User) -> None:
    timed = moderation.member_sanction(
        actor=moderator, member=member, kind=Sanction.Kind.SUSPENSION, reason="Threats", days=14
    )
    assert timed.ends_at is not None
    permanent = moderation.member_sanction(
        actor=moderator, member=member, kind=Sanction.Kind.SUSPENSION, reason="Again"
    )
    assert permanent.ends_at is None
    assert "suspended until" in _messages(member)[0]
    assert "Your account is suspended. Reason: Again" in _messages(member)[1]


def test_a_sanction_on_an_item_resolves_it_and_tells_reporters(
    member: User, moderator: User, make_user: MakeUser
) -> None:
    item = make_item(member)
    reporter = make_user("sam")
    make_report(item, reporter)
    other = make_user("kit")
    with pytest.raises(ValidationError):
        moderation.member_sanction(
            actor=moderator, member=other, kind="warning", reason="x", item=item
        )
    moderation.member_sanction(
        actor=moderator, member=member, kind=Sanction.Kind.WARNING, reason="Unkind", item=item
    )
    item.refresh_from_db()
    assert item.status == QueueItem.Status.RESOLVED
    assert item.resolution == ModerationAction.Kind.WARN
    assert Report.objects.get().outcome == Report.Outcome.ACTION_TAKEN
    outcome = Notification.objects.get(recipient=reporter)
    assert outcome.kind == NotificationKind.REPORT_OUTCOME
    # Reporters learn that action was taken, never which sanction or on whom.
    assert "warning" not in outcome.message.lower()
    assert member.handle not in outcome.message


def test_lifting_ends_a_sanction_and_tells_the_member(member: User, moderator: User) -> None:
    sanction = moderation.member_sanction(
        actor=moderator, member=member, kind=Sanction.Kind.MUTE, reason="Spam", days=3
    )
    with pytest.raises(ValidationError):
        moderation.sanction_lift(actor=moderator, sanction=sanction, reason="")
    moderation.sanction_lift(actor=moderator, sanction=sanction, reason="It was not spam")
    sanction.refresh_from_db()
    assert sanction.lifted_by == moderator
    assert posting_restriction(member) is None
    assert "It was not spam" in _messages(member)[-1]
    assert AuditEntry.objects.filter(action="lift", detail__sanction_id=sanction.pk).exists()
    with pytest.raises(ValidationError):
        moderation.sanction_lift(actor=moderator, sanction=sanction, reason="again")


@pytest.mark.parametrize("role", [Role.MEMBER, Role.PEER_SUPPORTER, Role.RESEARCHER])
def test_only_moderators_sanction_and_lift(
    member: User, moderator: User, make_user: MakeUser, role: str
) -> None:
    actor = make_user("someone", role=role)
    with pytest.raises(PermissionDenied):
        moderation.member_sanction(actor=actor, member=member, kind="warning", reason="x")
    sanction = moderation.member_sanction(
        actor=moderator, member=member, kind="warning", reason="x"
    )
    with pytest.raises(PermissionDenied):
        moderation.sanction_lift(actor=actor, sanction=sanction, reason="x")


def test_nobody_sanctions_or_lifts_for_themselves(moderator: User, make_user: MakeUser) -> None:
    with pytest.raises(PermissionDenied):
        moderation.member_sanction(actor=moderator, member=moderator, kind="warning", reason="x")
    admin = make_user("ada", role=Role.ADMINISTRATOR)
    sanction = moderation.member_sanction(
        actor=admin, member=moderator, kind="mute", reason="x", days=1
    )
    with pytest.raises(PermissionDenied):
        moderation.sanction_lift(actor=moderator, sanction=sanction, reason="mine")


# --- Through the pages ----------------------------------------------------------------------


def test_the_item_page_proposes_the_next_step(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    Sanction.objects.create(member=member, kind=Sanction.Kind.WARNING, reason="Before")
    item = make_item(member)
    html = client_for(moderator).get(reverse("safety_moderation:item", args=[item.pk])).content
    text = html.decode()
    assert "suspend for 14 days" in text
    assert '<option value="suspension" selected>' in text
    assert 'value="14"' in text


def test_sanctioning_from_the_member_page(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    client = client_for(moderator)
    page = reverse("safety_moderation:member", args=[member.pk])
    assert client.get(page).status_code == 200
    url = reverse("safety_moderation:member_sanction", args=[member.pk])
    response = client.post(url, {"kind": "mute", "days": "2", "reason": "Cool off"})
    assert response.status_code == 302
    sanction = Sanction.objects.get(member=member)
    assert sanction.kind == Sanction.Kind.MUTE
    lift = reverse("safety_moderation:sanction_lift", args=[sanction.pk])
    assert lift in client.get(page).content.decode()
    client.post(lift, {"reason": "Done"})
    sanction.refresh_from_db()
    assert sanction.lifted_at is not None


def test_a_bad_sanction_form_changes_nothing(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    url = reverse("safety_moderation:member_sanction", args=[member.pk])
    response = client_for(moderator).post(url, {"kind": "mute", "reason": "x"}, follow=True)
    assert "Please say for how many days." in response.content.decode()
    assert not Sanction.objects.exists()


def test_members_cannot_open_member_pages_or_sanction(
    member: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    other = make_user("sam")
    client = client_for(other)
    assert client.get(reverse("safety_moderation:member", args=[member.pk])).status_code == 403
    url = reverse("safety_moderation:member_sanction", args=[member.pk])
    assert client.post(url, {"kind": "warning", "reason": "x"}).status_code == 403
    sanction = Sanction.objects.create(member=member, kind="warning", reason="x")
    lift = reverse("safety_moderation:sanction_lift", args=[sanction.pk])
    assert client.post(lift, {"reason": "x"}).status_code == 403
    assert not Sanction.objects.filter(lifted_at__isnull=False).exists()
