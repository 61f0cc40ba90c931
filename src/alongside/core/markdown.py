"""Safe markdown for member text.

Raw HTML is not parsed at all (``html=False``), images are switched off so no post can make a
reader's browser fetch a remote file, and the output still goes through nh3 (the Ammonia
sanitiser) as a second wall. Links open without a referrer and carry ``rel=ugc``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
MENTION_PATTERN = re.compile(r"(?<![\w@/])@([A-Za-z0-9_]{3,30})\b")

_parser = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True})
    .disable("image")
    .enable("strikethrough")
)


def find_mentions(text: str) -> set[str]:
    """Handles mentioned as @handle, lower-cased (handles are unique ignoring case)."""
    return {match.lower() for match in MENTION_PATTERN.findall(text)}


def _heading_down(html: str) -> str:
    # Members' headings sit below the page's own h1/h2 in the document outline.
    return re.sub(r"<(/?)h[12]>", r"<\1h3>", html)


def render_markdown(
    text: str,
    *,
    mention_handles: Iterable[str] = (),
    profile_url: Callable[[str], str] | None = None,
) -> str:
    """Render member markdown to sanitised HTML, linking @mentions of the given handles."""
    known = {handle.lower(): handle for handle in mention_handles}
    if known and profile_url is not None:
        link = profile_url

        def replace(match: re.Match[str]) -> str:
            handle = known.get(match.group(1).lower())
            if handle is None:
                return match.group(0)
            return f"[@{handle}]({link(handle)})"

        text = MENTION_PATTERN.sub(replace, text)
    html = _heading_down(_parser.render(text))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
    )
