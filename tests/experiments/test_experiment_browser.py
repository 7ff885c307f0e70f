"""A leader turns a hunch into an experiment from the form and reads its verdict and chart."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.experiments.conftest import AS_OF, LOCAL_CUSTOMER, person, published_way

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, org, name: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", person(org, name).user.username)
    page.fill("#id_password", "pw-123456")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_leader_starts_an_experiment_for_sam_and_reads_its_verdict(
    live_server, page, story_org_live
) -> None:
    org = story_org_live
    _sign_in(page, live_server, org, "Dana Reyes")
    page.goto(f"{live_server.url}/experiments/?as_of={AS_OF.isoformat()}")
    page.get_by_role("link", name="Start an experiment").click()
    page.wait_for_load_state()
    page.fill("#id_hypothesis", "Referencing a recent local customer gets people talking.")
    page.get_by_test_id("experiment-form").locator("#id_subjects").get_by_label("Sam Patel").check()
    page.select_option("#id_way", value=str(published_way(org, LOCAL_CUSTOMER).pk))
    page.select_option("#id_metric", value="conversation")
    page.fill("#id_start", "2026-11-13")
    page.click("form[data-testid=experiment-form] button[type=submit]")
    page.wait_for_load_state()
    assert "/experiments/" in page.url and "as_of=2026-11-27" in page.url
    verdict = page.get_by_test_id("verdict").inner_text()
    assert "connect→conversation up from" in verdict
    assert "likely a real improvement" in verdict
    chart = page.get_by_test_id("effect-chart")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    assert page.get_by_test_id("effect-band").count() == 1
    screenshot(page, "experiment-page")
    page.goto(f"{live_server.url}/experiments/")
    assert page.locator("[data-experiment]").count() == 1
