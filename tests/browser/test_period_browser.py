"""The period control in a browser: a leader picks the last 30 days, ticks "compare with the
previous period" and reads the changes, at 1280 px and on a 390 px phone."""

from __future__ import annotations

import pytest

from ninety.people.models import Person
from tests.browser.conftest import screenshot, sign_in
from tests.diagnosis.conftest import AS_OF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_a_period_comparison_renders(live_server, browser, story_org_live, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    # The live server's first request loads every URL and the API schema: slow on a busy box.
    context.set_default_timeout(90_000)
    page = context.new_page()
    sign_in(page, live_server, Person.objects.get(name="Dana Reyes").user.username)
    page.goto(f"{live_server.url}/dashboard/?as_of={AS_OF.isoformat()}")
    page.select_option("#pick-period", "last-30")
    page.check("#pick-compare")
    page.click("form.pickers button")
    page.wait_for_load_state()
    assert "period=last-30" in page.url and "compare=1" in page.url and "team=" in page.url
    comparison = page.get_by_test_id("comparison")
    heading = comparison.locator("h2").inner_text()
    # 30 days to 27 Nov against the 30 days before them, which have ended.
    assert "30 days, 29 Oct – 27 Nov 2026" in heading and "30 days, 29 Sep – 28 Oct 2026" in heading
    assert "(final)" in heading
    rows = comparison.locator("tbody tr")
    assert rows.count() == 9
    sam = comparison.locator('tr[data-rep="Sam Patel"] td')
    assert sam.count() == 6  # five stages and the result
    texts = sam.all_inner_texts()
    assert all(t.startswith(("▲", "▼", "no clear change", "–")) for t in texts), texts
    # Each unclear cell is muted, each clear one coloured.
    for cell in sam.all():
        css = cell.locator("span").first.get_attribute("class")
        clear = cell.get_attribute("data-clear") == "1"
        assert css in (("pos", "neg") if clear else ("muted",)), (css, clear)
    # A phone reads one entry per rep instead of the wide table.
    phone = width < 640
    assert comparison.locator("table.changes").is_visible() is not phone
    entry = comparison.get_by_test_id("changes-list").locator('li[data-rep="Sam Patel"]')
    assert entry.is_visible() is phone
    assert entry.locator("ul li").count() == 6
    width_used = page.evaluate("document.documentElement.scrollWidth")
    assert width_used <= width, width_used
    screenshot(page, f"dashboard-compare-{width}")
    # The rep page carries the period and the comparison on, for Sam alone.
    page.goto(
        f"{live_server.url}/reps/{Person.objects.get(name='Sam Patel').pk}/"
        f"?period=last-30&compare=1&as_of={AS_OF.isoformat()}"
    )
    mine = page.get_by_test_id("comparison").locator("tbody tr")
    assert mine.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"rep-page-compare-{width}")
    context.close()
