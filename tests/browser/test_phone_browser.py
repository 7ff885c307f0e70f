"""Every page, every persona, on a 390 px wide phone: nothing wider than the screen.

Measured in Chromium as ``document.documentElement.scrollWidth`` against the viewport width
(a page that scrolls sideways has a larger scroll width). Runs on the demo story.
"""

from __future__ import annotations

import pytest

from ninety.demo import seed_story
from tests.browser.conftest import screenshot
from tests.browser.tour import ANONYMOUS, personas, tour
from tests.diagnosis.conftest import AS_OF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
# The page's scroll width, the viewport's, and the first elements reaching past its edge
# outside a box that scrolls on its own (what to fix when the test fails).
WIDEST = """() => {
  const w = document.documentElement.clientWidth;
  const own = e => e.closest('table') && getComputedStyle(e.closest('table')).overflowX === 'auto';
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > w + 1 && !own(e))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + '.' + String(e.className).split(' ')[0]);
  return [document.documentElement.scrollWidth, w, wide];
}"""


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_no_page_scrolls_sideways_at_390_px(live_server, browser, story_org_live) -> None:
    seed_story(story_org_live, AS_OF)
    people = personas(story_org_live)
    too_wide: list[str] = []
    measured = 0
    walks = [(None, ANONYMOUS)] + [
        (people[p], stops) for p, stops in tour(story_org_live, AS_OF).items()
    ]
    for person, stops in walks:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        if person is not None:
            _sign_in(page, live_server, person.user.username)
        for stop in stops:
            page.goto(live_server.url + stop.path, timeout=20_000)
            width, viewport, wide = page.evaluate(WIDEST)
            measured += 1
            if (
                stop.name in ("dashboard", "rep-page", "one-on-one-meeting")
                and person == people["leader"]
            ):
                screenshot(page, f"phone-{stop.name}")
            if width > PHONE["width"] or viewport != PHONE["width"]:
                too_wide.append(f"{stop.path} as {person or 'anonymous'}: {width} px {wide}")
        context.close()
    assert measured >= 35
    assert not too_wide, "\n".join(too_wide)
