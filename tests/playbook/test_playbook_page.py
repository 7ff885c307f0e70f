"""The playbook page: the process at a glance and which ways work, for everyone in the org."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ninety.playbook.models import Playbook
from tests.conftest import World
from tests.playbook.conftest import log_stage, log_way, way


def test_a_rep_sees_every_stage_behavior_question_and_way(
    world: World, client_for: Any, playbook: Playbook
) -> None:
    html = client_for(world.rep).get("/playbook/").content.decode()
    for stage in ("Prospecting", "Greeting", "Discovery", "Proposal"):
        assert stage in html
    assert "connect → conversation" in html
    assert "Create a compelling reason to speak" in html
    assert "Is it tone or inflection?" in html
    assert "Reference a recent customer in their neighbourhood." in html
    assert "Edit the playbook" not in html


def test_which_ways_work_shows_conversion_interval_and_p_best(
    world: World, client_for: Any, playbook: Playbook
) -> None:
    local = way(playbook, "reference-a-local-customer")
    price = way(playbook, "price-hook")
    log_way(world.rep, local, 200, 120)
    log_way(world.teammate, price, 200, 40)
    log_way(world.teammate, way(playbook, "permission-opener"), 100, 45)
    log_stage(world.rep, "connect", 100, 45)
    response = client_for(world.rep).get("/playbook/")
    ways = response.context["ways"][local.behavior_id]
    est = ways.estimates
    assert est["reference-a-local-customer"].tries == 200
    assert est["reference-a-local-customer"].successes == 120
    assert ways.result.best.key == "reference-a-local-customer"
    # The untried ways start from the prior, so they keep a real chance of being best; the
    # tried weak way has none.
    assert est["reference-a-local-customer"].p_best > 0.25
    assert est["price-hook"].p_best < 0.001
    assert est["timely-event"].is_new
    # Adherence: 500 of the 600 connects recorded a way of this behavior.
    assert ways.result.adherence == 500 / 600
    html = response.content.decode()
    assert "120 (60%)" in html
    assert "Your way to practise next" in html


def test_activities_under_an_older_version_still_count(
    world: World, client_for: Any, playbook: Playbook
) -> None:
    from ninety.playbook.services import publish_draft, start_draft

    log_way(world.rep, way(playbook, "reference-a-local-customer"), 50, 30)
    v2 = publish_draft(start_draft(world.org))
    response = client_for(world.rep).get("/playbook/")
    local = way(v2, "reference-a-local-customer")
    assert response.context["ways"][local.behavior_id].estimates[local.key].tries == 50


def test_the_page_has_a_fixed_number_of_queries(
    world: World, client_for: Any, playbook: Playbook
) -> None:
    client = client_for(world.leader)
    client.get("/playbook/")
    with CaptureQueriesContext(connection) as few:
        client.get("/playbook/")
    log_way(world.rep, way(playbook, "price-hook"), 10, 2)
    log_way(world.teammate, way(playbook, "double-dial"), 10, 2)
    with CaptureQueriesContext(connection) as more:
        client.get("/playbook/")
    assert len(more) == len(few) <= 20


def test_an_org_without_a_playbook_can_choose_a_template(world: World, client_for: Any) -> None:
    html = client_for(world.leader).get("/playbook/").content.decode()
    assert "B2B (discovery, demo, proposal, negotiation)" in html
    assert "Use this template" not in client_for(world.rep).get("/playbook/").content.decode()
    client_for(world.leader).post("/playbook/template/", {"template": "b2b"})
    current = Playbook.objects.get(org=world.org)
    names = [s.name for s in current.stages.all()]
    assert names == ["Discovery", "Demo", "Proposal", "Negotiation"]


def test_the_page_prints_on_one_page(world: World, client_for: Any, playbook: Playbook) -> None:
    html = client_for(world.rep).get("/playbook/").content.decode()
    assert "playbook/playbook.css" in html
    from django.contrib.staticfiles import finders

    with open(finders.find("playbook/playbook.css")) as f:
        css = f.read()
    assert "@media print" in css and "@page" in css


def test_converted_reads_as_logged_beside_the_adjusted_rate(
    world: World, client_for: Any, playbook: Playbook
) -> None:
    # The strong rep favours one way: the ranking takes their skill out, so its successes are
    # not the logged ones; the page shows the logged count and share, and labels the estimate.
    local = way(playbook, "reference-a-local-customer")
    price = way(playbook, "price-hook")
    log_way(world.rep, local, 20, 18)
    log_way(world.rep, price, 20, 10)
    log_way(world.teammate, price, 200, 40)
    response = client_for(world.rep).get("/playbook/")
    adjusted = response.context["ways"][local.behavior_id].estimates[local.key]
    assert adjusted.successes != 18
    html = response.content.decode()
    assert "18 (90%)" in html
    assert "50 (23%)" in html  # price-hook: 10 + 40 of 220
    assert "Rate, adjusted (90%)" in html
    assert "Converted is as logged" in html
