"""Template tags for supporter care: the "what to do now" protocol in a conversation."""

from __future__ import annotations

from typing import Any

from django import template

from alongside.support.safety_hooks import protocol_for

register = template.Library()


@register.inclusion_tag("support/care/_what_to_do_now.html", takes_context=True)
def support_protocol(context: dict[str, Any], conversation: Any) -> dict[str, Any]:
    """Show the protocol to the supporter of this conversation while an urgent item is open."""
    request = context.get("request")
    user = getattr(request, "user", None)
    protocol = None
    if user is not None and user.is_authenticated and conversation is not None:
        protocol = protocol_for(user, conversation)
    return {"protocol": protocol}
