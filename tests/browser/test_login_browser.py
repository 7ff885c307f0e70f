"""A leader signs in with a real browser and sees their team."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_signs_in_and_sees_only_their_team(live_server, page, world) -> None:
    page.goto(f"{live_server.url}/")
    assert page.title() == "Sign in · Ninety"
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/dashboard/")
    page.click("nav >> text=People")
    page.wait_for_url(f"{live_server.url}/people/")
    names = page.locator("table.people tbody td:first-child a").all_inner_texts()
    assert sorted(names) == ["Alex", "Dana", "Sam"]
    assert page.locator("h2", has_text="Crew").count() == 1
    assert page.locator("text=Closers").count() == 0
    # The stylesheet is served (no CDN): the top bar carries the brand colour.
    bar = page.locator("header.topbar")
    assert bar.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(31, 78, 95)"
    screenshot(page, "people-leader")
    page.click("text=Sam")
    assert page.locator("h1").inner_text().startswith("Sam")
    screenshot(page, "person-rep")


def test_a_wrong_password_is_explained(live_server, page, world) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert "did not match" in page.locator("[role=alert]").inner_text()
