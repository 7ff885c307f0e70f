"""A pipeline-only org (deals, no activities) in the browser: the dashboard and a rep page."""

from __future__ import annotations

import pytest

from ninety.people.models import Person
from tests.browser.conftest import screenshot, sign_in
from tests.pipeline.conftest import AS_OF, PERIOD, build_pipeline_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Q = f"period={PERIOD}&as_of={AS_OF.isoformat()}"


def test_a_leader_reads_a_pipeline_only_team_and_a_rep(live_server, page) -> None:
    org = build_pipeline_org()
    leader = org.login("Melvin Marxen")
    sign_in(page, live_server, leader.user.username)
    page.goto(f"{live_server.url}/dashboard/?{Q}")
    heatmap = page.get_by_test_id("heatmap")
    names = {heatmap.locator("tbody tr").nth(i).get_attribute("data-rep") for i in range(3)}
    assert names == {"Jonathan Berthelot", "Lajuana Vencill", "Moses Frase"}
    columns = heatmap.locator("thead th[data-factor]")
    assert [columns.nth(i).get_attribute("data-factor") for i in range(3)] == [
        "volume", "close", "deal_size",
    ]  # fmt: skip
    assert "Close: last" in page.get_by_test_id("windows").inner_text()
    assert "Read from deals" in page.get_by_test_id("pipeline-note").inner_text()
    text = heatmap.inner_text()
    assert "nan" not in text.lower() and "0 of 0" not in text
    # Every month with data can be picked, the export's first month included.
    options = page.locator("#pick-period option")
    values = {options.nth(i).get_attribute("value") for i in range(options.count())}
    assert {"2017-03", PERIOD} <= values
    screenshot(page, "pipeline-dashboard")
    heatmap.locator('tr[data-rep="Moses Frase"] th a').click()
    page.wait_for_load_state()
    moses = Person.objects.get(name="Moses Frase")
    assert f"/reps/{moses.pk}/" in page.url
    row = page.get_by_test_id("funnel").locator('tr[data-stage="close"]')
    assert "/" in row.inner_text() and "last" in row.get_by_test_id("window").inner_text()
    assert "typical rep" in page.get_by_test_id("waterfall-table").inner_text()
    # One stage, read from each deal's status: nothing inferred, so no such note.
    assert page.get_by_test_id("inferred").count() == 0
    screenshot(page, "pipeline-rep-page")
