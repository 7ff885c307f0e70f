"""A leader reads the heatmap and drills into a rep; a rep cannot reach a teammate's page."""

from __future__ import annotations

import pytest

from ninety.people.models import Person
from tests.browser.conftest import screenshot
from tests.diagnosis.conftest import AS_OF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Q = f"period=2026-11&as_of={AS_OF.isoformat()}"


def _sign_in(page, live_server, name: str) -> None:
    person = Person.objects.get(name=name)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", person.user.username)
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_leader_reads_the_heatmap_and_opens_sam(live_server, page, story_org_live) -> None:
    _sign_in(page, live_server, "Dana Reyes")
    page.goto(f"{live_server.url}/dashboard/?{Q}")
    heatmap = page.get_by_test_id("heatmap")
    assert heatmap.locator("tbody tr").count() == 9
    focus = heatmap.locator('tr[data-rep="Sam Patel"] td.focus')
    assert focus.get_attribute("data-factor") == "conversation"
    # The outline is visible, not just a class: a 3px outline on the focus cell.
    assert focus.evaluate("e => getComputedStyle(e).outlineWidth") == "3px"
    screenshot(page, "dashboard-leader")
    # Keyboard: the period picker and Show button are reachable and keep the team in the URL.
    page.select_option("#pick-period", "2026-10")
    page.click("form.pickers button")
    assert "period=2026-10" in page.url and "team=" in page.url
    page.goto(f"{live_server.url}/dashboard/?{Q}")
    heatmap.locator('tr[data-rep="Sam Patel"] th a').click()
    page.wait_for_load_state()
    focus_line = page.get_by_test_id("focus").inner_text()
    assert "Greeting" in focus_line and "likely a material weakness" in focus_line
    assert "judged on the last" in focus_line
    assert page.locator("h3", has_text="Create a compelling reason to speak").count() == 1
    assert page.locator("ul.questions li", has_text="tone or inflection").count() == 1
    screenshot(page, "rep-page-leader-view")


def test_a_rep_cannot_reach_a_teammates_page(live_server, page, story_org_live) -> None:
    _sign_in(page, live_server, "Sam Patel")
    assert "/reps/" in page.url
    alex = Person.objects.get(name="Alex Kim")
    response = page.goto(f"{live_server.url}/reps/{alex.pk}/?{Q}")
    assert response.status == 404
    page.goto(f"{live_server.url}/reps/{Person.objects.get(name='Sam Patel').pk}/?{Q}")
    assert "Alex Kim" not in page.content()
    screenshot(page, "rep-page-own-view")
