"""The moderation queue and one item in context, as moderators (and others) open them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alongside.accounts.models import User
from alongside.accounts.roles import Role
from alongside.communities.models import ModerationState
from alongside.safety.models import AuditEntry, ContentKind, Report, Sanction, Tier
from alongside.safety.tests.moderation_helpers import (
    hold,
    item_for_post,
    make_alert,
    make_group,
    make_item,
    make_post,
    make_report,
    make_thread,
)

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]
QUEUE = reverse("safety_moderation:queue")


@pytest.fixture
def admin(make_user: MakeUser) -> User:
    return make_user("ada", role=Role.ADMINISTRATOR)


@pytest.fixture
def moderator(make_user: MakeUser) -> User:
    return make_user("morgan", role=Role.MODERATOR)


# --- Who may open it ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in() -> None:
    response = Client().get(QUEUE)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.MEMBER, 403),
        (Role.PEER_SUPPORTER, 403),
        (Role.RESEARCHER, 403),
        (Role.MODERATOR, 200),
        (Role.ADMINISTRATOR, 200),
    ],
)
def test_only_moderators_and_administrators_open_the_queue(
    role_users: dict[str, User], client_for: ClientFor, role: str, status: int
) -> None:
    client = client_for(role_users[role])
    assert client.get(QUEUE).status_code == status
    assert client.get(QUEUE + "?fragment=1").status_code == status


def test_a_member_cannot_open_an_item(member: User, client_for: ClientFor) -> None:
    item = make_item(member)
    url = reverse("safety_moderation:item", args=[item.pk])
    assert client_for(member).get(url).status_code == 403


def test_the_moderation_link_is_in_the_header_only_for_moderators(
    role_users: dict[str, User], client_for: ClientFor
) -> None:
    for role, shown in [
        (Role.MEMBER, False),
        (Role.PEER_SUPPORTER, False),
        (Role.MODERATOR, True),
        (Role.ADMINISTRATOR, True),
    ]:
        html = client_for(role_users[role]).get(reverse("notifications:list")).content.decode()
        assert (f'href="{QUEUE}"' in html) is shown, role


# --- What it shows --------------------------------------------------------------------------


def test_urgent_first_then_priority_then_oldest(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    low_old = make_item(member, tier=Tier.REVIEW, priority=100, age_minutes=50)
    high = make_item(member, tier=Tier.REVIEW, priority=250, age_minutes=5)
    low_new = make_item(member, tier=Tier.REVIEW, priority=100, age_minutes=1)
    urgent = make_item(member, tier=Tier.URGENT, priority=10, age_minutes=0)
    html = client_for(moderator).get(QUEUE).content.decode()
    positions = [html.index(f'data-item-id="{item.pk}"') for item in (urgent, high, low_old)]
    positions.append(html.index(f'data-item-id="{low_new.pk}"'))
    assert positions == sorted(positions)


def test_an_item_shows_its_reasons_scores_reports_and_waiting_alert(
    member: User, moderator: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    item = make_item(member, tier=Tier.URGENT, flags=["safeguarding"], scores={"crisis": 0.87})
    alert = make_alert(item, age_minutes=7)
    reporter = make_user("sam")
    make_report(item, reporter, reason=Report.Reason.AT_RISK, weight=1.5)
    html = client_for(moderator).get(QUEUE).content.decode()
    assert "R-TEST-01" in html
    assert "A test rule" in html
    assert "safeguarding" in html
    assert "crisis 0.87" in html
    # Moderators see who reported, and with what weight.
    assert "sam" in html
    assert "weight 1.5" in html
    assert "alert-waiting" in html
    assert reverse("safety_moderation:alert_acknowledge", args=[alert.pk]) in html
    assert "7\xa0minutes" in html


def test_the_fragment_is_only_the_list(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    item = make_item(member)
    html = client_for(moderator).get(QUEUE + "?fragment=1").content.decode()
    assert f'data-item-id="{item.pk}"' in html
    assert "<html" not in html
    assert "<header" not in html


def test_the_full_page_loads_the_live_script_and_says_who_is_on_duty(
    moderator: User, client_for: ClientFor
) -> None:
    html = client_for(moderator).get(QUEUE).content.decode()
    assert "alongside/moderation.js" in html
    assert 'aria-live="assertive"' in html
    assert "Nobody is on duty right now." in html


def test_resolved_items_leave_the_queue(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    item = make_item(member)
    item.status = item.Status.RESOLVED
    item.save(update_fields=["status"])
    html = client_for(moderator).get(QUEUE).content.decode()
    assert f'data-item-id="{item.pk}"' not in html
    assert "The queue is empty" in html


def test_the_queue_runs_the_same_queries_for_few_and_many_items(
    moderator: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    client = client_for(moderator)
    url = QUEUE
    reporters = [make_user(f"reporter{n}") for n in range(3)]

    def fill(count: int, offset: int) -> None:
        for n in range(count):
            author = make_user(f"author{offset + n}")
            item = make_item(author, tier=Tier.URGENT if n % 2 else Tier.REVIEW)
            if n % 2:
                alert = make_alert(item)
                if n % 4 == 1:
                    alert.acknowledged_by = moderator
                    alert.acknowledged_at = alert.created_at
                    alert.save()
            for reporter in reporters[: n % 3 + 1]:
                make_report(item, reporter)

    counts = []
    for count, offset in ((2, 0), (12, 100)):
        fill(count, offset)
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    # The member from the session, the count, the items (with member, screening, group and
    # alert), their reports (with reporters), who is on duty, and the header's unread chat
    # count.
    assert counts[1] <= 6, counts


# --- One item in context --------------------------------------------------------------------


def test_an_item_shows_the_post_in_its_thread_and_the_members_history(
    admin: User, member: User, moderator: User, client_for: ClientFor
) -> None:
    group = make_group(admin)
    thread = make_thread(group, member, replies=8, title="A long evening")
    posts = list(thread.posts.order_by("pk"))
    focus = posts[5]
    item = item_for_post(focus)
    Sanction.objects.create(member=member, kind=Sanction.Kind.WARNING, reason="Earlier warning")
    html = client_for(moderator).get(reverse("safety_moderation:item", args=[item.pk])).content
    text = html.decode()
    assert "A long evening" in text
    # Three before, the post, three after (the thread has nine posts: 0..8).
    for neighbour in posts[2:9]:
        assert neighbour.body_html in text
    for far in posts[:2]:
        assert far.body_html not in text
    assert "Earlier warning" in text
    assert "R-TEST-01" in text


def test_opening_held_content_is_written_to_the_audit_log(
    admin: User, member: User, moderator: User, client_for: ClientFor
) -> None:
    group = make_group(admin)
    post = hold(make_post(group, member))
    item = item_for_post(post)
    response = client_for(moderator).get(reverse("safety_moderation:item", args=[item.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="view_held_content")
    assert entry.actor == moderator
    assert entry.member == member
    assert entry.target_kind == ContentKind.POST
    assert entry.target_id == post.pk
    assert post.pk in entry.detail["post_ids"]


def test_opening_hidden_content_is_audited_too(
    admin: User, member: User, moderator: User, client_for: ClientFor
) -> None:
    group = make_group(admin)
    post = hold(make_post(group, member), ModerationState.HIDDEN)
    item = item_for_post(post)
    client_for(moderator).get(reverse("safety_moderation:item", args=[item.pk]))
    assert AuditEntry.objects.filter(action="view_held_content", actor=moderator).count() == 1


def test_opening_published_content_writes_no_view_entry(
    admin: User, member: User, moderator: User, client_for: ClientFor
) -> None:
    group = make_group(admin)
    item = item_for_post(make_post(group, member))
    client_for(moderator).get(reverse("safety_moderation:item", args=[item.pk]))
    assert not AuditEntry.objects.filter(action="view_held_content").exists()


def test_a_held_bio_is_shown_and_its_view_audited(
    member: User, moderator: User, client_for: ClientFor
) -> None:
    member.bio = "Ring me on my number any time"
    member.bio_held = True
    member.save(update_fields=["bio", "bio_held"])
    item = make_item(member, kind=ContentKind.PROFILE, object_id=member.pk, held=True)
    html = client_for(moderator).get(reverse("safety_moderation:item", args=[item.pk])).content
    assert "Ring me on my number any time" in html.decode()
    assert AuditEntry.objects.filter(action="view_held_content", target_kind="profile").exists()


def test_an_item_about_the_moderator_themselves_offers_no_decisions(
    admin: User, moderator: User, client_for: ClientFor
) -> None:
    group = make_group(admin)
    item = item_for_post(make_post(group, moderator))
    html = client_for(moderator).get(reverse("safety_moderation:item", args=[item.pk])).content
    text = html.decode()
    assert "another moderator needs to decide it" in text
    assert reverse("safety_moderation:item_act", args=[item.pk, "hide"]) not in text


def test_a_missing_item_is_a_404(moderator: User, client_for: ClientFor) -> None:
    url = reverse("safety_moderation:item", args=[999999])
    assert client_for(moderator).get(url).status_code == 404


def test_a_report_about_a_member_shows_their_profile_link(
    member: User, moderator: User, make_user: MakeUser, client_for: ClientFor
) -> None:
    item = make_item(member, kind=ContentKind.MEMBER, object_id=member.pk)
    make_report(item, make_user("sam"), reason=Report.Reason.HARASSMENT)
    html = client_for(moderator).get(reverse("safety_moderation:item", args=[item.pk])).content
    text = html.decode()
    assert "rather than one post" in text
    assert reverse("accounts:profile", args=[member.handle]) in text
    assert reverse("safety_moderation:item_act", args=[item.pk, "dismiss"]) in text
    assert reverse("safety_moderation:item_act", args=[item.pk, "hide"]) not in text
    assert not AuditEntry.objects.filter(action="view_held_content").exists()
