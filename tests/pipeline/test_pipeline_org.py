"""A pipeline-only org (deals, no activities): what the CLI, the API and the pages give back."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import date
from io import StringIO

from django.core.management import call_command
from django.test import Client

from ninety.people.models import Person, Role, Team
from tests.pipeline.conftest import AS_OF, PERIOD, PipelineOrg


def _cli(*args: str) -> dict:
    out = StringIO()
    call_command(
        "diagnose", "--period", PERIOD, "--as-of", AS_OF.isoformat(), "--org", "maven",
        "--json", *args, stdout=out,
    )  # fmt: skip
    return json.loads(out.getvalue())


def _cli_at(period: str, as_of: str) -> dict:
    out = StringIO()
    call_command(
        "diagnose", "--period", period, "--as-of", as_of, "--org", "maven", "--json", stdout=out
    )
    return json.loads(out.getvalue())


def _agents(p: PipelineOrg) -> set[str]:
    return {d["sales_agent"] for d in p.deals}


def test_prospecting_deals_without_dates_are_skipped_and_counted(pipeline_org: PipelineOrg) -> None:
    prospecting = sum(d["deal_stage"] == "Prospecting" for d in pipeline_org.deals)
    assert prospecting > 0
    assert f"skipped {prospecting} rows" in pipeline_org.import_output
    assert "rejected 0" in pipeline_org.import_output


def test_every_agent_appears_with_the_pipeline_funnel(pipeline_org: PipelineOrg) -> None:
    body = _cli()
    assert body["funnel"] == "pipeline"
    assert body["factors"] == ["volume", "close", "deal_size"]
    assert {r["rep"] for r in body["reps"]} == _agents(pipeline_org)
    assert body["benchmark_kind"] == "group_median"


def test_each_stage_has_the_counts_the_file_implies(pipeline_org: PipelineOrg) -> None:
    body = _cli()
    window = body["teams"][0]["windows"]["close"]
    first, last = date.fromisoformat(window["first_day"]), date.fromisoformat(window["last_day"])
    decided: Counter[str] = Counter()
    won: Counter[str] = Counter()
    for d in pipeline_org.deals:
        closed = d["deal_stage"] in ("Won", "Lost")
        if closed and first <= date.fromisoformat(d["close_date"]) <= last:
            decided[d["sales_agent"]] += 1
            won[d["sales_agent"]] += d["deal_stage"] == "Won"
    assert sum(decided.values()) > 100
    for rep in body["reps"]:
        close = rep["stages"]["close"]
        assert (close["tries"], close["successes"]) == (decided[rep["rep"]], won[rep["rep"]])
        assert close["window_days"] == (last - first).days + 1


def test_nothing_is_nan_or_beyond_a_thousand_percent(pipeline_org: PipelineOrg) -> None:
    for rep in _cli()["reps"]:
        assert rep["result"] >= 0 and rep["benchmark"] > 0
        points = [rep["gap_pct"], 100 * rep["chance"]]
        points += [100 * v for v in rep["contributions"].values()]
        rates = [v for s in rep["stages"].values() for v in (s["rate"], s["low"], s["high"])]
        rates += [s["group_rate"] for s in rep["stages"].values()]
        assert all(x is not None and math.isfinite(x) for x in points + rates), rep
        assert all(abs(x) <= 1000 for x in points), rep
        assert all(0 <= x <= 1 for x in rates), rep
        # The benchmark is the typical rep over the same window, in the same units.
        assert 0.2 < rep["result"] / rep["benchmark"] < 5 or rep["result"] == 0


def test_a_month_without_wins_is_no_minus_100_for_everyone(pipeline_org: PipelineOrg) -> None:
    """On the 1st of January nobody has won anything yet this month; the window says otherwise."""
    reps = _cli_at("2018-01", "2018-01-01")["reps"]
    assert len(reps) == len(_agents(pipeline_org))
    assert sum(r["gap_pct"] == -100 for r in reps) == 0
    assert all(abs(r["gap_pct"]) <= 1000 for r in reps)


def _leader_client(p: PipelineOrg) -> tuple[Client, Team]:
    dustin = p.login("Dustin Brinkmann")
    client = Client()
    client.force_login(dustin.user)
    return client, Team.objects.get(org=p.org, leader=dustin)


def test_cli_api_and_team_runs_agree_to_the_digit(pipeline_org: PipelineOrg) -> None:
    whole = {r["rep"]: r for r in _cli()["reps"]}
    client, team = _leader_client(pipeline_org)
    by_cli = {r["rep"]: r for r in _cli("--team", team.name)["reps"]}
    api = client.get(f"/api/diagnosis/teams/{team.pk}", {"period": PERIOD, "as_of": AS_OF})
    assert api.status_code == 200
    by_api = {r["rep"]: r for r in api.json()["reps"]}
    assert set(by_api) == set(by_cli) == {"Anna Snelling", "Cecily Lampkin", "Versie Hillebrand"}
    for name, rep in by_api.items():
        assert rep == by_cli[name] == whole[name]
        url = f"/api/diagnosis/reps/{rep['person_id']}"
        one = client.get(url, {"period": PERIOD, "as_of": AS_OF})
        assert one.json()["reps"] == [rep]


def test_the_pages_show_the_same_numbers(pipeline_org: PipelineOrg) -> None:
    whole = {r["rep"]: r for r in _cli()["reps"]}
    client, team = _leader_client(pipeline_org)
    dash = client.get("/dashboard/", {"team": team.pk, "period": PERIOD, "as_of": AS_OF})
    html = dash.content.decode()
    for name in ("Anna Snelling", "Cecily Lampkin", "Versie Hillebrand"):
        assert name in html
    assert "Close: last" in html
    anna = Person.objects.get(org=pipeline_org.org, name="Anna Snelling", role=Role.REP)
    page = client.get(f"/reps/{anna.pk}/", {"period": PERIOD, "as_of": AS_OF}).content.decode()
    mine = whole["Anna Snelling"]
    close = mine["stages"]["close"]
    assert f"{int(close['successes'])}/{int(close['tries'])}" in page
    assert f"{round(100 * close['rate'])}%" in page
    gap = round(mine["gap_pct"])
    sign = "+" if gap > 0 else "−" if gap < 0 else "±"
    assert f"{sign}{abs(gap)}%" in page
    assert "typical rep" in page


def test_the_period_picker_reaches_every_month_with_data(pipeline_org: PipelineOrg) -> None:
    client, _ = _leader_client(pipeline_org)
    html = client.get("/dashboard/", {"period": PERIOD}).content.decode()  # as of today
    months = set(re.findall(r'<option value="(\d{4}-\d{2})"', html))
    first = min(d["engage_date"] for d in pipeline_org.deals if d["engage_date"])[:7]
    assert first in months and "2017-07" in months and PERIOD in months


def test_a_window_without_any_deal_gives_no_gap_rather_than_minus_100(
    pipeline_org: PipelineOrg,
) -> None:
    """Years after the export ends, nobody has won anything in any window: no benchmark."""
    reps = _cli_at("2026-12", "2026-12-01")["reps"]
    assert len(reps) == len(_agents(pipeline_org))
    assert all(r["gap_pct"] is None and r["benchmark"] is None for r in reps)
    assert all(r["focus"] is None for r in reps)
