"""A leader sets a goal for her team from the dashboard and sees each rep's progress; the form
refuses a target that is not a number; a rep on a phone sees only his own row; the admin sets
an organisation goal and sees each team's counts, on a phone without sideways scrolling."""

from __future__ import annotations

import pytest

from ninety.goals.models import Goal
from ninety.people.models import Person, Role, Team
from tests.browser.conftest import screenshot, sign_in
from tests.diagnosis.conftest import AS_OF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Q = f"as_of={AS_OF.isoformat()}"


def _user(name: str) -> str:
    return Person.objects.get(name=name).user.username


def _add(page, metric: str, target: str) -> None:
    form = page.get_by_test_id("goal-add")
    form.locator("select[name=metric]").select_option(metric)
    form.locator("input[name=target]").fill(target)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_team_and_org_goals_from_the_dashboard(live_server, browser, story_org_live) -> None:
    crew = Team.objects.get(org=story_org_live, name="Greeting Crew")
    crew_reps = Person.objects.filter(team=crew, role=Role.REP, is_active=True).count()
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server, _user("Dana Reyes"))
    page.goto(f"{live_server.url}/dashboard/?period=2026-11&{Q}")
    page.get_by_test_id("team-goals-link").first.click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith(f"/goals/teams/{crew.pk}/")
    assert page.get_by_test_id("no-goals").count() == 1
    # Not a number: the browser keeps the form (and the server would refuse it too).
    _add(page, "stage:conversation", "forty")
    assert page.locator("#target:invalid").count() == 1
    assert not Goal.objects.filter(team=crew).exists()
    _add(page, "stage:conversation", "40")
    goal = Goal.objects.get(team=crew, status="active")
    assert (goal.metric, goal.target) == ("stage:conversation", pytest.approx(0.40))
    card = page.locator('[data-testid=team-goal][data-metric="stage:conversation"]')
    assert "at least 40%" in card.inner_text()
    assert card.locator("tbody tr").count() == crew_reps
    statuses = set(card.get_by_test_id("goal-status").all_inner_texts())
    assert statuses <= {"on track", "behind", "not settled yet"} and statuses
    assert f"of {crew_reps} reps it applies to" in card.get_by_test_id("goal-summary").inner_text()
    screenshot(page, "goals-team-leader")
    page.context.close()

    sam = Person.objects.get(name="Sam Patel")
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_server, _user("Sam Patel"))
    page.goto(f"{live_server.url}/goals/reps/{sam.pk}/?{Q}")
    page.get_by_test_id("team-goals-link").click()
    page.wait_for_load_state()
    rows = page.locator("[data-testid=goal-reps] tbody tr")
    assert rows.count() == 1 and rows.first.get_attribute("data-person") == str(sam.pk)
    assert page.get_by_test_id("goal-add").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "goals-team-rep-phone")
    page.context.close()

    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_server, _user("Sofia Lopez"))
    page.goto(f"{live_server.url}/goals/org/?{Q}")
    _add(page, "volume", "30")
    assert Goal.objects.filter(org=story_org_live, scope="org", metric="volume").count() == 1
    table = page.locator('[data-testid=org-goal][data-metric="volume"] [data-testid=goal-teams]')
    assert table.locator("tbody tr").count() == 2  # the Greeting Crew and the Summit Team
    crew_row = table.locator(f'tr[data-team="{crew.pk}"]')
    assert crew_row.locator("td").first.inner_text() == str(crew_reps)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "goals-org-admin-phone")
    page.context.close()
