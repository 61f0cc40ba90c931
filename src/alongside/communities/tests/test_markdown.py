"""Member text is rendered safely: no raw HTML, no images, no script links."""

from __future__ import annotations

import pytest

from alongside.core.markdown import find_mentions, render_markdown


def profile(handle: str) -> str:
    return f"/accounts/members/{handle}/"


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        "<iframe src='https://example.org'></iframe>",
        '<a href="javascript:alert(1)">hi</a>',
        "<style>body{display:none}</style>",
        '<div onclick="alert(1)">click</div>',
    ],
)
def test_raw_html_is_shown_as_text_never_parsed(text: str) -> None:
    html = render_markdown(text)
    assert "<script" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<style" not in html
    assert "<div" not in html
    assert "<a " not in html
    assert "&lt;" in html


def test_images_are_not_rendered() -> None:
    html = render_markdown("![a cat](https://example.org/cat.png) and ![x][ref]\n\n[ref]: /x.png")
    assert "<img" not in html
    assert "src=" not in html


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](javascript&colon;alert(1))",
        "<javascript:alert(1)>",
        "[click](vbscript:msgbox(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click][x]\n\n[x]: javascript:alert(1)",
    ],
)
def test_script_links_are_removed(text: str) -> None:
    html = render_markdown(text).lower()
    # What is left is plain text: no link at all, so nothing to click.
    assert "<a" not in html
    assert "href" not in html


def test_safe_links_open_without_referrer() -> None:
    html = render_markdown("[help](https://example.org/help) and <mailto:a@example.org>")
    assert 'href="https://example.org/help"' in html
    assert 'rel="nofollow noopener noreferrer ugc"' in html
    assert 'href="mailto:a@example.org"' in html


def test_formatting_that_is_kept() -> None:
    html = render_markdown("**bold** _it_ ~~gone~~\n\n> quote\n\n- one\n- two\n\n`code`")
    for tag in ("<strong>", "<em>", "<s>", "<blockquote>", "<ul>", "<li>", "<code>"):
        assert tag in html


def test_headings_sit_below_the_page_headings() -> None:
    html = render_markdown("# Big\n\n## Smaller")
    assert "<h1>" not in html
    assert "<h2>" not in html
    assert html.count("<h3>") == 2


def test_line_breaks_are_kept() -> None:
    assert "<br" in render_markdown("one\ntwo")


def test_mentions_are_linked_only_for_known_handles() -> None:
    html = render_markdown(
        "Thanks @River and @stranger!", mention_handles=["river"], profile_url=profile
    )
    assert '<a href="/accounts/members/river/"' in html
    assert ">@river</a>" in html
    assert "@stranger" in html
    assert "/members/stranger/" not in html


def test_mentions_in_code_links_and_emails_are_left_alone() -> None:
    text = "`@river` and [@river](https://example.org) and river@example.org\n\n```\n@river\n```"
    html = render_markdown(text, mention_handles=["river"], profile_url=profile)
    assert "/members/river/" not in html
    assert find_mentions(text) == set()


def test_find_mentions() -> None:
    assert find_mentions("Hi @River, @sam_2 and @sam_2 again; not@email or @x") == {
        "river",
        "sam_2",
    }
