"""The call page in Chromium, at 1280 px and on a 390 px phone: the way's sentence highlighted,
nothing wider than the screen (the Content-Security-Policy is enforced: no inline styles)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, World
from tests.conversations.helpers import sams_call

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_call_page_as_the_leader(live_server, browser, world: World, width: int) -> None:  # type: ignore[no-untyped-def]
    conv = sams_call(world)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "dana")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    for path, name in ((f"/calls/{conv.pk}/", "call"), ("/calls/import/", "call-import")):
        page.goto(live_server.url + path)
        width_px = page.evaluate("() => document.documentElement.scrollWidth")
        assert width_px <= width, f"{path} at {width} px scrolls sideways ({width_px} px)"
        screenshot(page, f"{name}-{width}")
    page.goto(f"{live_server.url}/calls/{conv.pk}/")
    mark = page.locator("[data-testid=way-sentence]")
    assert mark.inner_text().startswith("Could I have thirty seconds")
    assert mark.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    context.close()
