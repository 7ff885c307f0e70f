"""``ninety diagnose``: the JSON the issue specifies, on a simulated org with a planted story."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ninety.people.models import Org
from tests.diagnosis.conftest import AS_OF


def _run(*args: str) -> dict:
    out = StringIO()
    call_command("diagnose", *args, "--json", "--as-of", AS_OF.isoformat(), stdout=out)
    return json.loads(out.getvalue())


def test_it_finds_sams_weak_greeting(story_org: Org, story_sim) -> None:
    body = _run("--period", "2026-11", "--rep", "Sam Patel")
    assert body["period"] == "2026-11"
    (sam,) = body["reps"]
    assert sam["rep"] == "Sam Patel"
    assert (
        sam["focus"] == "conversation" == story_sim.truth["reps"][sam["external_id"]]["weak_stage"]
    )
    assert sam["focus_certainty"] >= 0.9
    assert sam["focus_stage"] == "Greeting"
    assert sam["focus_behaviors"][0]["name"] == "Create a compelling reason to speak"
    assert sam["contributions"]["conversation"] < -0.15


def test_the_contributions_add_up_to_the_gap(story_org: Org) -> None:
    import math

    body = _run("--period", "2026-11", "--team", "Greeting Crew")
    assert len(body["reps"]) == 9
    for rep in body["reps"]:
        if rep["result"] and rep["benchmark"]:
            total = sum(rep["contributions"].values()) + rep["benchmark_term"] + rep["chance"]
            assert total == pytest.approx(math.log(rep["result"] / rep["benchmark"]), abs=1e-3)


def test_pace_has_an_interval_around_the_projection(story_org: Org) -> None:
    body = _run("--period", "2026-11")
    assert len(body["reps"]) == 20
    for rep in body["reps"]:
        pace = rep["pace"]
        assert pace["low"] <= pace["projected"] <= pace["high"]
        assert pace["projected"] >= pace["won_to_date"]


def test_an_unknown_team_is_a_clear_error(story_org: Org) -> None:
    with pytest.raises(CommandError, match="no such team"):
        _run("--team", "Nope")


def test_a_bad_period_is_a_clear_error(story_org: Org) -> None:
    with pytest.raises(CommandError, match="expected YYYY-MM"):
        _run("--period", "11/2026")


def test_pace_prints_the_projection_per_rep(story_org: Org) -> None:
    out = StringIO()
    call_command(
        "pace", "--period", "2026-11", "--team", "Greeting Crew", "--json",
        "--as-of", AS_OF.isoformat(), stdout=out,
    )  # fmt: skip
    body = json.loads(out.getvalue())
    assert len(body["reps"]) == 9
    sam = next(r for r in body["reps"] if r["rep"] == "Sam Patel")
    assert sam["pace"]["low"] <= sam["pace"]["projected"] <= sam["pace"]["high"]
    assert sam["quota"] > 0 and sam["pace"]["vs_quota_pct"] < 0
