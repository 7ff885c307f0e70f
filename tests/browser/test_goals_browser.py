"""A leader accepts the suggested goals of her reps; the rep sees his progress on his page; the
dashboard's scorecard ranks the team by the behavior score."""

from __future__ import annotations

import pytest

from ninety.goals.models import Goal
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


def _accept_suggestions(page, live_server, person: Person, greeting_target: str | None) -> None:
    page.goto(f"{live_server.url}/goals/reps/{person.pk}/?{Q}")
    page.get_by_test_id("suggest").click()
    page.wait_for_load_state()
    box = page.get_by_test_id("suggested-goals")
    assert box.locator(".suggestion").count() >= 1
    if greeting_target is not None:
        greeting = box.locator('.suggestion[data-metric="stage:conversation"]')
        assert "Greeting is the focus" in greeting.inner_text()
        greeting.locator("input[name=target]").fill(greeting_target)
    volume = box.locator('.suggestion[data-metric="volume"]')
    if volume.count():
        assert "To reach quota at your rates you need" in volume.inner_text()
    while box.locator(".suggestion button[value=accept]").count():
        box.locator(".suggestion button[value=accept]").first.click()
        page.wait_for_load_state()
        box = page.get_by_test_id("suggested-goals")


def test_a_leader_accepts_goals_the_rep_sees_them_the_scorecard_ranks(
    live_server, browser, story_org_live
) -> None:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _sign_in(page, live_server, "Dana Reyes")
    sam = Person.objects.get(name="Sam Patel")
    alex = Person.objects.get(name="Alex Kim")
    _accept_suggestions(page, live_server, sam, "45")
    greeting = Goal.objects.get(person=sam, metric="stage:conversation", status="active")
    assert greeting.target == pytest.approx(0.45)  # the leader's edit, not the suggestion
    progress = page.get_by_test_id("goal-progress")
    assert progress.locator("tbody tr").count() >= 2
    row = progress.locator('tr[data-metric="stage:conversation"]')
    assert "at least 45%" in row.inner_text()
    assert row.get_by_test_id("goal-status").inner_text() in ("behind", "not settled yet")
    screenshot(page, "goals-leader")
    _accept_suggestions(page, live_server, alex, None)

    page.goto(f"{live_server.url}/dashboard/?period=2026-11&{Q}")
    card = page.get_by_test_id("scorecard-table")
    names = card.locator("tbody th").all_inner_texts()
    scores = [float(s) for s in card.get_by_test_id("behavior-score").all_inner_texts()]
    assert {"Sam Patel", "Alex Kim"} <= set(names)
    assert scores == sorted(scores, reverse=True)
    # The rank is the behavior score's, as the database's scorecards compute it.
    by_score = sorted(zip(scores, names, strict=True), key=lambda t: -t[0])
    assert [n for _, n in by_score] == names
    screenshot(page, "goals-dashboard-scorecard")
    page.context.close()

    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    _sign_in(page, live_server, "Sam Patel")
    page.goto(f"{live_server.url}/reps/{sam.pk}/?period=2026-11&{Q}")
    goals = page.get_by_test_id("goals")
    assert goals.locator('tr[data-metric="stage:conversation"]').count() == 1
    assert "chance it meets the goal" in goals.inner_text()
    assert "Week of" in goals.get_by_test_id("scorecard-line").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "goals-rep-phone")
    # Sam sees his goals page but cannot accept or suggest.
    page.goto(f"{live_server.url}/goals/reps/{sam.pk}/?{Q}")
    assert page.get_by_test_id("suggest").count() == 0
    page.context.close()
