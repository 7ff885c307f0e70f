"""The meeting page keeps every keystroke (in a real browser, on the demo story).

Text typed and ticks made but not yet saved must survive each of the page's four actions that
reload it — add a commitment, make it an experiment, switch behavior, save minutes — and the
save bar says when everything is saved; leaving with unsaved text warns. The printed summary
never carries the leader's private note.
"""

from __future__ import annotations

from datetime import time

import pytest
from playwright.sync_api import expect

from ninety.coaching.models import Commitment, DrillDownAnswer, OneOnOne, PrivateNote, Recital
from ninety.coaching.services import schedule_series
from tests.browser.conftest import screenshot
from tests.coaching.conftest import AS_OF, MEETING_DAY, story_people
from tests.coaching.test_meeting_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fresh(meeting: OneOnOne) -> OneOnOne:
    return OneOnOne.objects.get(pk=meeting.pk)


def _private(meeting: OneOnOne) -> str:
    note = PrivateNote.objects.filter(meeting=meeting).first()
    return note.text if note else ""


def test_unsaved_text_survives_every_action(live_server, browser, story_org_live) -> None:
    sam, dana = story_people(story_org_live)
    series = schedule_series(dana, sam, weekday=MEETING_DAY.weekday(), at=time(15, 0),
                             start=MEETING_DAY)  # fmt: skip
    meeting = series.meetings.get()
    url = f"{live_server.url}/one-on-ones/{meeting.pk}/"
    page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    _sign_in(page, live_server, dana)
    page.goto(f"{url}?as_of={AS_OF.isoformat()}")
    page.click("text=Open the meeting and its prep sheet")
    page.wait_for_url("**/prep/")
    page.goto(url)

    # 1. Add a commitment, straight after typing notes, a drill-down note and a tick.
    recital = page.get_by_test_id("recital")
    first_behavior = int(recital.locator("input[name=recital-behavior]").get_attribute("value"))
    recital.locator("input[name=recited]").nth(0).check()
    page.get_by_test_id("drill-answers").locator("input[type=text]").first.fill("flat opening")
    page.fill("#n-shared", "one: say their name")
    page.fill("#n-private", "one: tired")
    page.select_option("#c-kind", "behavior_change")
    page.fill("#c-text", "Open with a recent local customer on every call")
    with page.expect_navigation():
        page.click("text=Add the commitment")
    assert "recent local customer" in page.get_by_test_id("commitments").inner_text()
    m = _fresh(meeting)
    assert m.shared_notes == "one: say their name" and _private(m) == "one: tired"
    assert DrillDownAnswer.objects.filter(meeting=m, note="flat opening").count() == 1
    assert page.input_value("#n-shared") == "one: say their name"
    assert page.input_value("#n-private") == "one: tired"
    assert "1 of" in page.get_by_test_id("recital-score").inner_text()

    # 2. Make it an experiment, straight after typing values notes and a way of Sam's own.
    page.fill("#n-values", "two: customer first")
    page.fill("#new-ways", "Mention the neighbour who switched")
    with page.expect_navigation():
        page.get_by_test_id("commitments").locator("text=Make it an experiment").click()
    assert page.get_by_test_id("experiment-link").count() == 1
    assert _fresh(meeting).values_notes == "two: customer first"
    assert page.input_value("#n-values") == "two: customer first"
    assert "Mention the neighbour" in page.get_by_test_id("proposed-ways").inner_text()
    assert page.input_value("#new-ways") == ""
    assert Commitment.objects.get(meeting=meeting).experiment_id is not None

    # 3. Switch behavior, straight after a second tick and more shared notes.
    page.get_by_test_id("recital").locator("input[name=recited]").nth(1).check()
    page.fill("#n-shared", "three: slow down")
    options = page.locator("#pick-behavior option")
    other = next(
        options.nth(i).get_attribute("value")
        for i in range(options.count())
        if int(options.nth(i).get_attribute("value")) != first_behavior
    )
    page.select_option("#pick-behavior", other)
    page.click("text=Switch")
    page.wait_for_url(f"**behavior={other}")
    assert Recital.objects.get(meeting=meeting, behavior_id=first_behavior).recited_count == 2
    assert page.input_value("#n-shared") == "three: slow down"

    # 4. Save minutes, straight after a private note and a summary line.
    page.fill("#n-private", "four: check the schedule")
    page.fill("#summary", "four: greeting is the lever")
    page.click("text=Enter minutes instead")
    page.fill("input[name=rep_minutes]", "12")
    page.fill("input[name=leader_minutes]", "6")
    with page.expect_navigation():
        page.click("text=Save minutes")
    m = _fresh(meeting)
    assert (m.talk_rep_seconds, m.talk_leader_seconds) == (720, 360)
    assert _private(m) == "four: check the schedule" and m.summary == "four: greeting is the lever"
    assert page.input_value("#summary") == "four: greeting is the lever"

    # Autosave alone: typing, then waiting, shows "saved" and stores it.
    status = page.get_by_test_id("save-status")
    page.fill("#n-shared", "five: autosaved")
    # Locator waits, not wait_for_function: the page's CSP forbids eval'd strings.
    expect(page.get_by_test_id("save-status")).to_have_attribute("data-state", "saved")
    assert "saved" in status.inner_text().lower()
    assert _fresh(meeting).shared_notes == "five: autosaved"
    screenshot(page, "one-on-one-meeting-autosave")

    # Leaving with text the server has not stored warns (the save is made to fail).
    page.route("**/save/", lambda route: route.abort())
    page.fill("#n-shared", "six: not stored")
    expect(page.get_by_test_id("save-status")).to_have_attribute("data-state", "error")
    assert "your text is still here" in status.inner_text()
    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.click("text=prep sheet")
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert page.url.startswith(url) and "/prep/" not in page.url
    assert page.input_value("#n-shared") == "six: not stored"
    page.unroute("**/save/")
    page.remove_listener("dialog", dismiss)

    # The printed summary: the leader sees her private note on screen, never on paper.
    page.get_by_test_id("close").click()
    page.wait_for_url("**/summary/")
    assert "four: check the schedule" in page.inner_text("main")
    page.emulate_media(media="print")
    assert "four: check the schedule" not in page.inner_text("main")
    assert "greeting is the lever" in page.inner_text("main")
    page.emulate_media(media="screen")
    printable = page.context.new_page()
    printable.add_init_script("window.print = function () { window.__printed = true; };")
    printable.goto(live_server.url + f"/one-on-ones/{meeting.pk}/summary/?print=1")
    # window.print() was called: read the flag without eval (the CSP forbids it).
    for _ in range(50):
        if printable.evaluate("() => window.__printed === true"):
            break
        printable.wait_for_timeout(100)
    assert printable.evaluate("() => window.__printed === true")
    assert "four: check the schedule" not in printable.content()
    assert "greeting is the lever" in printable.inner_text("main")
