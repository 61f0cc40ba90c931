"""What the author sees at once when screening finds their words concerning or holds them.

A caring, non-blocking note with crisis lines for their region, never a wall: the post is
saved either way. The note is kept in the session for the next page (the thread the member
is sent back to) and returned inline by the API.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from alongside.core import crisis

if TYPE_CHECKING:
    from alongside.accounts.models import User
    from alongside.safety.services.screening import ScreenedText

SESSION_KEY = "safety_support"
LINES_SHOWN = 3


@dataclass(frozen=True)
class SupportLine:
    name: str
    phone: str = ""
    text: str = ""
    web: str = ""
    hours: str = ""


@dataclass(frozen=True)
class InfoCardOut:
    title: str
    body: str


@dataclass(frozen=True)
class SupportNotice:
    tier: str
    held: bool
    # Sentences saying why a post waits for a moderator, in words a member can act on.
    held_reasons: list[str] = field(default_factory=list)
    # Crisis lines to show, the deployment's own first.
    lines: list[SupportLine] = field(default_factory=list)
    emergency: str = ""
    # False when no moderator is on duty: the author is told replies may be slower.
    staffed: bool = True
    info_cards: list[InfoCardOut] = field(default_factory=list)

    @property
    def crisis(self) -> bool:
        return self.tier in ("urgent", "review")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


HELD_REASONS = {
    "personal_info": _(
        "it seems to include contact details such as a phone number, email or address. "
        "To keep everyone safe we ask members not to share these here"
    ),
    "contact_request": _(
        "it asks to carry on the conversation somewhere else. Staying on Alongside keeps "
        "everyone protected by the community's moderators"
    ),
    "spam": _("it looks like advertising or repeated text"),
    "abuse": _("it may be hurtful to someone. The moderators will read it in context"),
}


def _lines(user: User) -> tuple[list[SupportLine], str]:
    resources = list(crisis.deployment_contacts())
    regions = crisis.regions_for(user.region or settings.DEFAULT_REGION)
    emergency = regions[0].emergency if regions else ""
    if regions:
        resources.extend(regions[0].resources)
    lines = [
        SupportLine(name=r.name, phone=r.phone, text=r.text, web=r.web, hours=r.hours)
        for r in resources[:LINES_SHOWN]
    ]
    return lines, emergency


def support_notice(*, screened: ScreenedText, held: bool, user: User) -> SupportNotice | None:
    """The note for the author, or None when there is nothing to say."""
    from alongside.safety.services.screening import moderator_on_duty_exists

    result = screened.result
    concerning = screened.is_concerning
    if not (concerning or held or result.info_cards):
        return None
    lines, emergency = _lines(user) if concerning else ([], "")
    return SupportNotice(
        tier=result.tier,
        held=held,
        held_reasons=[str(HELD_REASONS[flag]) for flag in sorted(screened.holding_flags)],
        lines=lines,
        emergency=emergency,
        staffed=moderator_on_duty_exists() if concerning else True,
        info_cards=[InfoCardOut(title=card.title, body=card.body) for card in result.info_cards],
    )


def remember(request: HttpRequest, notice: SupportNotice | None) -> None:
    if notice is not None:
        request.session[SESSION_KEY] = notice.as_dict()


def pop(request: HttpRequest) -> dict[str, Any] | None:
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return None
    notice: dict[str, Any] = session.pop(SESSION_KEY)
    notice["crisis"] = notice.get("tier") in ("urgent", "review")
    return notice
