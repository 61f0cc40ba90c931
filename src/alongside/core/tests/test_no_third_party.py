"""No page asks the browser for anything from another origin, and nothing relies on inline code.

The Content-Security-Policy (see ``test_security_headers``) forbids inline script, inline style
and every origin but our own, so a page that broke these rules would simply break in the
browser. These tests find such a break before a browser does: with the demo community loaded,
every main page, seen by a visitor, a member and an administrator, is parsed with the standard
library's HTML parser and checked element by element. Links (``<a href>``) to other sites are
navigations the reader chooses, not requests the page makes, so they are allowed (the crisis
lines' own websites on "Get help now", links members write in posts).

The static files are scanned too: a stylesheet's ``url(https://…)`` or ``@import``, or a
script's ``import`` from a URL, would also fetch from elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from alongside.accounts.models import User
from alongside.communities import services
from alongside.communities.models import Group, Membership, Post, Thread
from alongside.core import demo

PACKAGE_DIR = Path(__file__).resolve().parents[2]

# Attributes that make the browser fetch something, whatever the element.
FETCHING_ATTRIBUTES = {"src", "srcset", "poster", "data", "background", "manifest"}
# Elements whose href is fetched (or, for <base>, changes where relative URLs go).
FETCHING_HREF_TAGS = {"link", "base", "image", "use"}
# Attributes whose URL is where a form sends its data (form-action 'self').
FORM_TARGET_ATTRIBUTES = {"action", "formaction"}
# Schemes a navigation link may use. Never javascript: (that is inline script).
LINK_SCHEMES = ("http://", "https://", "mailto:", "tel:", "sms:")


def same_origin(url: str) -> bool:
    """A URL relative to this site: a path, a query or a fragment, with no scheme or host.

    ``//host/…`` (and ``/\\host/…``, which browsers read the same way) is another origin.
    """
    url = url.strip()
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and not url.startswith(("//", "/\\"))


class PageAudit(HTMLParser):
    """Everything on one page that the CSP would block or that fetches from elsewhere."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.problems: list[str] = []
        self.elements = 0
        self.external_links: list[str] = []
        self._open_script = False
        self._script_text = ""

    def problem(self, tag: str, message: str) -> None:
        self.problems.append(f"{self.url}: <{tag}> {message} (line {self.getpos()[0]})")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problem(tag, f"has an inline event handler {name}={value!r}")
            if name == "style":
                self.problem(tag, f"has a style attribute {value!r}")
            if name in FETCHING_ATTRIBUTES and value:
                urls = [part.split()[0] for part in value.split(",") if part.strip()]
                if name != "srcset":
                    urls = [value]
                for url in urls:
                    if not same_origin(url):
                        self.problem(tag, f"fetches {name}={url!r} from another origin")
            if name in FORM_TARGET_ATTRIBUTES and value and not same_origin(value):
                self.problem(tag, f"sends a form to {value!r}")
            if name in {"href", "xlink:href"} and value.strip().lower().startswith("javascript:"):
                self.problem(tag, f"has a javascript: URL {value!r}")
        if tag == "style":
            self.problem(tag, "is an inline stylesheet")
        if tag in FETCHING_HREF_TAGS and "href" in values and not same_origin(values["href"]):
            self.problem(tag, f"fetches href={values['href']!r} from another origin")
        if tag == "a" and values.get("href"):
            href = values["href"].strip()
            if href.lower().startswith(("http://", "https://", "//")):
                self.external_links.append(href)
            if not (same_origin(href) or href.lower().startswith(LINK_SCHEMES)):
                self.problem(tag, f"links to {href!r}, which is neither a path nor a web address")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.problem(tag, "redirects with <meta http-equiv=refresh>")
        if tag in {"iframe", "frame", "object", "embed"}:
            self.problem(tag, "embeds a document")
        if tag == "script":
            if not values.get("src"):
                self.problem(tag, "is an inline script (no src)")
            self._open_script = bool(values.get("src"))
            self._script_text = ""

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._open_script = False

    def handle_data(self, data: str) -> None:
        if self._open_script:
            self._script_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            if self._script_text.strip():
                self.problem(tag, "has inline code beside its src")
            self._open_script = False


