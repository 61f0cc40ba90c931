"""Members' reports: every refusal, the queue item they feed, weights and the per-reporter cap."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alongside.accounts.models import User
from alongside.communities.models import ModerationState, Post
from alongside.safety import live
from alongside.safety.models import ContentKind, QueueItem, Report, Tier
from alongside.safety.services import reports
from alongside.safety.services.reports import report_create, reporter_weight
from alongside.safety.tests.member_support import Circle, make_circle, make_post

MakeUser = Callable[..., User]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def circle(make_user: MakeUser) -> Circle:
    return make_circle(make_user)


@pytest.fixture
def orla(make_user: MakeUser, circle: Circle) -> User:
    """A member of the group who reads along and reports."""
    user = make_user("orla")
    circle.group.memberships.create(user=user)
    return user


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, object]]]:
    """Live messages to moderators' pages, as they would go out."""
    messages: list[dict[str, object]] = []
    monkeypatch.setattr(live, "_send", messages.append)
    yield messages


def other_posts(circle: Circle, count: int) -> list[Post]:
    texts = [
        "Have you tried the new vitamin shop on the high street?",
        "Honestly the supplements fixed everything for me.",
        "You should all stop your medication and try my plan.",
        "Trust me, doctors don't know anything about this.",
        "Message me and I'll tell you what I take.",
    ]
    return [make_post(circle.thread, circle.tomasz, texts[n % len(texts)]) for n in range(count)]


# --- Making a report ------------------------------------------------------------------------


def test_a_report_on_a_reply_opens_a_queue_item_for_it(circle: Circle, orla: User) -> None:
    report = report_create(
        reporter=orla,
        post=circle.tomasz_reply,
        reason=Report.Reason.MISINFORMATION,
        note="  He keeps pushing the same supplement in every thread.\r\n",
    )
    item = report.item
    assert (report.kind, report.object_id) == (ContentKind.POST, circle.tomasz_reply.pk)
    assert report.reported_member == circle.tomasz
    assert report.note == "He keeps pushing the same supplement in every thread."
    assert report.weight == 1.0
    assert report.outcome == Report.Outcome.PENDING
    assert (item.kind, item.object_id) == (ContentKind.POST, circle.tomasz_reply.pk)
    assert item.member == circle.tomasz
    assert item.group == circle.group
    assert item.status == QueueItem.Status.OPEN
    assert item.tier == Tier.NONE
    assert item.report_weight == 1.0
    assert item.priority == 1.0


def test_the_opening_post_can_be_reported_too(circle: Circle, orla: User) -> None:
    report = report_create(reporter=orla, post=circle.opening, reason=Report.Reason.OTHER)
    assert report.object_id == circle.opening.pk
    assert report.reported_member == circle.wren


def test_a_member_can_be_reported_without_a_post(circle: Circle, orla: User) -> None:
    report = report_create(reporter=orla, member=circle.tomasz, reason=Report.Reason.HARASSMENT)
    assert (report.kind, report.object_id) == (ContentKind.MEMBER, circle.tomasz.pk)
    assert report.item.kind == ContentKind.MEMBER
    assert report.item.member == circle.tomasz
    assert report.item.group is None


def test_reports_of_the_same_post_share_one_item(circle: Circle, orla: User) -> None:
    first = report_create(reporter=orla, post=circle.tomasz_reply, reason=Report.Reason.SPAM)
    second = report_create(
        reporter=circle.juniper, post=circle.tomasz_reply, reason=Report.Reason.SPAM
    )
    assert first.item_id == second.item_id
    item = QueueItem.objects.get()
    assert item.report_weight == 2.0
    assert item.priority == 2.0


def test_a_report_adds_to_the_item_screening_opened(circle: Circle, orla: User) -> None:
    screened = QueueItem.objects.create(
        kind=ContentKind.POST,
        object_id=circle.tomasz_reply.pk,
        member=circle.tomasz,
        group=circle.group,
        tier=Tier.REVIEW,
        flags=["misinformation"],
        priority=243.5,
    )
    report = report_create(
        reporter=orla, post=circle.tomasz_reply, reason=Report.Reason.MISINFORMATION
    )
    screened.refresh_from_db()
    assert report.item_id == screened.pk
    assert screened.tier == Tier.REVIEW
    assert screened.flags == ["misinformation"]
    assert screened.report_weight == 1.0
    assert screened.priority == 244.5


def test_a_resolved_item_is_not_reopened(circle: Circle, orla: User) -> None:
    old = QueueItem.objects.create(
        kind=ContentKind.POST,
        object_id=circle.tomasz_reply.pk,
        member=circle.tomasz,
        status=QueueItem.Status.RESOLVED,
    )
    report = report_create(reporter=orla, post=circle.tomasz_reply, reason=Report.Reason.SPAM)
    assert report.item_id != old.pk
    assert report.item.status == QueueItem.Status.OPEN


