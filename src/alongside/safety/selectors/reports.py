"""Reads of a member's own reports: what they reported, and what came of it.

Only ever the reporter's own rows: there is no read of who reported a member, for anyone but
moderators (``selectors.queue``). A reported post is linked only while the reporter may still
read it, under the same rules as ``communities.selectors.access_post_by_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.paginator import Paginator
from django.http import Http404

from alongside.communities import links
from alongside.communities import selectors as communities_selectors
from alongside.communities.models import ModerationState, Post
from alongside.safety.models import ContentKind, Report

if TYPE_CHECKING:
    from django.core.paginator import Page

    from alongside.accounts.models import User

REPORTS_PER_PAGE = 25


@dataclass(frozen=True)
class MyReport:
    """One of the member's reports as their list shows it."""

    id: int
    kind: str
    post_id: int | None
    member_handle: str
    thread_title: str  # "" for a member, or a post the reporter can no longer read
    url: str  # the post in its thread, or the member's profile; "" when out of reach
    reason: str
    reason_label: str
    note: str
    created_at: datetime
    outcome: str
    outcome_label: str
    outcome_at: datetime | None

    @property
    def is_pending(self) -> bool:
        return self.outcome == Report.Outcome.PENDING


@dataclass(frozen=True)
class MyReportPage:
    reports: list[MyReport]
    page: Page[Report]


def _reachable_posts(user: User, post_ids: list[int]) -> dict[int, Post]:
    """The posts among these that the member may still read, with their threads and groups."""
    if not post_ids:
        return {}
    posts = Post.objects.select_related("thread", "thread__group").filter(pk__in=post_ids)
    reachable: dict[int, Post] = {}
    for post in posts:
        group = post.thread.group
        if post.deleted_at is not None or post.thread.deleted_at is not None:
            continue
        if not communities_selectors.can_read_threads(user, group):
            continue
        held = post.moderation_state != ModerationState.PUBLISHED or (
            post.thread.moderation_state != ModerationState.PUBLISHED
        )
        if held and not communities_selectors.can_moderate_group(user, group):
            continue
        reachable[post.pk] = post
    return reachable


def _describe(report: Report, posts: dict[int, Post]) -> MyReport:
    post = posts.get(report.object_id) if report.kind == ContentKind.POST else None
    handle = report.reported_member.handle
    if report.kind == ContentKind.POST:
        url = ""
        if post is not None:
            url = (
                links.thread_url(post.thread.group.slug, post.thread_id)
                + f"?post={post.pk}#post-{post.pk}"
            )
    else:
        url = links.profile_url(handle)
    return MyReport(
        id=report.pk,
        kind=report.kind,
        post_id=report.object_id if report.kind == ContentKind.POST else None,
        member_handle=handle,
        thread_title=post.thread.title if post is not None else "",
        url=url,
        reason=report.reason,
        reason_label=str(report.get_reason_display()),
        note=report.note,
        created_at=report.created_at,
        outcome=report.outcome,
        outcome_label=str(report.get_outcome_display()),
        outcome_at=report.outcome_at,
    )


def my_reports(
    *, user: User, page: int | str | None = 1, per_page: int = REPORTS_PER_PAGE
) -> MyReportPage:
    """A page of the member's own reports, newest first.

    Queries: a COUNT, the reports with the reported members, and the reported posts with
    their threads; plus the member's membership of each group those posts are in.
    """
    reports = (
        Report.objects.filter(reporter=user)
        .select_related("reported_member")
        .order_by("-created_at", "-id")
    )
    current = Paginator(reports, per_page).get_page(page)
    rows = list(current.object_list)
    posts = _reachable_posts(
        user, [report.object_id for report in rows if report.kind == ContentKind.POST]
    )
    return MyReportPage(reports=[_describe(report, posts) for report in rows], page=current)


def my_report(*, user: User, report_id: int) -> MyReport:
    """One of the member's own reports; anyone else's is ``Http404``."""
    report = (
        Report.objects.filter(reporter=user, pk=report_id).select_related("reported_member").first()
    )
    if report is None:
        raise Http404
    posts = _reachable_posts(user, [report.object_id] if report.kind == ContentKind.POST else [])
    return _describe(report, posts)
