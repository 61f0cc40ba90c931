"""The demo community: what it contains, that its counters agree with its rows, that loading
it twice changes nothing, and the bulk data the benchmarks use."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group as RoleGroup
from django.db.models import Count, Max, Min, Q, QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alongside.accounts.models import PolicyAcceptance, RoleChange, User
from alongside.accounts.roles import Role
from alongside.accounts.selectors import policies_outstanding
from alongside.communities.models import (
    Group,
    Membership,
    ModerationState,
    Post,
    Reaction,
    Thread,
    ThreadReadState,
)
from alongside.core import demo
from alongside.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db

MODELS = (
    User,
    Group,
    Membership,
    Thread,
    Post,
    Reaction,
    ThreadReadState,
    Notification,
    PolicyAcceptance,
    RoleChange,
)


@pytest.fixture
def loaded() -> None:
    demo.load_demo()


def role_count(role: str) -> int:
    return User.objects.filter(groups__name=role).count()


def snapshot() -> dict[str, object]:
    """Everything a second load could change: row counts and every denormalised counter."""
    return {
        "counts": {model.__name__: model.objects.count() for model in MODELS},
        "groups": sorted(Group.objects.values_list("slug", "member_count", "thread_count")),
        "threads": sorted(
            Thread.objects.values_list("pk", "reply_count", "last_post_id", "last_activity_at")
        ),
        "bodies": sorted(Post.objects.values_list("pk", "body")),
    }


# --- The data files -------------------------------------------------------------------------


def test_data_files_are_small() -> None:
    size = sum(path.stat().st_size for path in demo.DATA_DIR.rglob("*") if path.is_file())
    assert size < 1_500_000


def test_members_in_the_data_use_the_settings_vocabulary() -> None:
    areas = set(settings.LIVED_EXPERIENCE_AREAS)
    slugs = {spec.slug for spec in demo.group_specs()}
    for spec in demo.member_specs():
        assert re.fullmatch(r"[A-Za-z0-9_]{3,30}", spec.handle), spec.handle
        assert set(spec.lived_experience) <= areas, spec.handle
        assert spec.region in {"GB", "IE", "US"}, spec.handle
        assert spec.role in Role.values, spec.handle
        assert set(spec.groups) | set(spec.pending) | set(spec.moderates) <= slugs
        assert set(spec.moderates) <= set(spec.groups), spec.handle


def test_written_threads_are_by_members_of_their_group() -> None:
    members: dict[str, set[str]] = {spec.slug: set() for spec in demo.group_specs()}
    for spec in demo.member_specs():
        for slug in spec.groups:
            members[slug].add(spec.handle)
    for slug, handles in members.items():
        for thread in demo.written_threads(slug):
            assert thread["author"] in handles, (slug, thread["title"])
            assert len(thread["title"]) <= 140
            for reply in thread["replies"]:
                assert reply["author"] in handles, (slug, thread["title"], reply["author"])


# --- What load_demo creates -----------------------------------------------------------------


def test_creates_the_seven_groups(loaded: None) -> None:
    groups = {group.slug: group for group in Group.objects.all()}
    assert {slug: group.visibility for slug, group in groups.items()} == {
        "anxiety-and-panic": Group.Visibility.OPEN,
        "low-mood-and-depression": Group.Visibility.OPEN,
        "carers-corner": Group.Visibility.OPEN,
        "good-days": Group.Visibility.OPEN,
        "hearing-voices": Group.Visibility.OPEN,
        "northfield-students": Group.Visibility.RESTRICTED,
        "peer-supporters-room": Group.Visibility.HIDDEN,
    }
    for group in groups.values():
        assert group.description
        assert "<h3>" in group.rules_html
        assert bool(group.invite_token) == (group.visibility != Group.Visibility.OPEN)
    assert groups["good-days"].name == "Good days"
    assert groups["carers-corner"].name == "Carers' corner"


def community() -> QuerySet[User]:
    """The community's members, without the invented study participants, who only answer
    questionnaires (they have no profile and cannot log in)."""
    from alongside.evaluation.demo import participant_handles

    return User.objects.exclude(handle__in=participant_handles())


def test_creates_about_forty_members_with_their_roles(loaded: None) -> None:
    assert 38 <= community().count() <= 48
    assert role_count(Role.MEMBER) == User.objects.count()
    assert 4 <= role_count(Role.PEER_SUPPORTER) <= 5
    assert role_count(Role.MODERATOR) == 1
    assert role_count(Role.ADMINISTRATOR) == 1
    assert role_count(Role.RESEARCHER) == 1
    regions = Counter(community().values_list("region", flat=True))
    assert set(regions) == {"GB", "IE", "US"}
    assert regions["GB"] > regions["IE"] + regions["US"]
    assert not community().filter(bio="").exists()
    assert not community().filter(pronouns="").exists()
    # Every role other than member was given on the record, as roles_set would.
    assert RoleChange.objects.count() == sum(
        role_count(role) for role in Role.values if role != Role.MEMBER
    )


def test_the_printed_logins_exist_with_those_roles(
    loaded: None, capsys: pytest.CaptureFixture[str]
) -> None:
    demo.print_demo_logins()
    printed = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in printed
    assert "http://127.0.0.1:8000" in printed
    expected = {
        "quiet_heron": Role.MEMBER,
        "willow_and_tea": Role.PEER_SUPPORTER,
        "kestrel_mod": Role.MODERATOR,
        "ros_coordinator": Role.ADMINISTRATOR,
        "research_lena": Role.RESEARCHER,
    }
    for handle, role in expected.items():
        assert handle in printed
        user = User.objects.get(handle=handle)
        assert user.check_password(demo.DEMO_PASSWORD)
        assert user.groups.filter(name=role).exists()


def test_every_member_has_accepted_the_current_policies(loaded: None) -> None:
    for user in User.objects.all():
        assert policies_outstanding(user=user) == []


def test_the_demo_member_can_log_in_and_see_their_groups(loaded: None) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login"),
        {"username": "quiet_heron", "password": demo.DEMO_PASSWORD},
    )
    assert response.status_code == 302
    feed = client.get(reverse("communities:feed"))
    assert feed.status_code == 200
    assert "Anxiety and panic" in feed.content.decode()


def test_creates_a_few_hundred_threads_with_replies(loaded: None) -> None:
    threads = Thread.objects.count()
    assert 250 <= threads <= 320
    replies = Post.objects.filter(is_opening=False, deleted_at__isnull=True).count()
    assert 3 <= replies / threads <= 6
    per_group = dict(Thread.objects.values_list("group__slug").annotate(n=Count("id")))
    assert min(per_group.values()) >= 15
    assert Post.objects.exclude(content_warning="").count() >= 20
    kinds = set(Reaction.objects.values_list("kind", flat=True))
    assert kinds == set(Reaction.Kind.values)
    assert Reaction.objects.count() >= Post.objects.count()
    profiles = reverse("accounts:profile", args=["quiet_heron"]).rsplit("quiet_heron", 1)[0]
    assert 3 <= Post.objects.filter(body_html__contains=f'href="{profiles}').count() <= 60


def test_dates_spread_over_the_last_sixty_days(loaded: None) -> None:
    now = timezone.now()
    span = Post.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert span["last"] <= now
    assert now - span["first"] <= timedelta(days=62)
    assert now - span["first"] >= timedelta(days=50)
    recent = Thread.objects.filter(created_at__gte=now - timedelta(days=7)).count()
    assert recent >= 10


def test_posts_are_by_members_after_they_joined(loaded: None) -> None:
    joined = {
        (group_id, user_id): joined_at
        for group_id, user_id, joined_at in Membership.objects.filter(
            status=Membership.Status.ACTIVE
        ).values_list("group_id", "user_id", "joined_at")
    }
    for group_id, author_id, created_at in Post.objects.values_list(
        "thread__group_id", "author_id", "created_at"
    ):
        assert joined[(group_id, author_id)] < created_at
    for group_id, user_id, created_at in Reaction.objects.values_list(
        "post__thread__group_id", "user_id", "created_at"
    ):
        assert joined[(group_id, user_id)] < created_at


def test_posts_within_a_thread_are_in_time_order(loaded: None) -> None:
    previous: dict[int, tuple[int, datetime]] = {}
    for thread_id, pk, created_at, is_opening in Post.objects.order_by(
        "thread_id", "pk"
    ).values_list("thread_id", "pk", "created_at", "is_opening"):
        if thread_id in previous:
            assert not is_opening
            assert previous[thread_id][1] <= created_at
        else:
            assert is_opening
        previous[thread_id] = (pk, created_at)


def test_no_two_posts_say_the_same_thing(loaded: None) -> None:
    bodies = Counter(Post.objects.values_list("body", flat=True))
    repeated = sum(count - 1 for count in bodies.values() if count > 1)
    assert repeated <= Post.objects.count() // 100
    titles = Counter(Thread.objects.values_list("group_id", "title"))
    assert max(titles.values()) == 1


# --- Counters agree with rows ---------------------------------------------------------------


def assert_counters_match_rows() -> None:
    threads = Thread.objects.annotate(
        visible_replies=Count(
            "posts",
            filter=Q(
                posts__is_opening=False,
                posts__deleted_at__isnull=True,
                posts__moderation_state=ModerationState.PUBLISHED,
            ),
        ),
        openings=Count("posts", filter=Q(posts__is_opening=True)),
        newest_visible=Max(
            "posts__id",
            filter=Q(
                posts__deleted_at__isnull=True, posts__moderation_state=ModerationState.PUBLISHED
            ),
        ),
        newest_activity=Max(
            "posts__created_at", filter=Q(posts__moderation_state=ModerationState.PUBLISHED)
        ),
        first_post=Min("posts__id"),
        opened_at=Min("posts__created_at"),
    )
    for thread in threads:
        assert thread.openings == 1
        assert thread.reply_count == thread.visible_replies
        assert thread.last_post_id == thread.newest_visible
        assert thread.last_activity_at == thread.newest_activity
        assert thread.created_at == thread.opened_at
        assert Post.objects.get(pk=thread.first_post).is_opening
    groups = Group.objects.annotate(
        members=Count(
            "memberships", filter=Q(memberships__status=Membership.Status.ACTIVE), distinct=True
        ),
        visible_threads=Count(
            "threads",
            filter=Q(
                threads__deleted_at__isnull=True,
                threads__moderation_state=ModerationState.PUBLISHED,
            ),
            distinct=True,
        ),
    )
    for group in groups:
        assert group.member_count == group.members
        assert group.thread_count == group.visible_threads


def test_counters_agree_with_rows(loaded: None) -> None:
    assert_counters_match_rows()


def test_a_removed_reply_is_kept_but_not_counted(loaded: None) -> None:
    removed = Post.objects.get(deleted_at__isnull=False)
    assert removed.deleted_by is not None
    assert removed.deleted_by.handle == "kestrel_mod"
    assert removed.deleted_at is not None
    assert removed.deleted_at > removed.created_at
    assert not removed.reactions.exists()
    later = Post.objects.filter(thread=removed.thread, pk__gt=removed.pk).first()
    assert later is not None
    assert removed.deleted_at < later.created_at


def test_notifications_follow_the_services_rules(loaded: None) -> None:
    assert Notification.objects.filter(read_at__isnull=True).exists()
    assert Notification.objects.filter(read_at__isnull=False).exists()
    # Replies, mentions and reactions point at posts; other kinds (peer support offers, for
    # example) carry their own message.
    about_posts = [NotificationKind.REPLY, NotificationKind.MENTION, NotificationKind.REACTION]
    for note in Notification.objects.filter(kind__in=about_posts).select_related("post", "thread"):
        assert note.post is not None
        assert note.thread is not None
        assert note.recipient_id != note.actor_id
        assert note.post.deleted_at is None
        assert note.thread_id == note.post.thread_id
        if note.read_at is not None:
            assert note.read_at >= note.created_at
        if note.kind == NotificationKind.REPLY:
            assert note.recipient_id == note.thread.author_id
            assert not note.post.is_opening
        if note.kind == NotificationKind.REACTION:
            assert note.recipient_id == note.post.author_id
            assert note.post.reactions.filter(user=note.actor, kind=note.detail).exists()
    # A member being mentioned in a reply to their own thread gets one notification, not two.
    pairs = Counter(
        Notification.objects.exclude(kind=NotificationKind.REACTION).values_list(
            "recipient_id", "post_id"
        )
    )
    assert max(pairs.values()) == 1


def test_the_demo_member_has_something_new(loaded: None) -> None:
    member = User.objects.get(handle="quiet_heron")
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
    read = dict(
        ThreadReadState.objects.filter(user=member).values_list("thread_id", "last_read_post_id")
    )
    mine = Thread.objects.filter(
        group__memberships__user=member, group__memberships__status=Membership.Status.ACTIVE
    )
    unread = [thread for thread in mine if thread.last_post_id > read.get(thread.pk, 0)]
    assert 1 <= len(unread) < mine.count() // 2


# --- Idempotent and deterministic -----------------------------------------------------------


def test_loading_twice_changes_nothing(loaded: None) -> None:
    before = snapshot()
    demo.load_demo()
    assert snapshot() == before


def test_the_same_community_every_time(loaded: None) -> None:
    def content() -> list[tuple[str, str, str, str, int]]:
        posts = Post.objects.annotate(reaction_count=Count("reactions")).values_list(
            "thread__group__slug", "thread__title", "author__handle", "body", "reaction_count"
        )
        return sorted(posts)

    before = content()
    Thread.objects.all().delete()
    demo.load_demo()
    assert content() == before
    assert_counters_match_rows()


def test_a_group_emptied_of_threads_is_filled_again_without_repeats(loaded: None) -> None:
    group = Group.objects.get(slug="hearing-voices")
    threads = group.thread_count
    Thread.objects.filter(group=group).delete()
    demo.load_demo()
    group.refresh_from_db()
    assert group.thread_count == threads
    bodies = Counter(Post.objects.values_list("body", flat=True))
    assert sum(count - 1 for count in bodies.values() if count > 1) <= len(bodies) // 100
    assert_counters_match_rows()


def test_completes_a_partly_present_community() -> None:
    # An account with a demo handle (in any case) becomes that demo member, password and all.
    existing = User.objects.create_user("Quiet_Heron", "their-own-passphrase-1")
    demo.load_demo()
    existing.refresh_from_db()
    assert existing.check_password("their-own-passphrase-1")
    assert User.objects.filter(handle__iexact="quiet_heron").count() == 1
    assert_counters_match_rows()


# --- Bulk data for benchmarks ---------------------------------------------------------------


def test_create_bulk_forum_makes_the_requested_counts() -> None:
    demo.create_bulk_forum(
        group_slug="bench", threads=12, replies_per_thread=4, reactions_per_post=3
    )
    group = Group.objects.get(slug="bench")
    assert Thread.objects.filter(group=group).count() == 12
    assert Post.objects.filter(thread__group=group).count() == 12 * 5
    assert Post.objects.filter(thread__group=group, is_opening=True).count() == 12
    assert Reaction.objects.filter(post__thread__group=group).count() == 12 * 5 * 3
    assert group.member_count >= 10
    assert group.thread_count == 12
    assert_counters_match_rows()
    for user in User.objects.filter(memberships__group=group):
        assert policies_outstanding(user=user) == []
        assert user.groups.filter(name=Role.MEMBER).exists()


def test_create_bulk_forum_adds_to_an_existing_group(loaded: None) -> None:
    group = Group.objects.get(slug="good-days")
    threads = group.thread_count
    members = group.member_count
    demo.create_bulk_forum(
        group_slug="good-days", threads=30, replies_per_thread=2, reactions_per_post=50
    )
    group.refresh_from_db()
    assert group.thread_count == threads + 30
    # Fifty different (member, kind) pairs need thirteen members; the group has thirty.
    assert group.member_count == members
    assert (
        Reaction.objects.filter(post__thread__group=group, post__thread__title__startswith="Bench")
        .values("post")
        .annotate(n=Count("id"))
        .filter(n=50)
        .count()
        == 30 * 3
    )
    assert_counters_match_rows()


def test_create_bulk_forum_adds_members_for_many_reactions() -> None:
    demo.create_bulk_forum(group_slug="big", threads=2, replies_per_thread=1, reactions_per_post=60)
    group = Group.objects.get(slug="big")
    assert group.member_count >= 15
    assert Reaction.objects.filter(post__thread__group=group).count() == 2 * 2 * 60
    assert (
        RoleGroup.objects.get(name=Role.MEMBER)
        .user_set.filter(handle__startswith=f"bench_{group.pk}_")
        .count()
        == group.member_count
    )
