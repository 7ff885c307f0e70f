"""A whole one-on-one in a real browser, on the demo story (Sam, weak at Greeting, with Dana).

The rep pre-fills the self-report; the leader opens the prep sheet, runs the talk-share timer,
ticks the ways recited, records a commitment that becomes an experiment and writes a private
note; the rep then reads the summary, without the private note.
"""

from __future__ import annotations

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from ninety.coaching.models import OneOnOne
from ninety.coaching.services import schedule_series
from ninety.people.models import Person
from tests.browser.conftest import screenshot
from tests.coaching.conftest import AS_OF, MEETING_DAY, story_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECRET = "Sam sounded tired; check in about the new schedule"


def _sign_in(page, live_server, person: Person) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", person.user.username)
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_whole_one_on_one(live_server, browser, story_org_live) -> None:
    sam, dana = story_people(story_org_live)
    series = schedule_series(dana, sam, weekday=MEETING_DAY.weekday(), at=time(15, 0),
                             start=MEETING_DAY)  # fmt: skip
    meeting = series.meetings.get()
    url = f"{live_server.url}/one-on-ones/{meeting.pk}/"

    # 1. Sam pre-fills the self-report from his own login.
    sam_page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    _sign_in(sam_page, live_server, sam)
    sam_page.goto(url)
    sam_page.fill("#id_results", "Projecting down 15% for the month.")
    sam_page.fill("#id_behaviors", "I'm having a hard time getting people to conversate with me.")
    sam_page.click("text=Save my self-report")
    assert "Self-report saved" in sam_page.content()

    # 2. Dana opens the meeting: the prep sheet puts Greeting and its questions first.
    page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    _sign_in(page, live_server, dana)
    page.goto(f"{url}?as_of={AS_OF.isoformat()}")
    page.click("text=Open the meeting and its prep sheet")
    page.wait_for_url("**/prep/")
    focus = page.get_by_test_id("focus").inner_text()
    assert (
        "Greeting" in focus
        and "likely a material weakness" in focus
        and "judged on the last" in focus
    )
    drill = page.get_by_test_id("drilldown").inner_text()
    assert "Create a compelling reason to speak" in drill and "tone or inflection" in drill
    assert page.get_by_test_id("suggested-way").count() == 1
    screenshot(page, "one-on-one-prep")
    page.click("text=Go to the meeting")
    page.wait_for_url(url)
    assert "Projecting down 15% for the month." in page.get_by_test_id("self-report").inner_text()

    # 3. The talk-share timer: Sam talks about two seconds, Dana one; the share is saved.
    talk = page.get_by_test_id("talk")
    talk.locator("button.talk-btn.rep").click()
    page.wait_for_timeout(2000)
    talk.locator("button.talk-btn.leader").click()
    page.wait_for_timeout(1000)
    talk.locator("button.talk-pause").click()
    share_text = page.get_by_test_id("talk-share").inner_text()
    share = int(share_text.split("Sam Patel ")[1].split("%")[0])
    assert 55 <= share <= 75 and "✓" in share_text, share_text
    # A locator wait, not wait_for_function: the page's CSP forbids eval'd strings.
    expect(page.get_by_test_id("talk")).to_have_attribute("data-saved", re.compile(".+"))
    meeting.refresh_from_db()
    assert meeting.talk_rep_seconds >= 1 and meeting.talk_share > 0.5

    # 4. Sam recites the ways: Dana ticks three; Sam adds one of his own.
    recital = page.get_by_test_id("recital")
    boxes = recital.locator("input[name=recited]")
    total = boxes.count()
    for i in (0, 2, 5):
        boxes.nth(i).check()
    page.fill("#new-ways", "Mention the neighbour who switched last week")
    # The drill-down: the tone hypothesis holds.
    tone = page.get_by_test_id("drill-answers").locator("tr", has_text="tone or inflection")
    tone.locator("input[value=yes]").check()
    tone.locator("input[type=text]").fill("rushed, flat opening")
    # 5. Notes: shared and private.
    page.fill("#n-shared", "Slow down the first ten seconds; say their name.")
    page.fill("#n-private", SECRET)
    page.get_by_test_id("save").click()
    page.wait_for_load_state()
    assert f"3 of {total}" in page.get_by_test_id("recital-score").inner_text()
    assert "Mention the neighbour" in recital.inner_text()

    # 6. A commitment that becomes an experiment.
    page.select_option("#c-kind", "behavior_change")
    page.fill("#c-text", "Open with a recent local customer on every call this week")
    local = page.locator("#c-way option", has_text="recent customer").get_attribute("value")
    page.select_option("#c-way", local)
    with page.expect_navigation():  # the page saves what is typed first, then adds it
        page.click("text=Add the commitment")
    commitments = page.get_by_test_id("commitments")
    assert "recent local customer on every call" in commitments.inner_text()
    with page.expect_navigation():
        commitments.locator("text=Make it an experiment").click()
    link = page.get_by_test_id("experiment-link")
    assert link.count() == 1
    screenshot(page, "one-on-one-meeting")
    # The experiment page carries a verdict from the first look (one click from the meeting).
    experiment_page = page.context.new_page()
    experiment_page.goto(live_server.url + link.get_attribute("href"))
    verdict = experiment_page.locator("text=Verdict").first.inner_text().lower()
    assert any(v in verdict for v in ("collecting data", "likely", "no detectable change"))
    assert "local customer" in experiment_page.content()
    experiment_page.close()

    # 7. Dana closes the meeting with a summary; she sees her private note on it.
    page.fill("#summary", "Greeting is the lever: the local-customer opening, tested from today.")
    page.get_by_test_id("close").click()
    page.wait_for_url("**/summary/")
    assert SECRET in page.content()
    assert OneOnOne.objects.get(pk=meeting.pk).status == OneOnOne.Status.DONE

    # 8. Sam reads the summary: everything shared, not the private note.
    sam_page.goto(url)
    sam_page.wait_for_url("**/summary/")
    body = sam_page.content()
    assert "Greeting is the lever" in body and "Slow down the first ten seconds" in body
    assert "rushed, flat opening" in sam_page.inner_text("main")
    assert f"3 of {total}" in sam_page.get_by_test_id("summary-recital").inner_text()
    assert SECRET not in body and "private" not in sam_page.inner_text("main").lower()
    screenshot(sam_page, "one-on-one-summary-rep")
