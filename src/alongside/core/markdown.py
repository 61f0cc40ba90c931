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
from markdown_it.token import Token

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
    """Handles mentioned as @handle, lower-cased (handles are unique ignoring case).

    Only mentions that ``render_markdown`` would link count: not those in code or inside a
    link the member wrote.
    """
    found: set[str] = set()
    for token in _parser.parse(text):
        if token.type != "inline" or not token.children:
            continue
        link_depth = 0
        for child in token.children:
            if child.type == "link_open":
                link_depth += 1
            elif child.type == "link_close":
                link_depth -= 1
            elif child.type == "text" and link_depth == 0:
                found.update(match.lower() for match in MENTION_PATTERN.findall(child.content))
    return found


def _heading_down(html: str) -> str:
    # Members' headings sit below the page's own h1/h2 in the document outline.
    return re.sub(r"<(/?)h[12]>", r"<\1h3>", html)


def _link_mentions(
    children: list[Token], known: dict[str, str], profile_url: Callable[[str], str]
) -> list[Token]:
    """Turn @handle in plain text into links; code spans and existing links stay as they are."""
    result: list[Token] = []
    link_depth = 0
    for token in children:
        if token.type == "link_open":
            link_depth += 1
        elif token.type == "link_close":
            link_depth -= 1
        if token.type != "text" or link_depth > 0:
            result.append(token)
            continue
        position = 0
        for match in MENTION_PATTERN.finditer(token.content):
            handle = known.get(match.group(1).lower())
            if handle is None:
                continue
            if match.start() > position:
                result.append(_text_token(token.content[position : match.start()]))
            result.append(Token("link_open", "a", 1, attrs={"href": profile_url(handle)}))
            result.append(_text_token(f"@{handle}"))
            result.append(Token("link_close", "a", -1))
            position = match.end()
        if position == 0:
            result.append(token)
        elif position < len(token.content):
            result.append(_text_token(token.content[position:]))
    return result


def _text_token(content: str) -> Token:
    return Token("text", "", 0, content=content)


def render_markdown(
    text: str,
    *,
    mention_handles: Iterable[str] = (),
    profile_url: Callable[[str], str] | None = None,
) -> str:
    """Render member markdown to sanitised HTML, linking @mentions of the given handles.

    Mentions are linked in the parsed text, so an @handle inside a code span, a code block
    or a link the member wrote is left alone.
    """
    known = {handle.lower(): handle for handle in mention_handles}
    env: dict[str, object] = {}
    tokens = _parser.parse(text, env)
    if known and profile_url is not None:
        for token in tokens:
            if token.type == "inline" and token.children:
                token.children = _link_mentions(token.children, known, profile_url)
    html = _heading_down(_parser.renderer.render(tokens, _parser.options, env))
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
    )
