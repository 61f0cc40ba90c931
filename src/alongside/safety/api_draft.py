"""The draft-time nudge: while a member writes, a crisis-looking draft shows support.

Progressive enhancement only (``draft-check.js``): posting works the same without it, and the
post itself is screened again when sent. A draft is screened in memory and forgotten: nothing
about it is stored, logged or shown to moderators, because a person drafting is not yet
sharing, and knowing that drafts are watched would stop people writing honestly.
"""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from alongside.accounts.models import User
from alongside.api_schemas import ErrorOut, ValidationErrorOut
from alongside.safety import support
from alongside.safety.services.screening import screen_text

router = Router(tags=["safety"])

DRAFT_MAX = 20_000


class DraftIn(Schema):
    text: str = Field(max_length=DRAFT_MAX)


class SupportLineOut(Schema):
    name: str
    phone: str
    text: str
    web: str
    hours: str


class DraftOut(Schema):
    show_support: bool = Field(description="The draft reads as if the writer may be at risk.")
    lines: list[SupportLineOut]
    emergency: str
    get_help_url: str


@router.post(
    "/draft",
    response={200: DraftOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Check a draft for crisis language (not stored)",
)
def draft_check(request: HttpRequest, payload: DraftIn) -> DraftOut:
    user = cast(User, request.user)
    screened = screen_text(author=user, text=payload.text)
    notice = None
    if screened.is_concerning:
        notice = support.support_notice(screened=screened, held=False, user=user)
    return DraftOut(
        show_support=notice is not None,
        lines=[SupportLineOut(**vars(line)) for line in notice.lines] if notice else [],
        emergency=notice.emergency if notice else "",
        get_help_url=reverse("core:get_help"),
    )
