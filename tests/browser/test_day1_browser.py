"""The first day of a month, in the browser: the dashboard and Sam's prep sheet keep the story."""

from __future__ import annotations

from datetime import time

import pytest

from ninety.coaching.services import schedule_series
from ninety.people.models import Person
from tests.browser.conftest import screenshot
from tests.diagnosis.conftest import DAY1

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, person: Person) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", person.user.username)
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_day_one_dashboard_and_prep_sheet_read_the_focus_and_window(
    live_server, browser, day1_org_live
) -> None:
    sam = Person.objects.get(org=day1_org_live, name="Sam Patel")
    dana = sam.team.leader
    page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    _sign_in(page, live_server, dana)
    page.goto(f"{live_server.url}/dashboard/?team={sam.team_id}&as_of={DAY1.isoformat()}")
    windows = page.get_by_test_id("windows").inner_text()
    assert "Greeting: last" in windows and "days" in windows
    focus = page.get_by_test_id("heatmap").locator('tr[data-rep="Sam Patel"] td.focus')
    assert focus.get_attribute("data-factor") == "conversation"
    assert "day 1 of" in page.locator("#h-results").inner_text()
    screenshot(page, "day1-dashboard")

    series = schedule_series(dana, sam, weekday=DAY1.weekday(), at=time(15, 0), start=DAY1)
    meeting = series.meetings.get()
    page.goto(f"{live_server.url}/one-on-ones/{meeting.pk}/?as_of={DAY1.isoformat()}")
    page.click("text=Open the meeting and its prep sheet")
    page.wait_for_url("**/prep/**")
    line = page.get_by_test_id("focus").inner_text()
    assert "Greeting" in line and "likely a material weakness" in line
    assert "judged on the last" in line
    row = page.get_by_test_id("prep-funnel").locator('tr[data-stage="conversation"]')
    assert "last" in row.get_by_test_id("window").inner_text()
    screenshot(page, "day1-prep")
