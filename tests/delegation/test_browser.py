"""In a real browser: Dana delegates Sam's coaching to the suggested Alex with expectations; Alex
reports back; Dana reviews; Alex's access to Sam ends. And Dana's attention meter."""

from __future__ import annotations

import pytest

from ninety.delegation.access import delegated_people
from ninety.delegation.demo import seed_demo
from ninety.delegation.models import Delegation, TacticalTask
from ninety.people.models import Org, Person
from tests.browser.conftest import screenshot
from tests.delegation.conftest import AS_OF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, name: str) -> None:
    person = Person.objects.get(name=name)
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", person.user.username)
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def sign_out(page) -> None:
    page.click("header button:has-text('Sign out')")
    page.wait_for_load_state()


def test_a_coaching_session_is_delegated_reported_and_reviewed(
    live_server, page, story_org_live: Org
) -> None:
    sam = Person.objects.get(name="Sam Patel")
    alex = Person.objects.get(name="Alex Kim")
    sign_in(page, live_server, "Dana Reyes")
    page.goto(f"{live_server.url}/delegation/?as_of={AS_OF}")
    page.select_option("#pick-coachee", str(sam.pk))
    page.click("form.pickers button")
    page.wait_for_load_state()
    assert "focus Greeting" in page.get_by_test_id("coachee-focus").inner_text()
    first = page.get_by_test_id("suggestions").locator("li").first
    assert first.get_attribute("data-person") == "Alex Kim"
    assert "reliably strong at Greeting" in first.inner_text()
    greeting = page.get_by_label("Create a compelling reason to speak")
    assert greeting.is_checked()  # the focus stage's behavior is pre-selected
    first.locator("input[type=radio]").check()
    page.fill("#id_steps", "tone")
    page.click("form.delegate-form button.primary")
    page.wait_for_load_state()
    assert "Delegated “Coach Sam Patel” to Alex Kim" in page.locator(".messages").inner_text()
    assert list(delegated_people(alex)) == [sam]
    sign_out(page)

    sign_in(page, live_server, "Alex Kim")
    page.goto(f"{live_server.url}/delegation/")
    card = page.locator("article.delegation[data-status=open]")
    assert "Coachee: Sam Patel" in card.inner_text()
    row = card.locator('tr[data-expectation="Create a compelling reason to speak"]')
    row.get_by_label("Met").check()
    card.locator('tr[data-expectation="tone"]').get_by_label("Partly").check()
    card.locator("textarea").fill("Slower first sentence; used the local customer way.")
    card.locator("button.primary").click()
    page.wait_for_load_state()
    assert "Outcome of “Coach Sam Patel” sent to Dana Reyes" in page.inner_text(".messages")
    assert not delegated_people(alex).exists()  # reported: Alex's access to Sam has ended
    sign_out(page)

    sign_in(page, live_server, "Dana Reyes")
    page.goto(f"{live_server.url}/delegation/")
    waiting = page.get_by_test_id("waiting-review")
    assert "Partly" in waiting.get_by_test_id("ratings").inner_text()
    screenshot(page, "delegation")
    waiting.locator("textarea").fill("Thanks Alex — keep an ear on the tone next week.")
    waiting.locator("button.primary").click()
    page.wait_for_load_state()
    assert Delegation.objects.get().status == Delegation.Status.REVIEWED
    assert TacticalTask.objects.get().status == TacticalTask.Status.REVIEWED
    assert not delegated_people(alex).exists()


def test_dana_reads_her_attention_and_delegates_the_schedule(
    live_server, page, story_org_live: Org
) -> None:
    seed_demo(story_org_live, AS_OF)
    sign_in(page, live_server, "Dana Reyes")
    page.goto(f"{live_server.url}/attention/?week=2026-W48")
    table = page.get_by_test_id("split-table").inner_text()
    assert "55%" in table and "25%" in table and "20%" in table
    assert "points below the 90 : 10 target" in page.get_by_test_id("ratio").inner_text()
    items = page.get_by_test_id("delegate-next").locator("li")
    assert items.nth(0).get_attribute("data-title") == "Weekly schedule building"
    assert items.nth(1).get_attribute("data-title") == "Report review"
    screenshot(page, "attention")
    items.nth(0).get_by_role("link", name="delegate").click()
    page.wait_for_load_state()
    assert page.input_value("#id_title") == "Weekly schedule building"
    assert page.input_value("#id_category") == "scheduling"
