"""The pages a leader prints: the prep sheet and the one-on-one summary of the demo each fit on one
A4 and one Letter page, and the navigation is not printed."""

from __future__ import annotations

import re

import pytest

from ninety.coaching.models import OneOnOne
from ninety.demo import seed_story
from tests.browser.conftest import screenshot
from tests.browser.test_reach_browser import _sign_in
from tests.diagnosis.conftest import AS_OF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Chromium writes one uncompressed page object per printed page.
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def _printed_pages(page, paper: str) -> int:
    return len(PAGE_OBJECT.findall(page.pdf(format=paper, print_background=False)))


def _sams(status_done: bool) -> OneOnOne:
    meetings = OneOnOne.objects.filter(rep__name="Sam Patel").order_by("scheduled_at")
    done = meetings.filter(status=OneOnOne.Status.DONE)
    return done.last() if status_done else meetings.exclude(status=OneOnOne.Status.DONE).first()


@pytest.mark.parametrize("which", ["prep", "summary"])
def test_a_leader_prints_it_on_one_page_without_navigation(
    live_server, page, story_org_live, which: str
) -> None:
    seed_story(story_org_live, AS_OF)
    page.add_init_script("window.print = () => {}")  # ?print=1 opens the dialog on load
    _sign_in(page, live_server, "Dana Reyes")
    meeting = _sams(status_done=which == "summary")
    query = "?print=1" if which == "summary" else f"?as_of={AS_OF.isoformat()}"
    page.goto(f"{live_server.url}/one-on-ones/{meeting.pk}/{which}/{query}")
    page.wait_for_load_state()
    assert page.locator("h1").first.is_visible()
    assert page.locator("header.topbar nav").is_visible()  # on screen, the navigation is there
    page.emulate_media(media="print")
    assert not page.locator("header.topbar").is_visible()
    assert not page.locator("footer.foot").is_visible()
    assert page.locator("h1").first.is_visible()
    screenshot(page, f"print-{which}")
    for paper in ("A4", "Letter"):
        assert _printed_pages(page, paper) == 1, (which, paper)
