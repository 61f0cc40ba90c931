"""Who may open a one-to-one with whom: each rule, and the words a refused member reads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from alongside.accounts.models import AgeBand, User
from alongside.accounts.roles import Role
from alongside.chat import policy, services
from alongside.chat.models import ChatPreferences, Conversation, DirectMessagingApproval
from alongside.communities import services as communities
from alongside.communities.models import Group
from alongside.safety.models import Sanction
from alongside.safety.services.protection import block_create

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]

NEW_ACCOUNT_WORDS = "new accounts can start one-to-one conversations once they are 7 days old"
APPROVAL_WORDS = "a moderator approves each account before it can start one-to-one"
AGE_WORDS = (
    "One-to-one conversations between adults and members under 18 are only possible with a "
    "background-checked peer supporter. You can still talk in group rooms."
)


def refusal(initiator: User, recipient: User) -> str:
    """The words ``initiator`` reads when refused; fails if they are not refused."""
    with pytest.raises(ValidationError) as caught:
        policy.require_may_open_direct(initiator, recipient)
    return " ".join(caught.value.messages)


@pytest.fixture
def admin(make_user: MakeUser) -> User:
    return make_user("rowan", role=Role.ADMINISTRATOR)


@pytest.fixture
def group(admin: User) -> Group:
    return communities.group_create(actor=admin, name="Sleep and low mood")


@pytest.fixture
def recipient(make_user: MakeUser) -> User:
    return make_user("quiet_harbour")


def _prefer(user: User, who: str) -> None:
    services.preferences_update(
        user=user,
        who_may_message=who,
        presence_visibility=ChatPreferences.PresenceVisibility.DIRECT,
    )


def _established(user: User, group: Group) -> User:
    """Join ``group`` and write the three posts the new-account bar asks for."""
    communities.group_join(user=user, group=group)
    for title in ("Hello from me", "A small win", "Question about sleep"):
        communities.thread_create(
            author=user, group=group, title=title, body="Nice to find this group."
        )
    return user


def _room_messages(author: User, group: Group, admin: User, count: int) -> Conversation:
    room = services.room_create(actor=admin, group=group, title="Drop-in")
    for number in range(count):
        services.message_send(
            author=author, conversation=room, body=f"Thanks everyone, small win {number}."
        )
    return room


# --- The new-account bar --------------------------------------------------------------------


def test_a_new_account_may_not_open_a_one_to_one(
    make_user: MakeUser, recipient: User, group: Group
) -> None:
    newcomer = make_user("just_joined", date_joined=timezone.now())
    for user in (newcomer, recipient):
        communities.group_join(user=user, group=group)

    words = refusal(newcomer, recipient)

    assert NEW_ACCOUNT_WORDS in words
    assert "have written 3 posts or group-room messages" in words
    assert policy.may_open_direct(newcomer, recipient) is False
    with pytest.raises(ValidationError):
        services.direct_open(initiator=newcomer, recipient=recipient)
    assert not Conversation.objects.exists()


def test_an_old_account_without_contributions_is_refused_until_it_has_some(
    make_user: MakeUser, recipient: User, group: Group, admin: User
) -> None:
    lurker = make_user("long_time_reader")
    for user in (lurker, recipient):
        communities.group_join(user=user, group=group)
    assert NEW_ACCOUNT_WORDS in refusal(lurker, recipient)

    _room_messages(lurker, group, admin, 2)
    assert policy.contributions(lurker) == 2
    assert policy.may_open_direct(lurker, recipient) is False

    communities.thread_create(author=lurker, group=group, title="Hello", body="New here, hi.")
    assert policy.contributions(lurker) == 3
    assert policy.may_open_direct(lurker, recipient) is True


def test_contributions_do_not_count_one_to_one_messages_or_removed_ones(
    make_user: MakeUser, recipient: User, group: Group, admin: User
) -> None:
    writer = make_user("pen_pal")
    supporter = make_user("steady_oak", role=Role.PEER_SUPPORTER)
    communities.group_join(user=writer, group=group)
    direct = services.direct_open(initiator=supporter, recipient=writer)
    for number in range(3):
        services.message_send(author=writer, conversation=direct, body=f"Private {number}.")
    room = _room_messages(writer, group, admin, 1)
    removed = services.message_send(
        author=writer, conversation=room, body="Posted in the wrong place, sorry."
    )
    services.message_delete(actor=writer, message=removed.message)

    assert policy.contributions(writer) == 1


def test_an_account_with_contributions_but_too_young_is_refused(
    make_user: MakeUser, recipient: User, group: Group, admin: User
) -> None:
    eager = make_user("eager_helper", date_joined=timezone.now() - timedelta(days=3))
    for user in (eager, recipient):
        communities.group_join(user=user, group=group)
    _room_messages(eager, group, admin, 5)

    assert NEW_ACCOUNT_WORDS in refusal(eager, recipient)


@override_settings(CHAT_DIRECT_MIN_ACCOUNT_DAYS=0, CHAT_DIRECT_MIN_CONTRIBUTIONS=0)
def test_the_bar_follows_the_deployments_settings(
    make_user: MakeUser, recipient: User, group: Group
) -> None:
    newcomer = make_user("just_joined", date_joined=timezone.now())
    for user in (newcomer, recipient):
        communities.group_join(user=user, group=group)

    assert policy.may_open_direct(newcomer, recipient) is True


@override_settings(CHAT_DIRECT_REQUIRE_APPROVAL=True)
def test_in_approval_mode_even_an_established_member_waits_for_a_moderator(
    make_user: MakeUser, recipient: User, group: Group, admin: User
) -> None:
    established = make_user("old_hand", date_joined=timezone.now() - timedelta(days=400))
    for user in (established, recipient):
        communities.group_join(user=user, group=group)
    _room_messages(established, group, admin, 5)
    moderator = make_user("kestrel", role=Role.MODERATOR)

    assert APPROVAL_WORDS in refusal(established, recipient)

    approval = services.direct_approve(actor=moderator, member=established)
    assert approval.approved_by == moderator
    assert policy.may_open_direct(established, recipient) is True


def test_a_moderators_approval_lets_a_new_account_in_early(
    make_user: MakeUser, recipient: User, group: Group
) -> None:
    newcomer = make_user("just_joined", date_joined=timezone.now())
    for user in (newcomer, recipient):
        communities.group_join(user=user, group=group)
    DirectMessagingApproval.objects.create(user=newcomer)

    assert policy.may_open_direct(newcomer, recipient) is True


def test_only_moderators_may_approve(make_user: MakeUser) -> None:
    from django.core.exceptions import PermissionDenied

    newcomer = make_user("just_joined", date_joined=timezone.now())
    with pytest.raises(PermissionDenied):
        services.direct_approve(actor=make_user("helpful_member"), member=newcomer)
    assert not DirectMessagingApproval.objects.exists()


@override_settings(CHAT_DIRECT_REQUIRE_APPROVAL=True)
@pytest.mark.parametrize("role", [Role.PEER_SUPPORTER, Role.MODERATOR, Role.ADMINISTRATOR])
def test_supporters_and_moderators_are_exempt_from_the_bar(
    make_user: MakeUser, recipient: User, group: Group, role: str
) -> None:
    staff = make_user("new_staff", role=role, date_joined=timezone.now())
    for user in (staff, recipient):
        communities.group_join(user=user, group=group)

    assert policy.direct_bar_refusal(staff) is None
    assert policy.may_open_direct(staff, recipient) is True


# --- The recipient's choice -----------------------------------------------------------------


def test_by_default_members_of_a_shared_group_may_message(
    make_user: MakeUser, recipient: User, group: Group, admin: User
) -> None:
    neighbour = _established(make_user("neighbour"), group)
    outsider = make_user("outsider")
    communities.group_join(user=recipient, group=group)
    other = communities.group_create(actor=admin, name="Running for mood")
    _established(outsider, other)

    assert policy.may_open_direct(neighbour, recipient) is True
    words = refusal(outsider, recipient)
    assert words.startswith("quiet_harbour isn't taking new one-to-one conversations from you")
    communities.group_leave(user=neighbour, group=group)
    assert policy.may_open_direct(neighbour, recipient) is False


def test_groups_setting_lets_peer_supporters_from_anywhere(
    make_user: MakeUser, recipient: User
) -> None:
    supporter = make_user("steady_oak", role=Role.PEER_SUPPORTER)

    assert policy.may_open_direct(supporter, recipient) is True


def test_supporters_only(make_user: MakeUser, recipient: User, group: Group) -> None:
    neighbour = _established(make_user("neighbour"), group)
    supporter = make_user("steady_oak", role=Role.PEER_SUPPORTER)
    communities.group_join(user=recipient, group=group)
    _prefer(recipient, ChatPreferences.WhoMayMessage.SUPPORTERS)

    assert "isn't taking new one-to-one conversations" in refusal(neighbour, recipient)
    assert policy.may_open_direct(supporter, recipient) is True


def test_nobody_means_nobody_not_even_supporters(
    make_user: MakeUser, recipient: User, group: Group
) -> None:
    supporter = make_user("steady_oak", role=Role.PEER_SUPPORTER)
    moderator = make_user("kestrel", role=Role.MODERATOR)
    _prefer(recipient, ChatPreferences.WhoMayMessage.NOBODY)

    for initiator in (supporter, moderator):
        assert "isn't taking new one-to-one conversations" in refusal(initiator, recipient)


def test_the_recipients_choice_does_not_stop_them_starting_one(
    make_user: MakeUser, recipient: User, group: Group
) -> None:
    neighbour = _established(make_user("neighbour"), group)
    _established(recipient, group)
    _prefer(recipient, ChatPreferences.WhoMayMessage.NOBODY)

    assert policy.may_open_direct(recipient, neighbour) is True
    assert policy.may_open_direct(neighbour, recipient) is False


def test_an_unsaved_preference_means_the_defaults(recipient: User) -> None:
    preferences = policy.preferences_for(recipient)

    assert preferences.pk is None
    assert preferences.who_may_message == ChatPreferences.WhoMayMessage.GROUPS
    assert preferences.presence_visibility == ChatPreferences.PresenceVisibility.DIRECT


# --- Blocks, oneself, standing --------------------------------------------------------------


@pytest.mark.parametrize("direction", ["initiator blocked", "recipient blocked"])
def test_blocks_work_both_ways_and_say_nothing_more(
    make_user: MakeUser, recipient: User, direction: str
) -> None:
    supporter = make_user("steady_oak", role=Role.PEER_SUPPORTER)
    if direction == "initiator blocked":
        block_create(blocker=recipient, blocked=supporter)
    else:
        block_create(blocker=supporter, blocked=recipient)

    assert refusal(supporter, recipient) == "You can't start a conversation with this member."
    assert refusal(recipient, supporter) == "You can't start a conversation with this member."


def test_a_block_after_the_start_stops_reopening(make_user: MakeUser, recipient: User) -> None:
    supporter = make_user("steady_oak", role=Role.PEER_SUPPORTER)
    services.direct_open(initiator=supporter, recipient=recipient)
    block_create(blocker=recipient, blocked=supporter)

    with pytest.raises(ValidationError):
        services.direct_open(initiator=supporter, recipient=recipient)


def test_not_with_oneself_nor_an_inactive_account(make_user: MakeUser, recipient: User) -> None:
    supporter = make_user("steady_oak", role=Role.PEER_SUPPORTER)
    gone = make_user("gone_quiet", is_active=False)

    assert refusal(supporter, supporter) == "You can't start a conversation with yourself."
    assert refusal(supporter, gone) == "This member's account is no longer active."


def test_a_muted_member_may_not_start_one(make_user: MakeUser, recipient: User) -> None:
    supporter = make_user("steady_oak", role=Role.PEER_SUPPORTER)
    Sanction.objects.create(
        member=supporter,
        kind=Sanction.Kind.MUTE,
        reason="Pushing members to share contact details.",
        ends_at=timezone.now() + timedelta(days=1),
    )

    assert "Pushing members to share contact details." in refusal(supporter, recipient)


# --- Under-18s ------------------------------------------------------------------------------


@pytest.fixture
def young(make_user: MakeUser) -> User:
    return make_user("skylark", age_band=AgeBand.UNDER_18)


@override_settings(ADMITS_UNDER_18=True)
def test_an_adult_member_may_not_open_one_with_an_under_18(
    make_user: MakeUser, young: User, group: Group
) -> None:
    adult = _established(make_user("grown_up", age_band=AgeBand.ADULT), group)
    _established(young, group)

    assert refusal(adult, young) == AGE_WORDS
    # ...whatever the young member's own settings say, and the other way round too.
    _prefer(young, ChatPreferences.WhoMayMessage.GROUPS)
    assert refusal(young, adult) == AGE_WORDS


@override_settings(ADMITS_UNDER_18=True)
def test_a_background_checked_supporter_may(make_user: MakeUser, young: User) -> None:
    vetted = make_user(
        "checked_supporter",
        role=Role.PEER_SUPPORTER,
        age_band=AgeBand.ADULT,
        background_check_cleared_at=timezone.now() - timedelta(days=30),
    )

    assert policy.may_open_direct(vetted, young) is True
    conversation = services.direct_open(initiator=vetted, recipient=young)
    assert conversation.participants.count() == 2


@override_settings(ADMITS_UNDER_18=True)
def test_a_supporter_without_a_background_check_may_not(make_user: MakeUser, young: User) -> None:
    unvetted = make_user("new_supporter", role=Role.PEER_SUPPORTER, age_band=AgeBand.ADULT)

    assert refusal(unvetted, young) == AGE_WORDS


@override_settings(ADMITS_UNDER_18=True)
def test_a_moderator_without_a_background_check_may_not(make_user: MakeUser, young: User) -> None:
    moderator = make_user("kestrel", role=Role.MODERATOR, age_band=AgeBand.ADULT)

    assert refusal(moderator, young) == AGE_WORDS


@override_settings(ADMITS_UNDER_18=True)
def test_two_under_18s_may_talk(make_user: MakeUser, young: User, group: Group) -> None:
    peer = _established(make_user("wren", age_band=AgeBand.UNDER_16), group)
    _established(young, group)

    assert policy.may_open_direct(peer, young) is True
    assert policy.may_open_direct(young, peer) is True
