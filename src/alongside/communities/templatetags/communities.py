"""Filters for the busiest lists: cheaper than ``{% url %}`` and ``{% blocktranslate %}``.

A thread list or thread page repeats the same few phrases and addresses for every row;
these filters do that work in Python, which keeps those pages quick.
"""

from __future__ import annotations

from django import template
from django.utils.translation import gettext, ngettext

from alongside.communities import links

register = template.Library()


@register.filter
def react_url(post_id: int) -> str:
    return links.react_url(post_id)


@register.filter
def profile_url(handle: str) -> str:
    return links.profile_url(handle)


@register.filter
def replies(count: int) -> str:
    return ngettext("%(count)d reply", "%(count)d replies", count) % {"count": count}


@register.filter
def started_by(handle: str) -> str:
    return gettext("started by %(handle)s") % {"handle": handle}
