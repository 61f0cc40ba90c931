"""Template helpers for conversation links on other pages (a member's profile)."""

from __future__ import annotations

from typing import Any

from django import template

from alongside.chat import policy

register = template.Library()


@register.simple_tag
def may_message(viewer: Any, member: Any) -> bool:
    """Whether ``viewer`` may start a one-to-one with ``member`` (the policy's full check)."""
    if viewer is None or member is None or not viewer.is_authenticated:
        return False
    return policy.may_open_direct(viewer, member)