def test_someone_at_risk_goes_to_review_whoever_reports_it(circle: Circle, orla: User) -> None:
    # A reporter whose earlier reports were all dismissed still gets an at-risk report seen.
    for post in other_posts(circle, 6):
        Report.objects.create(
            reporter=orla,
            kind=ContentKind.POST,
            object_id=post.pk,
            reported_member=circle.tomasz,
            reason=Report.Reason.SPAM,
            item=QueueItem.objects.create(
                kind=ContentKind.POST,
                object_id=post.pk,
                member=circle.tomasz,
                status=QueueItem.Status.RESOLVED,
            ),
            outcome=Report.Outcome.NO_ACTION,
            created_at=timezone.now() - timedelta(days=3),
        )
    report = report_create(reporter=orla, post=circle.opening, reason=Report.Reason.AT_RISK)
    assert report.weight == 0.25
    assert report.item.tier == Tier.REVIEW
    assert report.item.priority == reports.REVIEW_PRIORITY + 0.25


def test_at_risk_raises_an_open_item_but_never_lowers_one(circle: Circle, orla: User) -> None:
    quiet = QueueItem.objects.create(
        kind=ContentKind.POST,
        object_id=circle.opening.pk,
        member=circle.wren,
        tier=Tier.NONE,
        priority=20.0,
    )
    urgent = QueueItem.objects.create(
        kind=ContentKind.POST,
        object_id=circle.juniper_reply.pk,
        member=circle.juniper,
        tier=Tier.URGENT,
        priority=310.0,
    )
    report_create(reporter=orla, post=circle.opening, reason=Report.Reason.AT_RISK)
    report_create(reporter=orla, post=circle.juniper_reply, reason=Report.Reason.AT_RISK)
    quiet.refresh_from_db()
    urgent.refresh_from_db()
    assert quiet.tier == Tier.REVIEW
    assert quiet.priority == reports.REVIEW_PRIORITY + 1.0
    assert urgent.tier == Tier.URGENT
    assert urgent.priority == 311.0


def test_review_priority_matches_screening() -> None:
    from alongside.safety.services.screening import TIER_PRIORITY

    assert TIER_PRIORITY[Tier.REVIEW] == reports.REVIEW_PRIORITY


def test_reports_never_hide_anything(circle: Circle, make_user: MakeUser) -> None:
    for n in range(4):
        reporter = make_user(f"reader{n}")
        report_create(reporter=reporter, post=circle.tomasz_reply, reason=Report.Reason.HATE)
    item = QueueItem.objects.get()
    assert item.content_held is False
    circle.tomasz_reply.refresh_from_db()
    assert circle.tomasz_reply.moderation_state == ModerationState.PUBLISHED
    assert circle.tomasz_reply.deleted_at is None


