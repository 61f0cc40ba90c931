"""A researcher reads a programme's report in a real browser and downloads it.

The programme, its randomised study and its outcome answers are constructed (invented data,
``report_fixtures.build_trial``). The researcher sees the CONSORT flow, the forest plot image
(loaded, with the published pooled effects in it and in the table beside it), and downloads
the self-contained HTML export, which names no participant and is recorded in the audit log.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TEST_PASSWORD, MakeUser
from playwright.sync_api import Browser, expect

from alongside.accounts.roles import Role
from alongside.evaluation.reports import EXPORT_ACTION
from alongside.evaluation.tests.report_fixtures import build_trial
from alongside.safety.models import AuditEntry

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("published_policies"),
]


def test_researcher_views_and_downloads_a_programme_report(
    asgi_live_server: str, browser: Browser, make_user: MakeUser
) -> None:
    # The ASGI server, like the other flows: the WSGI live server's request threads close
    # database connections another thread made, which pytest reports as thread errors.
    base = asgi_live_server
    built = build_trial(make_user)
    researcher = make_user("quill", role=Role.RESEARCHER)

    page = browser.new_context(accept_downloads=True).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Handle").fill(researcher.handle)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.goto(f"{base}/research/")
    page.get_by_role("link", name=built.programme.name).click()
    expect(page.get_by_role("heading", name="CONSORT flow")).to_be_visible()
    consort = page.locator("#consort table")
    expect(consort.get_by_role("row", name="Randomised 60")).to_be_visible()
    expect(consort.get_by_role("row").filter(has_text="Excluded").first).to_contain_text("<10")

    forest = page.locator("#forest-plot")
    expect(forest).to_be_visible()
    forest.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('#forest-plot');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    svg = page.request.get(base + (forest.get_attribute("src") or "")).text()
    assert "Published pooled effects" in svg
    assert "Yeo et al. 2025: Mental health" in svg
    assert "Croke et al. 2026: Depression" in svg
    literature = page.locator("#literature table")
    expect(literature.get_by_role("row").filter(has_text="Depression")).to_contain_text(
        "0.28 (0.14 to 0.42)"
    )
    expect(literature.get_by_role("row")).to_have_count(9)  # heading row and eight effects

    text = page.locator("main").inner_text()
    for member in built.participants + built.declined:
        assert member.handle not in text

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as HTML").click()
    exported = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "CONSORT flow" in exported
    assert "data:image/svg+xml;base64," in exported
    assert "<link" not in exported
    for member in built.participants + built.declined:
        assert member.handle not in exported
    entry = AuditEntry.objects.get(action=EXPORT_ACTION)
    assert entry.actor_id == researcher.pk
    assert entry.detail["format"] == "html"
