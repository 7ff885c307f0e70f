"""The director's overview and the inbox, as people use them in the browser."""

from __future__ import annotations

import pytest

from ninety.demo import seed_story
from ninety.notify.models import Notification
from ninety.people.models import Person
from tests.browser.conftest import screenshot
from tests.diagnosis.conftest import AS_OF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Q = f"as_of={AS_OF.isoformat()}"


def _sign_in(page, live_server, name: str) -> None:
    person = Person.objects.get(name=name)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", person.user.username)
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_director_compares_teams_and_drills_into_one(live_server, page, story_org_live) -> None:
    seed_story(story_org_live, AS_OF)
    _sign_in(page, live_server, "Morgan Lee")
    page.click("nav >> text=Overview")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/overview/?{Q}")
    heatmap = page.get_by_test_id("team-heatmap")
    rows = heatmap.locator("tbody tr")
    assert rows.count() >= 1
    crew = heatmap.locator('tr[data-team="Greeting Crew"]')
    assert crew.count() == 1
    cells = crew.locator("td.heat")
    assert cells.count() >= 3 and "vs region" in (cells.first.get_attribute("title") or "")
    leaders = page.get_by_test_id("leaders")
    assert leaders.locator('tr[data-leader="Dana Reyes"]').count() == 1
    assert page.get_by_test_id("data-health").count() == 0  # the admin's part only
    screenshot(page, "overview-director")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(page, "overview-director-phone")
    page.set_viewport_size({"width": 1280, "height": 860})
    crew.locator("th a").click()
    page.wait_for_load_state()
    assert "/dashboard/?team=" in page.url
    assert page.get_by_test_id("heatmap").locator('tr[data-rep="Sam Patel"]').count() == 1


def test_a_leader_reads_the_inbox_and_the_count_goes(live_server, page, story_org_live) -> None:
    seed_story(story_org_live, AS_OF)
    dana = Person.objects.get(name="Dana Reyes")
    assert Notification.objects.filter(recipient=dana, read_at__isnull=True).exists()
    _sign_in(page, live_server, "Dana Reyes")
    link = page.get_by_test_id("inbox-link")
    unread = Notification.objects.filter(recipient=dana, read_at__isnull=True).count()
    assert link.locator(".chip").inner_text() == str(unread)
    link.click()
    page.wait_for_load_state()
    first = page.get_by_test_id("inbox").locator("li.unread").first
    title = first.locator(".inbox-title").inner_text()
    screenshot(page, "inbox-leader")
    first.locator(".inbox-title").click()
    page.wait_for_load_state()
    assert "/inbox/" not in page.url  # went to the page the notification is about
    page.goto(f"{live_server.url}/inbox/")
    item = page.get_by_test_id("inbox").locator("li", has_text=title).first
    assert "unread" not in (item.get_attribute("class") or "")
    if unread > 1:
        page.click("text=Mark all read")
        page.wait_for_load_state()
    assert page.get_by_test_id("inbox-link").locator(".chip").count() == 0
    page.goto(f"{live_server.url}/inbox/settings/")
    page.click("text=Turn on the feed")
    page.wait_for_load_state()
    feed = page.get_by_test_id("feed-url").inner_text()
    assert "/calendar/" in feed and feed.endswith(".ics")
    screenshot(page, "inbox-settings")
