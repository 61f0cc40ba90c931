"""Template helpers for the members' safety links on thread pages and profiles."""

from __future__ import annotations

from typing import Any

from django import template

from alongside.communities import links
from alongside.safety.selectors.protection import blocks_for

register = template.Library()


@register.filter
def report_post_url(post_id: int) -> str:
    """The page to report a post (built without a ``reverse()`` per post)."""
    return links.fill_url("safety_member:report_post", "post_id", post_id)


@register.simple_tag
def has_blocked(viewer: Any, member: Any) -> bool:
    """Whether ``viewer`` blocked ``member`` (cached; never says whether they were blocked)."""
    if viewer is None or member is None:
        return False
    return member.pk in blocks_for(viewer).blocking