def test_moderators_pages_are_told_after_commit_without_who_reported(
    circle: Circle,
    orla: User,
    sent: list[dict[str, object]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = report_create(reporter=orla, post=circle.tomasz_reply, reason=Report.Reason.SPAM)
    assert sent == []  # nothing before the commit
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        report_create(reporter=circle.juniper, post=circle.tomasz_reply, reason=Report.Reason.SPAM)
    assert sent == [
        {"type": "queue.changed", "item_id": first.item_id, "tier": "none", "event": "new"},
        {"type": "queue.changed", "item_id": first.item_id, "tier": "none", "event": "changed"},
    ]


# --- Refusals -------------------------------------------------------------------------------


def refused(**kwargs: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        report_create(**kwargs)
    return caught.value.messages


def test_nobody_reports_their_own_post(circle: Circle) -> None:
    assert refused(reporter=circle.juniper, post=circle.juniper_reply, reason="spam") == [
        "This is your own post. You can edit or remove it instead of reporting it."
    ]
    assert not Report.objects.exists()


def test_nobody_reports_themselves(circle: Circle) -> None:
    assert refused(reporter=circle.juniper, member=circle.juniper, reason="harassment") == [
        "You can't report yourself."
    ]


def test_removed_posts_and_threads_are_not_reported(circle: Circle, orla: User) -> None:
    circle.tomasz_reply.deleted_at = timezone.now()
    circle.tomasz_reply.save()
    assert refused(reporter=orla, post=circle.tomasz_reply, reason="spam") == [
        "This post has already been removed."
    ]
    circle.thread.deleted_at = timezone.now()
    circle.thread.save()
    assert refused(reporter=orla, post=circle.juniper_reply, reason="spam") == [
        "This post has already been removed."
    ]


def test_one_post_or_one_member(circle: Circle, orla: User) -> None:
    expected = ["Please choose one post or one member to report."]
    assert refused(reporter=orla, reason="spam") == expected
    both = refused(reporter=orla, post=circle.opening, member=circle.wren, reason="spam")
    assert both == expected


def test_an_inactive_member_cannot_be_reported(circle: Circle, orla: User) -> None:
    circle.tomasz.is_active = False
    circle.tomasz.save()
    assert refused(reporter=orla, member=circle.tomasz, reason="spam") == [
        "This member's account is no longer active."
    ]


def test_an_inactive_reporter_is_refused(circle: Circle, orla: User) -> None:
    orla.is_active = False
    with pytest.raises(PermissionDenied):
        report_create(reporter=orla, post=circle.opening, reason="spam")


def test_the_reason_must_be_one_of_the_list(circle: Circle, orla: User) -> None:
    with pytest.raises(ValidationError) as caught:
        report_create(reporter=orla, post=circle.opening, reason="boring")
    assert caught.value.message_dict == {"reason": ["Please choose what's wrong."]}


def test_the_note_has_a_limit(circle: Circle, orla: User) -> None:
    with pytest.raises(ValidationError) as caught:
        report_create(reporter=orla, post=circle.opening, reason="other", note="Worried. " * 112)
    assert caught.value.message_dict == {
        "note": ["Please keep this to 1000 characters; it is 1007 now."]
    }
    report = report_create(reporter=orla, post=circle.opening, reason="other", note="x" * 1000)
    assert len(report.note) == 1000


def test_a_second_report_of_the_same_post_is_refused_kindly(circle: Circle, orla: User) -> None:
    report_create(reporter=orla, post=circle.tomasz_reply, reason=Report.Reason.SPAM)
    assert refused(reporter=orla, post=circle.tomasz_reply, reason="hate") == [
        "You've already reported this post, thank you. A moderator will look at it, and "
        "you'll find what happened under “My reports”."
    ]
    assert Report.objects.count() == 1
    # Another post by the same member is a new report.
    later = make_post(circle.thread, circle.tomasz, "Still selling, DM me for the link.")
    report_create(reporter=orla, post=later, reason=Report.Reason.SPAM)
    assert Report.objects.count() == 2


def test_a_second_report_of_the_same_member_is_refused_kindly(circle: Circle, orla: User) -> None:
    report_create(reporter=orla, member=circle.tomasz, reason=Report.Reason.HARASSMENT)
    assert refused(reporter=orla, member=circle.tomasz, reason="hate") == [
        "You've already reported this member, thank you. If something new has happened, "
        "please report the post itself."
    ]


def test_two_identical_reports_at_once_end_in_the_same_kind_message(
    circle: Circle, orla: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check passes for both, and the database's constraint stops the second one."""
    report_create(reporter=orla, post=circle.tomasz_reply, reason=Report.Reason.SPAM)
    original = reports._refuse_repeat
    calls: list[int] = []

    def too_late_the_first_time(**kwargs: Any) -> None:
        calls.append(1)
        if len(calls) > 1:
            original(**kwargs)

    monkeypatch.setattr(reports, "_refuse_repeat", too_late_the_first_time)
    messages = refused(reporter=orla, post=circle.tomasz_reply, reason="spam")
    assert messages[0].startswith("You've already reported this post")
    assert len(calls) == 2
    assert Report.objects.count() == 1


def test_reports_per_day_are_limited(circle: Circle, orla: User, settings: Any) -> None:
    settings.SAFETY_REPORTS_PER_DAY = 3
    posts = other_posts(circle, 4)
    for post in posts[:3]:
        report_create(reporter=orla, post=post, reason=Report.Reason.SPAM)
    assert refused(reporter=orla, post=posts[3], reason="spam") == [
        "You've sent 3 reports in the last 24 hours, which is as many as one member can send "
        "in a day. Thank you for looking out for others; please try again tomorrow. If "
        "someone is in danger now, see “Get help now”."
    ]
    # Another member's allowance is their own.
    report_create(reporter=circle.juniper, post=posts[3], reason=Report.Reason.SPAM)
    # A day later the first reports no longer count.
    Report.objects.filter(reporter=orla).update(created_at=timezone.now() - timedelta(hours=25))
    report_create(reporter=orla, post=posts[3], reason=Report.Reason.SPAM)


# --- Weights --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("upheld", "dismissed", "weight"),
    [
        (0, 0, 1.0),
        (1, 0, 1.3333),
        (2, 0, 1.5),
        (9, 0, 1.5),
        (1, 1, 1.0),
        (0, 1, 0.6667),
        (0, 3, 0.4),
        (0, 6, 0.25),
        (0, 40, 0.25),
        (3, 5, 0.8),
    ],
)
def test_reporter_weight(upheld: int, dismissed: int, weight: float) -> None:
    assert reporter_weight(upheld=upheld, dismissed=dismissed) == weight


def record(circle: Circle, reporter: User, outcomes: list[str]) -> None:
    """Earlier reports by ``reporter`` with these outcomes."""
    for post, outcome in zip(other_posts(circle, len(outcomes)), outcomes, strict=True):
        item = QueueItem.objects.create(
            kind=ContentKind.POST,
            object_id=post.pk,
            member=circle.tomasz,
            status=QueueItem.Status.OPEN
            if outcome == Report.Outcome.PENDING
            else QueueItem.Status.RESOLVED,
        )
        Report.objects.create(
            reporter=reporter,
            kind=ContentKind.POST,
            object_id=post.pk,
            reported_member=circle.tomasz,
            reason=Report.Reason.SPAM,
            item=item,
            outcome=outcome,
            created_at=timezone.now() - timedelta(days=2),
        )


def test_upheld_reports_raise_the_weight(circle: Circle, orla: User) -> None:
    record(circle, orla, [Report.Outcome.ACTION_TAKEN, Report.Outcome.ACTION_TAKEN])
    report = report_create(reporter=orla, post=circle.opening, reason=Report.Reason.OTHER)
    assert report.weight == 1.5
    assert report.item.priority == 1.5


def test_dismissed_reports_lower_the_weight(circle: Circle, orla: User) -> None:
    record(circle, orla, [Report.Outcome.NO_ACTION] * 3)
    report = report_create(reporter=orla, post=circle.opening, reason=Report.Reason.OTHER)
    assert report.weight == 0.4


def test_pending_reports_do_not_count_for_the_weight(circle: Circle, orla: User) -> None:
    record(circle, orla, [Report.Outcome.PENDING] * 2)
    report = report_create(reporter=orla, post=circle.opening, reason=Report.Reason.OTHER)
    assert report.weight == 1.0


def weights(*posts: Post) -> list[float]:
    return [
        QueueItem.objects.get(object_id=post.pk, status=QueueItem.Status.OPEN).report_weight
        for post in posts
    ]


def test_one_reporter_cannot_push_a_member_up_the_queue(circle: Circle, orla: User) -> None:
    posts = other_posts(circle, 4)
    report_create(reporter=orla, post=posts[0], reason=Report.Reason.SPAM)
    report_create(reporter=orla, post=posts[1], reason=Report.Reason.SPAM)
    assert weights(*posts[:2]) == [1.0, 1.0]
    report_create(reporter=orla, post=posts[2], reason=Report.Reason.SPAM)
    # Three reports about one member count, together, as two.
    assert weights(*posts[:3]) == [0.6667, 0.6667, 0.6667]
    report_create(reporter=orla, member=circle.tomasz, reason=Report.Reason.HARASSMENT)
    assert weights(*posts[:3]) == [0.5, 0.5, 0.5]
    member_item = QueueItem.objects.get(kind=ContentKind.MEMBER)
    assert member_item.report_weight == 0.5
    # Priorities moved with the weights.
    assert [QueueItem.objects.get(object_id=post.pk).priority for post in posts[:3]] == [
        0.5,
        0.5,
        0.5,
    ]


def test_others_reporting_the_same_member_count_in_full(
    circle: Circle, make_user: MakeUser
) -> None:
    posts = other_posts(circle, 3)
    for n, post in enumerate(posts):
        report_create(reporter=make_user(f"reader{n}"), post=post, reason=Report.Reason.SPAM)
    assert weights(*posts) == [1.0, 1.0, 1.0]


def test_low_weight_accounts_reporting_over_and_over_do_not_snowball(
    circle: Circle, make_user: MakeUser
) -> None:
    """Three accounts whose reports were all dismissed report the same five posts each:
    together they move each post less than one ordinary member's single report would."""
    posts = other_posts(circle, 5)
    for n in range(3):
        account = make_user(f"brigade{n}")
        record(circle, account, [Report.Outcome.NO_ACTION] * 6)
        for post in posts:
            report_create(reporter=account, post=post, reason=Report.Reason.HATE)
    # Each: 3 accounts * weight 0.25 * (2 counted of 5) = 0.3
    assert weights(*posts) == [0.3] * 5
    assert all(weight < reporter_weight(upheld=0, dismissed=0) for weight in weights(*posts))