def audit(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert response.headers["Content-Type"].startswith("text/html"), url
    page = PageAudit(url)
    page.feed(response.content.decode())
    page.close()
    assert page.elements > 20, f"{url}: suspiciously little HTML parsed"
    return page.problems


def audit_all(client: Client, urls: list[str]) -> None:
    problems = [problem for url in urls for problem in audit(client, url)]
    assert problems == [], "\n".join(problems)


# --- The parser itself ----------------------------------------------------------------------


def test_the_audit_catches_each_kind_of_problem() -> None:
    """The checks find what they are meant to find (else a passing page proves nothing)."""
    bad = """
    <html><head>
      <script>alert(1)</script>
      <script src="/static/ok.js"></script>
      <script src="https://cdn.example.com/lib.js"></script>
      <link rel="stylesheet" href="https://fonts.example.com/css">
      <link rel="icon" href="//cdn.example.com/icon.svg">
      <style>p { color: red }</style>
    </head><body>
      <p style="color: red" onclick="go()">Hello</p>
      <img src="https://tracker.example.com/pixel.gif" alt="">
      <img srcset="/a.png 1x, https://example.com/b.png 2x" alt="">
      <iframe src="/frame/"></iframe>
      <form action="https://elsewhere.example.com/"></form>
      <a href="javascript:alert(1)">x</a>
      <a href="https://www.samaritans.org/">Samaritans</a>
      <a href="/groups/">Groups</a>
      <a href="?page=2">Next</a>
      <link rel="stylesheet" href="/\\evil.example.com/x.css">
    </body></html>
    """
    page = PageAudit("test")
    page.feed(bad)
    found = "\n".join(page.problems)
    for expected in [
        "<script> is an inline script",
        "cdn.example.com/lib.js",
        "fonts.example.com/css",
        "//cdn.example.com/icon.svg",
        "<style> is an inline stylesheet",
        "style attribute",
        "inline event handler onclick",
        "tracker.example.com/pixel.gif",
        "https://example.com/b.png",
        "<iframe> embeds a document",
        "sends a form to",
        "javascript: URL",
    ]:
        assert expected in found, expected
    assert "samaritans" not in found
    assert "/groups/" not in found
    assert "/static/ok.js" not in found
    assert "?page=2" not in found
    assert "evil.example.com" in found
    assert len(page.problems) == 14


# --- Pages with the demo community ----------------------------------------------------------


@pytest.fixture
def loaded(db: None) -> None:
    demo.load_demo()


def login(handle: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(handle=handle))
    return client


def thread_urls(user: User) -> list[str]:
    """For each of the member's groups, its busiest thread (first and last page) and a thread
    with a content warning, where there is one."""
    urls: list[str] = []
    groups = Group.objects.filter(
        memberships__user=user, memberships__status=Membership.Status.ACTIVE
    )
    for group in groups:
        busiest = (
            Thread.objects.filter(group=group)
            .annotate(post_total=Count("posts"))
            .order_by("-post_total", "pk")
            .first()
        )
        assert busiest is not None
        url = reverse("communities:thread_detail", args=[group.slug, busiest.pk])
        urls += [url, f"{url}?page=last"]
        warned = Post.objects.filter(thread__group=group).exclude(content_warning="").first()
        if warned is not None:
            urls.append(reverse("communities:thread_detail", args=[group.slug, warned.thread_id]))
    return urls


def common_urls() -> list[str]:
    """Pages everyone sees alike (the home page sends members on to their feed)."""
    return [
        reverse("core:get_help"),
        reverse("core:get_help") + "?region=US",
        reverse("core:about_screening"),
        reverse("communities:group_list"),
        reverse("accounts:policy", args=["agreement"]),
        reverse("accounts:policy", args=["privacy"]),
    ]


def test_pages_for_visitors(loaded: None) -> None:
    audit_all(
        Client(),
        [
            reverse("core:home"),
            *common_urls(),
            reverse("accounts:login"),
            reverse("accounts:signup"),
            reverse("accounts:password_reset"),
            reverse("accounts:recover"),
        ],
    )


def test_get_help_links_to_the_helplines_own_sites(loaded: None) -> None:
    """The allowance for <a href> to other sites is what lets "Get help now" link out."""
    page = PageAudit("get_help")
    page.feed(Client().get(reverse("core:get_help")).content.decode())
    assert "https://www.samaritans.org/" in page.external_links
    assert page.problems == []


def test_pages_for_a_member(loaded: None) -> None:
    handle = "quiet_heron"
    user = User.objects.get(handle=handle)
    client = login(handle)
    my_groups = Group.objects.filter(memberships__user=user).values_list("slug", flat=True)
    other = User.objects.filter(posts__isnull=False).exclude(pk=user.pk).first()
    assert other is not None
    urls = [
        *common_urls(),
        reverse("communities:feed"),
        reverse("notifications:list"),
        reverse("notifications:preferences"),
        reverse("accounts:profile", args=[handle]),
        reverse("accounts:profile", args=[other.handle]),
        reverse("accounts:profile_edit"),
        reverse("accounts:password_change"),
        *(reverse("communities:group_detail", args=[slug]) for slug in my_groups),
        # A restricted group the member has not joined: its join-request page.
        reverse("communities:group_detail", args=["northfield-students"]),
        reverse("communities:thread_create", args=[my_groups[0]]),
        *thread_urls(user),
    ]
    mine = Post.objects.filter(author=user, deleted_at__isnull=True).first()
    assert mine is not None
    urls.append(reverse("communities:post_edit", args=[mine.pk]))
    # New recovery codes, with their copy button, are shown once after making them.
    made = client.post(
        reverse("accounts:recovery_codes_regenerate"), {"password": demo.DEMO_PASSWORD}
    )
    assert made.headers["Location"] == reverse("accounts:recovery_codes")
    urls.append(reverse("accounts:recovery_codes"))
    urls += self_management_urls(user)
    audit_all(client, urls)


def self_management_urls(user: User) -> list[str]:
    """The member's own pages: questionnaires, check-ins, goals, safety plan, progress."""
    from alongside.measures.models import MeasureResponse
    from alongside.selfcare.models import Goal

    goal = Goal.objects.filter(member=user).first()
    response = MeasureResponse.objects.filter(member=user).first()
    assert goal is not None and response is not None, "the demo gives quiet_heron both"
    return [
        reverse("selfcare:hub"),
        reverse("selfcare:check_in"),
        reverse("selfcare:check_ins"),
        reverse("selfcare:goals"),
        reverse("selfcare:goal_detail", args=[goal.pk]),
        reverse("selfcare:helps"),
        reverse("selfcare:safety_plan"),
        reverse("selfcare:safety_plan_edit"),
        reverse("selfcare:safety_plan_print"),
        reverse("measures:index"),
        reverse("measures:take", args=["gad7"]),
        reverse("measures:result", args=[response.pk]),
        reverse("progress:index"),
        reverse("progress:summary"),
    ]


def test_pages_for_an_administrator(loaded: None) -> None:
    handle = demo.ADMINISTRATOR
    user = User.objects.get(handle=handle)
    moderated = Group.objects.get(
        memberships__user=user, memberships__role=Membership.Role.MODERATOR
    )
    audit_all(
        login(handle),
        [
            reverse("communities:feed"),
            reverse("communities:group_create"),
            reverse("communities:group_detail", args=[moderated.slug]),
            reverse("communities:group_edit", args=[moderated.slug]),
            reverse("communities:group_members", args=[moderated.slug]),
            reverse("accounts:member_roles", args=["quiet_heron"]),
            reverse("accounts:policy_publish"),
            reverse("measures:measure_schedules:list"),
            reverse("measures:measure_schedules:create"),
            *thread_urls(user)[:3],
        ],
    )


def test_what_members_write_cannot_fetch_or_run_anything(
    loaded: None, client_for: Callable[[User], Client]
) -> None:
    """A reply full of HTML, an image and a javascript: link still renders as a clean page."""
    user = User.objects.get(handle="quiet_heron")
    thread = Thread.objects.filter(group__slug="good-days").order_by("pk").first()
    assert thread is not None
    hostile = (
        '<script>alert(1)</script><img src="https://tracker.example.com/x.gif">\n\n'
        "![pixel](https://tracker.example.com/pixel.gif)\n\n"
        '<p style="color:red" onmouseover="alert(1)">hi</p>\n\n'
        "[click me](javascript:alert(1)) and [a fine link](https://www.mind.org.uk/)"
    )
    post = services.post_create(author=user, thread=thread, body=hostile)
    assert 'href="https://www.mind.org.uk/"' in post.body_html  # ordinary links survive
    url = reverse("communities:thread_detail", args=[thread.group.slug, thread.pk])
    response = client_for(user).get(f"{url}?page=last")
    assert post.body_html in response.content.decode()  # the reply is on the page audited
    problems = audit(client_for(user), f"{url}?page=last")
    assert problems == [], "\n".join(problems)


# --- Static files ---------------------------------------------------------------------------

ABSOLUTE_URL = re.compile(r"https?://[^\s\"'()<>]+", re.IGNORECASE)
# //host/path inside quotes or url( ), a protocol-relative URL (not a // comment).
PROTOCOL_RELATIVE_URL = re.compile(r"""(?:["'(]\s*)//[\w.-]+\.\w""")
# XML namespace names look like URLs but are only identifiers; nothing fetches them.
XML_NAMESPACE = re.compile(r"""\bxmlns(?::\w+)?\s*=\s*(["'])[^"']*\1""")


def static_files() -> list[Path]:
    return sorted(
        path
        for static in PACKAGE_DIR.glob("**/static")
        if static.is_dir()
        for path in static.rglob("*")
        if path.is_file()
    )


def test_static_files_fetch_nothing_from_elsewhere() -> None:
    files = static_files()
    assert {path.name for path in files} >= {"alongside.css", "alongside.js", "favicon.svg"}
    problems: list[str] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images and fonts: nothing to follow
        text = XML_NAMESPACE.sub("", text)
        name = path.relative_to(PACKAGE_DIR)
        problems += [f"{name}: {url}" for url in ABSOLUTE_URL.findall(text)]
        problems += [f"{name}: {url}" for url in PROTOCOL_RELATIVE_URL.findall(text)]
        if path.suffix == ".css":
            problems += [f"{name}: @import" for _ in re.finditer(r"@import\b", text)]
    assert problems == [], "\n".join(problems)


def test_the_static_scan_catches_remote_urls() -> None:
    samples = {
        "@font-face { src: url(https://fonts.example.com/a.woff2); }": 1,
        'import x from "https://cdn.example.com/x.js";': 1,
        "background: url('//cdn.example.com/bg.png');": 1,
        '<svg xmlns="http://www.w3.org/2000/svg"></svg>': 0,
        "// a comment, then code\nconst a = 1;": 0,
    }
    for text, expected in samples.items():
        stripped = XML_NAMESPACE.sub("", text)
        found = ABSOLUTE_URL.findall(stripped) + PROTOCOL_RELATIVE_URL.findall(stripped)
        assert len(found) == expected, text
