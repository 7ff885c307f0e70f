"""In a real browser: a leader edits and publishes version 2; a rep proposes a way, approved."""

from __future__ import annotations

import pytest

from ninety.playbook.models import Behavior, Stage
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GREETING = "compelling-reason-to-speak"


def _sign_in(page, live_server, username: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_leader_edits_a_stage_adds_a_way_publishes_and_sees_the_diff(
    live_server, page, world: World, playbook
) -> None:
    _sign_in(page, live_server, "dana")
    page.goto(f"{live_server.url}/playbook/")
    page.click("text=Edit the playbook")
    page.click("text=Start a draft of version 2")
    stage = Stage.objects.get(playbook__status="draft", key="conversation")
    page.fill(f"#stage-name-{stage.pk}", "Opening")
    page.locator(f"#stage-{stage.pk} > .edit-row button", has_text="Save").click()
    behavior = Behavior.objects.get(stage=stage, key=GREETING)
    page.fill(f"[aria-label='New way for {behavior.name}']", "Ask how their day is going.")
    page.locator(f"#behavior-{behavior.pk} button", has_text="Add way").click()
    # Keyboard reordering: focus the "move up" button of the Opening stage and press Enter.
    page.locator("[aria-label='Move stage “Opening” up']").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator(".edit-list[data-kind=stage] > li").first.get_attribute("id") == (
        f"stage-{stage.pk}"
    )
    screenshot(page, "playbook-editor-draft")
    page.click("text=Publish version 2")
    page.wait_for_url("**/playbook/diff/?to=2")
    diff = page.locator("#diff-h + .diff-list").inner_text()
    assert (
        "Greeting (connect → conversation)" in diff and "Opening (connect → conversation)" in diff
    )
    assert "Ask how their day is going." in diff
    assert "→ conversation, connect, meeting" in diff  # the stage moved up
    screenshot(page, "playbook-diff-v1-v2")
    page.goto(f"{live_server.url}/playbook/")
    assert "version 2" in page.locator("h1").inner_text()
    assert page.locator("#stage-conversation h2").inner_text().split()[:2] == ["1", "Opening"]


def test_a_rep_proposes_a_way_and_the_leader_approves_it(
    live_server, page, world: World, playbook
) -> None:
    _sign_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/playbook/")
    behavior = Behavior.objects.get(stage__playbook=playbook, key=GREETING)
    section = page.locator(f"#behavior-{behavior.pk}")
    section.locator("summary", has_text="Propose a way").click()
    section.locator("textarea").fill("Mention the neighbour who switched last week.")
    section.locator("button", has_text="Propose").click()
    assert "your way was proposed" in page.locator(".messages").inner_text()
    assert "Awaiting review" in section.inner_text()
    screenshot(page, "playbook-rep-proposed")

    _sign_in(page, live_server, "dana")
    page.goto(f"{live_server.url}/playbook/")
    proposals = page.locator("#proposals")
    assert "proposed by Sam" in proposals.inner_text()
    screenshot(page, "playbook-leader-proposals")
    proposals.locator("button", has_text="Approve").click()
    assert "Approved" in page.locator(".messages").inner_text()
    # The approval is a new version; the versions page compares it with the one before.
    assert "now in v2" in page.locator(".messages").inner_text()
    page.goto(f"{live_server.url}/playbook/diff/")
    assert "Mention the neighbour who switched last week." in page.inner_text("main")
    behavior = Behavior.objects.get(stage__playbook__status="published", key=GREETING)
    section = page.locator(f"#behavior-{behavior.pk}")

    _sign_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/playbook/")
    row = page.locator("tr", has_text="Mention the neighbour who switched last week.")
    assert "proposed by Sam" in row.inner_text()
    assert "Your way to practise next" in section.inner_text()
    screenshot(page, "playbook-rep-approved")
    page.emulate_media(media="print")
    assert page.locator("details.propose").first.is_hidden()
    screenshot(page, "playbook-print")
