"""JSON endpoints for a member's own notifications and notification settings."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from alongside.accounts.models import User
from alongside.api_schemas import ErrorOut, ValidationErrorOut
from alongside.notifications import selectors, services
from alongside.notifications.models import NotificationKind

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: NotificationKind
    text: str = Field(description="What happened, in the member's language.")
    url: str | None = Field(
        description="The post it is about; null when the post is no longer available."
    )
    available: bool
    is_read: bool
    created_at: datetime


class NotificationPageOut(Schema):
    items: list[NotificationOut]
    page: int
    num_pages: int
    count: int
    has_next: bool
    unread_count: int


class NotificationFilter(Schema):
    page: int = Field(1, ge=1)
    unread: bool = Field(False, description="Only unread notifications.")


class MarkedOut(Schema):
    marked: int
    unread_count: int


class PreferenceOut(Schema):
    kind: NotificationKind
    label: str
    in_app: bool
    email: bool


class PreferencesOut(Schema):
    has_email: bool = Field(description="Email can only be turned on with an address.")
    preferences: list[PreferenceOut]


class ChannelsIn(Schema):
    in_app: bool | None = None
    email: bool | None = None


class PreferencesIn(Schema):
    preferences: dict[NotificationKind, ChannelsIn] = Field(
        description="The kinds to change; a channel left out keeps its value."
    )


def _member(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _out(entry: selectors.NotificationEntry) -> NotificationOut:
    data = dataclasses.asdict(entry)
    data["url"] = entry.url or None
    return NotificationOut(**data)


def _preferences_out(user: User) -> PreferencesOut:
    return PreferencesOut(
        has_email=bool(user.email),
        preferences=[
            PreferenceOut(**dataclasses.asdict(entry))
            for entry in selectors.preferences_for(user=user)
        ],
    )


@router.get(
    "/",
    response={200: NotificationPageOut, 401: ErrorOut, 422: ValidationErrorOut},
    summary="List my notifications",
    url_name="notifications_list",
)
def list_notifications(
    request: HttpRequest, filters: Query[NotificationFilter]
) -> NotificationPageOut:
    user = _member(request)
    page = selectors.notification_page(user=user, page=filters.page, unread_only=filters.unread)
    return NotificationPageOut(
        items=[_out(entry) for entry in page.entries],
        page=page.number,
        num_pages=page.num_pages,
        count=page.count,
        has_next=page.has_next,
        unread_count=selectors.unread_count(user=user),
    )


@router.post(
    "/read-all",
    response={200: MarkedOut, 401: ErrorOut, 403: ErrorOut},
    summary="Mark all my notifications read",
    url_name="notifications_read_all",
)
def mark_all_read(request: HttpRequest) -> MarkedOut:
    user = _member(request)
    marked = services.notification_mark_read(user=user)
    return MarkedOut(marked=marked, unread_count=selectors.unread_count(user=user))


@router.post(
    "/{notification_id}/read",
    response={200: NotificationOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Mark one of my notifications read",
    url_name="notifications_read",
)
def mark_read(request: HttpRequest, notification_id: int) -> NotificationOut:
    user = _member(request)
    entry = selectors.notification_for(user=user, notification_id=notification_id)
    services.notification_mark_read(user=user, notification_ids=[entry.id])
    return _out(dataclasses.replace(entry, is_read=True))


@router.get(
    "/preferences",
    response={200: PreferencesOut, 401: ErrorOut},
    summary="My notification settings",
    url_name="notifications_preferences",
)
def get_preferences(request: HttpRequest) -> PreferencesOut:
    return _preferences_out(_member(request))


@router.patch(
    "/preferences",
    response={
        200: PreferencesOut,
        401: ErrorOut,
        403: ErrorOut,
        422: ValidationErrorOut,
    },
    summary="Change my notification settings",
    url_name="notifications_preferences",
)
def update_preferences(request: HttpRequest, payload: PreferencesIn) -> PreferencesOut:
    user = _member(request)
    services.preferences_update(
        user=user,
        preferences={
            kind.value: channels.model_dump(exclude_none=True)
            for kind, channels in payload.preferences.items()
        },
    )
    return _preferences_out(user)
