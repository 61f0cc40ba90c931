"""Members' own protections, below the pages: blocks, muted words, breaks, and notifications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alongside.accounts.models import User
from alongside.communities import services as communities_services
from alongside.communities.models import Reaction
from alongside.notifications.models import Notification, NotificationKind, NotificationPreference
from alongside.notifications.services import (
    notify_mentions,
    notify_message,
    notify_reaction,
    notify_reply,
)
from alongside.safety.models import Block, SafetyPreferences
from alongside.safety.selectors import protection as selectors
from alongside.safety.selectors.protection import (
    BLOCKED,
    BLOCKED_BY,
    CONTENT_WARNING,
    MUTED,
    blocked_ids,
    is_blocked_between,
    matches_muted,
    muted_words,
    reader_filter,
)
from alongside.safety.selectors.standing import posting_restriction
from alongside.safety.services import protection
from alongside.safety.tests.member_support import Circle, make_circle, make_post

MakeUser = Callable[..., User]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def circle(make_user: MakeUser) -> Circle:
    return make_circle(make_user)


# --- Blocks ---------------------------------------------------------------------------------


def test_a_block_works_both_ways(circle: Circle) -> None:
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    assert blocked_ids(circle.juniper) == frozenset({circle.tomasz.pk})
    assert blocked_ids(circle.tomasz) == frozenset({circle.juniper.pk})
    assert blocked_ids(circle.wren) == frozenset()
    assert is_blocked_between(circle.juniper, circle.tomasz)
    assert is_blocked_between(circle.tomasz, circle.juniper)
    assert not is_blocked_between(circle.wren, circle.tomasz)
    assert selectors.blocks_for(circle.tomasz).blocked_by == frozenset({circle.juniper.pk})
    assert selectors.blocks_for(circle.tomasz).blocking == frozenset()


def test_blocking_twice_changes_nothing(circle: Circle) -> None:
    first = protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    again = protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    assert first.pk == again.pk
    assert Block.objects.count() == 1


def test_nobody_blocks_themselves(circle: Circle) -> None:
    with pytest.raises(ValidationError) as caught:
        protection.block_create(blocker=circle.juniper, blocked=circle.juniper)
    assert caught.value.messages == ["You can't block yourself."]


def test_an_inactive_member_cannot_be_blocked_and_cannot_block(circle: Circle) -> None:
    circle.tomasz.is_active = False
    with pytest.raises(ValidationError):
        protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    with pytest.raises(PermissionDenied):
        protection.block_create(blocker=circle.tomasz, blocked=circle.juniper)


def test_block_limit(circle: Circle, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(protection, "BLOCKS_MAX", 1)
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    with pytest.raises(ValidationError) as caught:
        protection.block_create(blocker=circle.juniper, blocked=circle.wren)
    assert caught.value.messages == ["You can block up to 1 members. Please unblock someone first."]
    assert blocked_ids(circle.juniper) == frozenset({circle.tomasz.pk})


def test_unblocking(circle: Circle) -> None:
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    assert blocked_ids(circle.tomasz)  # cached now
    assert protection.block_delete(blocker=circle.juniper, blocked=circle.tomasz) is True
    assert blocked_ids(circle.juniper) == frozenset()
    assert blocked_ids(circle.tomasz) == frozenset()
    assert protection.block_delete(blocker=circle.juniper, blocked=circle.tomasz) is False


def test_only_the_blocker_can_unblock(circle: Circle) -> None:
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    assert protection.block_delete(blocker=circle.tomasz, blocked=circle.juniper) is False
    assert is_blocked_between(circle.juniper, circle.tomasz)


def test_blocked_ids_costs_one_query_then_none(
    circle: Circle, django_assert_num_queries: Any
) -> None:
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    protection.block_create(blocker=circle.wren, blocked=circle.juniper)
    with django_assert_num_queries(1):
        assert blocked_ids(circle.juniper) == frozenset({circle.tomasz.pk, circle.wren.pk})
    with django_assert_num_queries(0):
        assert blocked_ids(circle.juniper) == frozenset({circle.tomasz.pk, circle.wren.pk})
    # A page of posts also needs the muted words: one more query, once.
    with django_assert_num_queries(1):
        assert reader_filter(circle.juniper).blocks.blocking == frozenset({circle.tomasz.pk})
    with django_assert_num_queries(0):
        assert reader_filter(circle.juniper).blocks.blocked_by == frozenset({circle.wren.pk})


def test_both_members_caches_are_dropped_on_a_change(circle: Circle) -> None:
    assert blocked_ids(circle.juniper) == frozenset()
    assert blocked_ids(circle.tomasz) == frozenset()
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    assert blocked_ids(circle.juniper) == frozenset({circle.tomasz.pk})
    assert blocked_ids(circle.tomasz) == frozenset({circle.juniper.pk})


def test_replacing_all_blocks(circle: Circle, make_user: MakeUser) -> None:
    orla = make_user("orla")
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    assert blocked_ids(circle.tomasz)  # cached
    blocks = protection.blocks_replace(blocker=circle.juniper, handles=["ORLA", " wren ", ""])
    assert {block.blocked.handle for block in blocks} == {"orla", "wren"}
    assert blocked_ids(circle.juniper) == frozenset({orla.pk, circle.wren.pk})
    assert blocked_ids(circle.tomasz) == frozenset()
    assert protection.blocks_replace(blocker=circle.juniper, handles=[]) == []


def test_replacing_blocks_refuses_unknown_handles_and_changes_nothing(circle: Circle) -> None:
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    with pytest.raises(ValidationError) as caught:
        protection.blocks_replace(blocker=circle.juniper, handles=["wren", "nobody_here"])
    assert caught.value.message_dict == {"handles": ["There is no member called nobody_here."]}
    with pytest.raises(ValidationError) as caught:
        protection.blocks_replace(blocker=circle.juniper, handles=["Juniper"])
    assert caught.value.message_dict == {"handles": ["You can't block yourself."]}
    assert blocked_ids(circle.juniper) == frozenset({circle.tomasz.pk})


def test_the_blocked_list_shows_only_my_blocks(circle: Circle) -> None:
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    protection.block_create(blocker=circle.wren, blocked=circle.juniper)
    assert [b.blocked for b in selectors.blocked_members(circle.juniper)] == [circle.tomasz]
    assert selectors.blocked_members(circle.tomasz) == []


# --- Muted words ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("I had a panic attack on the bus home.", ["panic"], True),
        ("PANIC at the station again", ["panic"], True),
        ("Panicking about tomorrow's appointment", ["panic"], False),
        ("The company party was fine in the end", ["pan"], False),
        ("Counting calories   again this week", ["calories again"], True),
        ("Counting calories, again", ["calories again"], False),
        ("Ich hatte heute wieder eine Panikattacke.", ["PANIKATTACKE"], True),
        ("Die STRASSE war leer.", ["straße"], True),
        ("I don\u2019t want to talk about my weight", ["don't want"], True),
        ("#tw weight talk below", ["#tw"], True),
        ("今日は体重の話ばかりでした", ["体重"], True),
        ("Ça va mieux aujourd'hui", ["ça va"], True),
        ("Relapse, day one.", ["relapse"], True),
        ("Nothing to see here", [], False),
        ("", ["relapse"], False),
        ("Nothing to see here", ["   "], False),
    ],
)
def test_matches_muted(text: str, words: list[str], expected: bool) -> None:
    assert matches_muted(text, words) is expected


def test_muted_words_are_cleaned() -> None:
    words = protection.clean_muted_words(
        ["  calorie   counting ", "Relapse", "", "relapse", "RELAPSE ", "self harm"]
    )
    assert words == ["calorie counting", "Relapse", "self harm"]


def test_muted_words_have_limits() -> None:
    with pytest.raises(ValidationError) as caught:
        protection.clean_muted_words([f"word{n}" for n in range(51)])
    assert caught.value.message_dict == {
        "muted_words": ["You can mute up to 50 words or phrases; this list has 51."]
    }
    with pytest.raises(ValidationError) as caught:
        protection.clean_muted_words(["a" * 61, "!!!"])
    assert caught.value.message_dict == {
        "muted_words": [
            "“aaaaaaaaaaaaaaaaaaaa…” is too long: please keep each word or phrase to 60 "
            "characters.",
            "“!!!” has no letters or numbers, so it would hide too much.",
        ]
    }
    assert protection.clean_muted_words(["a" * 60]) == ["a" * 60]


def test_saving_protections_updates_what_pages_read(circle: Circle) -> None:
    assert muted_words(circle.juniper) == ()  # cached as empty
    protection.protection_update(
        user=circle.juniper, muted_words=["relapse", "weight loss"], hide_content_warned=True
    )
    assert muted_words(circle.juniper) == ("relapse", "weight loss")
    assert selectors.protection_for(circle.juniper).hide_content_warned is True
    protection.protection_update(user=circle.juniper, hide_content_warned=False)
    assert muted_words(circle.juniper) == ("relapse", "weight loss")  # None leaves it
    assert selectors.protection_for(circle.juniper).hide_content_warned is False


def test_a_refused_update_changes_nothing(circle: Circle) -> None:
    protection.protection_update(user=circle.juniper, muted_words=["relapse"])
    with pytest.raises(ValidationError):
        protection.protection_update(
            user=circle.juniper, muted_words=["?" * 3], hide_content_warned=True
        )
    preferences = SafetyPreferences.objects.get(user=circle.juniper)
    assert preferences.muted_words == ["relapse"]
    assert preferences.hide_content_warned is False


def test_why_a_post_is_folded(circle: Circle) -> None:
    protection.block_create(blocker=circle.juniper, blocked=circle.tomasz)
    protection.block_create(blocker=circle.wren, blocked=circle.juniper)
    protection.protection_update(
        user=circle.juniper, muted_words=["lamp"], hide_content_warned=True
    )
    reader = reader_filter(circle.juniper)
    reason = reader.reason_for
    assert reason(author_id=circle.tomasz.pk, body="hello") == BLOCKED
    assert reason(author_id=circle.wren.pk, body="hello") == BLOCKED_BY
    orla_id = circle.wren.pk + 1000
    assert reason(author_id=orla_id, body="A daylight LAMP helps") == MUTED
    assert reason(author_id=orla_id, body="fine", content_warning="lamp talk") == MUTED
    assert reason(author_id=orla_id, body="fine", content_warning="weight") == CONTENT_WARNING
    assert reason(author_id=orla_id, body="A lamp-free evening") == MUTED
    assert reason(author_id=orla_id, body="Lampshade shopping") == ""
    # My own posts are never folded for me.
    assert reason(author_id=circle.juniper.pk, body="my lamp", content_warning="cw") == ""


# --- Taking a break -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "days"), [("1d", 1), ("3d", 3), ("1w", 7), ("2w", 14), ("1m", 30)]
)
def test_break_lengths(length: str, days: int) -> None:
    now = timezone.now()
    assert protection.break_end_for(length=length, now=now) == now + timedelta(days=days)


def test_a_break_until_a_date_ends_at_the_start_of_that_day() -> None:
    ends = protection.break_end_for(until=date(2031, 3, 14))
    assert ends == datetime(2031, 3, 14, tzinfo=timezone.get_current_timezone())


def test_a_break_needs_a_length() -> None:
    with pytest.raises(ValidationError) as caught:
        protection.break_end_for(length="forever")
    assert caught.value.message_dict == {
        "length": ["Please choose how long you'd like your break to be."]
    }


def test_a_break_stops_posting_until_it_is_ended(circle: Circle) -> None:
    until = timezone.now() + timedelta(days=3)
    protection.break_start(user=circle.juniper, until=until)
    restriction = posting_restriction(circle.juniper)
    assert restriction is not None
    assert restriction.startswith("You are taking a break until")
    with pytest.raises(PermissionDenied):
        communities_services.post_create(
            author=circle.juniper, thread=circle.thread, body="Thanks, everyone, that helps."
        )
    protection.break_end(user=circle.juniper)
    assert posting_restriction(circle.juniper) is None
    communities_services.post_create(
        author=circle.juniper, thread=circle.thread, body="Thanks, everyone, that helps."
    )


def test_a_break_must_end_in_the_future_and_within_a_year(circle: Circle) -> None:
    now = timezone.now()
    with pytest.raises(ValidationError) as caught:
        protection.break_start(user=circle.juniper, until=now - timedelta(minutes=1))
    assert caught.value.message_dict == {"paused_until": ["Please choose a time in the future."]}
    with pytest.raises(ValidationError) as caught:
        protection.break_start(user=circle.juniper, until=now + timedelta(days=366))
    assert caught.value.message_dict == {
        "paused_until": ["A break can last up to 365 days at a time. You can extend it later."]
    }
    assert not SafetyPreferences.objects.filter(paused_until__isnull=False).exists()


def test_ending_a_break_i_am_not_on_changes_nothing(circle: Circle) -> None:
    preferences = protection.break_end(user=circle.juniper)
    assert preferences.paused_until is None


def test_replacing_everything_at_once(circle: Circle) -> None:
    until = timezone.now() + timedelta(days=2)
    protection.protection_replace(
        user=circle.juniper, muted_words=["relapse"], hide_content_warned=True, paused_until=until
    )
    preferences = SafetyPreferences.objects.get(user=circle.juniper)
    assert (preferences.muted_words, preferences.hide_content_warned) == (["relapse"], True)
    assert preferences.paused_until == until
    # The same end sent back leaves the break alone; null ends it.
    protection.protection_replace(
        user=circle.juniper, muted_words=[], hide_content_warned=False, paused_until=until
    )
    assert SafetyPreferences.objects.get(user=circle.juniper).paused_until == until
    protection.protection_replace(
        user=circle.juniper, muted_words=[], hide_content_warned=False, paused_until=None
    )
    assert SafetyPreferences.objects.get(user=circle.juniper).paused_until is None


def test_replacing_is_all_or_nothing(circle: Circle) -> None:
    with pytest.raises(ValidationError):
        protection.protection_replace(
            user=circle.juniper,
            muted_words=["relapse"],
            hide_content_warned=True,
            paused_until=timezone.now() - timedelta(days=1),
        )
    assert not SafetyPreferences.objects.filter(user=circle.juniper, muted_words=["relapse"])


# --- Notifications between blocked members and during a break --------------------------------


def test_replies_mentions_and_reactions_between_blocked_members_are_not_told(
    circle: Circle,
) -> None:
    protection.block_create(blocker=circle.wren, blocked=circle.tomasz)
    reply = make_post(circle.thread, circle.tomasz, "Hope tonight is easier, @wren.")
    notify_reply(post=reply)
    notify_mentions(post=reply, users=[circle.wren])
    reaction = Reaction.objects.create(post=circle.opening, user=circle.tomasz, kind="hug")
    notify_reaction(reaction=reaction)
    assert not Notification.objects.filter(recipient=circle.wren).exists()
    # Nor the other way round.
    mention = make_post(circle.thread, circle.wren, "Thank you @tomasz")
    notify_mentions(post=mention, users=[circle.tomasz])
    assert not Notification.objects.filter(recipient=circle.tomasz).exists()
    # Others are told as usual.
    notify_mentions(post=mention, users=[circle.juniper])
    assert Notification.objects.filter(recipient=circle.juniper).count() == 1


def test_no_notification_emails_during_a_break(
    circle: Circle, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=circle.wren.pk).update(email="wren@example.org")
    circle.wren.refresh_from_db()
    NotificationPreference.objects.create(user=circle.wren, kind="reply", email=True)
    NotificationPreference.objects.create(
        user=circle.wren, kind=NotificationKind.REPORT_OUTCOME, email=True
    )
    protection.break_start(user=circle.wren, until=timezone.now() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        notify_reply(post=circle.juniper_reply)
        notify_message(
            recipient=circle.wren,
            kind=NotificationKind.REPORT_OUTCOME,
            message="Thank you for your report.",
        )
    assert Notification.objects.filter(recipient=circle.wren).count() == 2  # still in the app
    assert mail.outbox == []
    protection.break_end(user=circle.wren)
    with django_capture_on_commit_callbacks(execute=True):
        notify_reply(post=circle.tomasz_reply)
        notify_message(
            recipient=circle.wren,
            kind=NotificationKind.REPORT_OUTCOME,
            message="Thank you for your report.",
        )
    assert len(mail.outbox) == 2
