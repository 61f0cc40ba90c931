"""Data the moderation, duty, appeals and audit tests share.

Groups, threads and posts come from the communities services, as members make them. Queue
items, screenings, alerts and reports are written directly: the tests need a given tier,
flags and reports, whatever the screening models would say about the invented texts.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from alongside.accounts.models import User
from alongside.communities import services as communities
from alongside.communities.models import Group, ModerationState, Post, Thread
from alongside.safety.models import (
    Alert,
    ContentKind,
    QueueItem,
    Report,
    Screening,
    Tier,
)

ORDINARY = "Had a quieter day today and went for a walk by the river."
# Different words for each reply, so a long thread does not look like a spammer's repeats.
REPLIES = [
    "The ducks were out again, which always cheers me up a little.",
    "I tried the breathing exercise someone shared last week and it helped.",
    "My sister phoned in the evening and we talked about our gran.",
    "Work was tiring but I managed to leave on time for once.",
    "Made soup with the leftover vegetables, nothing fancy but warm.",
    "Slept badly, though the afternoon nap made up for some of it.",
    "Went to the library and found a book about gardening on balconies.",
    "Thinking of trying the Tuesday evening group if it is still running.",
    "It rained all morning so I stayed in and sorted old photos.",
    "A neighbour brought round some apples from her tree, so kind.",
]


def make_group(admin: User, name: str = "Evenings") -> Group:
    return communities.group_create(actor=admin, name=name)


def make_thread(group: Group, author: User, *, replies: int = 0, title: str = "Tonight") -> Thread:
    """A thread with ``replies`` ordinary replies (each different) from the same author.

    The author's account is made a few weeks old first: screening treats a brand-new account
    that posts a lot at once as a possible spammer, which these tests are not about.
    """
    User.objects.filter(pk=author.pk).update(date_joined=timezone.now() - timedelta(days=30))
    author.date_joined = timezone.now() - timedelta(days=30)
    communities.group_join(user=author, group=group)
    thread = communities.thread_create(author=author, group=group, title=title, body=ORDINARY)
    for n in range(replies):
        communities.post_create(author=author, thread=thread, body=REPLIES[n % len(REPLIES)])
    return thread


def make_post(
    group: Group, author: User, body: str = "Still here and reading along, thank you all."
) -> Post:
    """A reply in a new thread (so the thread stays published whatever happens to it)."""
    thread = make_thread(group, author)
    return communities.post_create(author=author, thread=thread, body=body)


def hold(post: Post, state: str = ModerationState.HELD) -> Post:
    """Put a post in a moderation state as screening would have, without the text rules."""
    Post.objects.filter(pk=post.pk).update(moderation_state=state)
    post.refresh_from_db()
    return post


def make_item(
    member: User,
    *,
    kind: str = ContentKind.POST,
    object_id: int | None = None,
    tier: str = Tier.REVIEW,
    flags: list[str] | None = None,
    priority: float = 200.0,
    held: bool = False,
    group: Group | None = None,
    age_minutes: float = 0,
    scores: dict[str, float] | None = None,
) -> QueueItem:
    """An open queue item with the screening result that put it there."""
    created = timezone.now() - timedelta(minutes=age_minutes)
    screening = Screening.objects.create(
        kind=kind,
        object_id=object_id if object_id is not None else member.pk,
        author=member,
        tier=tier,
        flags=flags or [],
        rule_ids=["R-TEST-01"],
        reasons=[
            {"id": "R-TEST-01", "category": "test", "text": "A test rule", "evidence": ["walk"]}
        ],
        scores=scores if scores is not None else {"crisis": 0.42},
        model_version="test-1",
        held=held,
        created_at=created,
    )
    return QueueItem.objects.create(
        kind=kind,
        object_id=object_id if object_id is not None else member.pk,
        member=member,
        group=group,
        tier=tier,
        flags=flags or [],
        priority=priority,
        screening=screening,
        content_held=held,
        created_at=created,
    )


def item_for_post(post: Post, **options: object) -> QueueItem:
    return make_item(
        post.author,
        kind=ContentKind.POST,
        object_id=post.pk,
        group=post.thread.group,
        held=post.moderation_state == ModerationState.HELD,
        **options,  # type: ignore[arg-type]
    )


def make_alert(item: QueueItem, *, age_minutes: float = 1) -> Alert:
    created = timezone.now() - timedelta(minutes=age_minutes)
    return Alert.objects.create(
        item=item, created_at=created, escalate_at=created + timedelta(minutes=5)
    )


def make_report(
    item: QueueItem, reporter: User, *, reason: str = Report.Reason.HARASSMENT, weight: float = 1.0
) -> Report:
    return Report.objects.create(
        reporter=reporter,
        kind=item.kind,
        object_id=item.object_id,
        reported_member=item.member,
        reason=reason,
        weight=weight,
        item=item,
    )
