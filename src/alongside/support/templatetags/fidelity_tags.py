"""``{% fidelity_prompts conversation user %}``: gentle, optional ideas for a peer supporter.

Renders only for the supporter of an active support relationship, in that relationship's
one-to-one conversation (one query at most); nothing for the member or anyone else.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from alongside.support.fidelity import current_model
from alongside.support.fidelity_selectors import shows_prompts

register = template.Library()


@register.simple_tag
def fidelity_prompts(conversation: Any, user: Any) -> SafeString:
    if not shows_prompts(user, conversation):
        return mark_safe("")
    model = current_model()
    # render_to_string escapes everything the template outputs.
    return mark_safe(  # noqa: S308
        render_to_string("support/fidelity/_prompts.html", {"model": model})
    )
