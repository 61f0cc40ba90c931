"""JSON API for members' reports and protections (blocks, muted words, taking a break).

The same services and selectors as the pages: a post to report comes through
``communities.selectors.access_post_by_id``, a member by handle through
``accounts.selectors.member_get``. The root API turns refusals into answers: ``Http404`` is
404, ``PermissionDenied`` 403, and a service's ``ValidationError`` 422 in the shape of a
request that fails the schema. Nothing here ever says who reported or blocked a member.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from alongside.accounts import selectors as accounts_selectors
from alongside.accounts.models import User
from alongside.api_schemas import ErrorOut, ValidationErrorOut
from alongside.communities import selectors as communities_selectors
from alongside.safety.models import Block, ContentKind, Report
from alongside.safety.selectors import protection as protection_selectors
from alongside.safety.selectors.reports import MyReport, my_report, my_reports
from alongside.safety.selectors.standing import paused_until
from alongside.safety.services import protection, reports

router = Router(tags=["safety"])

READS: dict[int | str, Any] = {401: ErrorOut, 422: ValidationErrorOut}
WRITES: dict[int | str, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ValidationErrorOut,
}


# --- Schemas --------------------------------------------------------------------------------


class ReportIn(Schema):
    post_id: int | None = Field(None, description="The post to report; or give member.")
    member: str | None = Field(None, description="The handle of the member to report.")
    reason: Report.Reason
    note: str = Field("", description="For the moderators only.")


class ReportOut(Schema):
    id: int
    kind: ContentKind = Field(description="post or member.")
    post_id: int | None = Field(description="The reported post; null for a member.")
    member: str = Field(description="The handle of the member reported, or of the post's author.")
    reason: Report.Reason
    reason_label: str
    note: str
    created_at: datetime
    outcome: Report.Outcome
    outcome_label: str = Field(description="What came of it, in general terms.")
    outcome_at: datetime | None


class ReportPageOut(Schema):
    items: list[ReportOut]
    page: int
    num_pages: int
    count: int
    has_next: bool


class PageQuery(Schema):
    page: int = Field(1, ge=1)


class BlockedOut(Schema):
    handle: str
    blocked_at: datetime


class BlocksOut(Schema):
    blocked: list[BlockedOut] = Field(description="Members I blocked, newest first.")


class BlocksIn(Schema):
    handles: list[str] = Field(description="Every member I want blocked; others are unblocked.")


class ProtectionOut(Schema):
    muted_words: list[str]
    hide_content_warned: bool = Field(description="Fold posts with a content warning away.")
    paused_until: datetime | None = Field(description="The end of my break; null: not on one.")


class ProtectionIn(Schema):
    muted_words: list[str] = Field(
        description=f"Up to {protection.MUTED_WORDS_MAX} words or phrases, each at most "
        f"{protection.MUTED_WORD_LENGTH_MAX} characters."
    )
    hide_content_warned: bool
    paused_until: datetime | None = Field(
        description="Start or move a break (time zone assumed UTC if none); null ends it."
    )


# --- Helpers --------------------------------------------------------------------------------


def _member(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _other_member(handle: str) -> User:
    member = accounts_selectors.member_get(handle=handle)
    if member is None:
        raise Http404
    return member


def _report_out(entry: MyReport) -> ReportOut:
    return ReportOut(
        id=entry.id,
        kind=ContentKind(entry.kind),
        post_id=entry.post_id,
        member=entry.member_handle,
        reason=Report.Reason(entry.reason),
        reason_label=entry.reason_label,
        note=entry.note,
        created_at=entry.created_at,
        outcome=Report.Outcome(entry.outcome),
        outcome_label=entry.outcome_label,
        outcome_at=entry.outcome_at,
    )


def _blocks_out(blocks: list[Block]) -> BlocksOut:
    return BlocksOut(
        blocked=[
            BlockedOut(handle=block.blocked.handle, blocked_at=block.created_at) for block in blocks
        ]
    )


def _protection_out(user: User) -> ProtectionOut:
    preferences = protection_selectors.preferences_of(user)
    return ProtectionOut(
        muted_words=list(preferences.muted_words),
        hide_content_warned=preferences.hide_content_warned,
        paused_until=paused_until(user),
    )


# --- Reports --------------------------------------------------------------------------------


@router.post(
    "/reports",
    response={201: ReportOut, **WRITES},
    summary="Report a post or a member to the moderators",
)
def create_report(request: HttpRequest, payload: ReportIn) -> Status[ReportOut]:
    user = _member(request)
    if (payload.post_id is None) == (payload.member is None):
        raise ValidationError(_("Please choose one post or one member to report."))
    post = member = None
    if payload.post_id is not None:
        post = communities_selectors.access_post_by_id(user, payload.post_id)
    else:
        member = _other_member(payload.member or "")
    report = reports.report_create(
        reporter=user, post=post, member=member, reason=payload.reason, note=payload.note
    )
    return Status(201, _report_out(my_report(user=user, report_id=report.pk)))


@router.get(
    "/reports",
    response={200: ReportPageOut, **READS},
    summary="My reports and what came of them, newest first",
)
def list_reports(request: HttpRequest, query: Query[PageQuery]) -> ReportPageOut:
    page = my_reports(user=_member(request), page=query.page)
    return ReportPageOut(
        items=[_report_out(entry) for entry in page.reports],
        page=page.page.number,
        num_pages=page.page.paginator.num_pages,
        count=page.page.paginator.count,
        has_next=page.page.has_next(),
    )


# --- Blocks ---------------------------------------------------------------------------------


@router.get("/blocks", response={200: BlocksOut, 401: ErrorOut}, summary="Members I blocked")
def list_blocks(request: HttpRequest) -> BlocksOut:
    return _blocks_out(protection_selectors.blocked_members(_member(request)))


@router.put(
    "/blocks",
    response={200: BlocksOut, **WRITES},
    summary="Set exactly which members I block",
)
def replace_blocks(request: HttpRequest, payload: BlocksIn) -> BlocksOut:
    blocks = protection.blocks_replace(blocker=_member(request), handles=payload.handles)
    return _blocks_out(blocks)


@router.put(
    "/blocks/{handle}",
    response={200: BlocksOut, **WRITES},
    summary="Block a member (no change if I already have)",
)
def add_block(request: HttpRequest, handle: str) -> BlocksOut:
    user = _member(request)
    protection.block_create(blocker=user, blocked=_other_member(handle))
    return _blocks_out(protection_selectors.blocked_members(user))


@router.delete(
    "/blocks/{handle}",
    response={200: BlocksOut, **WRITES},
    summary="Unblock a member (no change if I had not blocked them)",
)
def remove_block(request: HttpRequest, handle: str) -> BlocksOut:
    user = _member(request)
    protection.block_delete(blocker=user, blocked=_other_member(handle))
    return _blocks_out(protection_selectors.blocked_members(user))


# --- Muted words, content warnings and breaks -----------------------------------------------


@router.get(
    "/protection",
    response={200: ProtectionOut, 401: ErrorOut},
    summary="My muted words, content-warning preference and break",
)
def get_protection(request: HttpRequest) -> ProtectionOut:
    return _protection_out(_member(request))


@router.put(
    "/protection",
    response={200: ProtectionOut, **WRITES},
    summary="Set my muted words, content-warning preference and break",
)
def replace_protection(request: HttpRequest, payload: ProtectionIn) -> ProtectionOut:
    user = _member(request)
    until = payload.paused_until
    if until is not None and timezone.is_naive(until):
        until = timezone.make_aware(until, UTC)
    protection.protection_replace(
        user=user,
        muted_words=payload.muted_words,
        hide_content_warned=payload.hide_content_warned,
        paused_until=until,
    )
    return _protection_out(user)
