"""Period control: months, quarters, trailing 30/90 days and the comparison with the previous
period, on the pages, in the API and in the CLI (the same numbers everywhere)."""

from __future__ import annotations

import json
import re
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ninety.activity.models import Quota
from ninety.core.periods import Period, quota_shares
from ninety.diagnosis.loaders import load_quota
from ninety.people.models import Org, Person, Team
from tests.diagnosis.conftest import AS_OF

DAY = AS_OF.isoformat()


def _client(name: str) -> Client:
    client = Client()
    client.force_login(Person.objects.get(name=name).user)
    return client


def _cells(html: str) -> dict[tuple[str, str], str]:
    """(rep, stage) -> the comparison cell's text, from the page's changes table."""
    table = re.search(r'<table class="compact small changes".*?</table>', html, re.S)
    assert table, "no comparison table"
    out = {}
    for rep, row in re.findall(r'<tr data-rep="([^"]+)">(.*?)</tr>', table.group(0), re.S):
        for stage, cell in re.findall(
            r'<td class="num" data-stage="([^"]+)"[^>]*>(.*?)</td>', row, re.S
        ):
            out[(rep, stage)] = re.sub(r"<[^>]+>", " ", cell).split()
    return out


def _number(text: str) -> float:
    return float(text.replace("−", "-").replace("±", "").replace("+", ""))


def _same(cell: list[str], change: dict | None, rate: bool) -> bool:
    """The page's cell shows the API's change: the same verdict, and each number the API's
    rounded to whole points (the API keeps four decimals)."""
    if not change or "change" not in change:
        return cell == ["–"]
    scale = 100 if rate else 1
    if change["low"] == change["high"]:  # two final results: what was won, said in the cell
        words = " ".join(cell[3:] if change["clear"] else cell[4:])
        if words != "final: what was won, no interval":
            return False
        cell = cell[:3] if change["clear"] else cell[:4]
    if change["clear"]:
        shown = [cell[1], *cell[3::2][:2]] if len(cell) > 3 else [cell[1]]
        wanted = [change["change"], change["low"], change["high"]][: len(shown)]
        verdict = cell[0] == ("▲" if change["change"] > 0 else "▼")
    else:
        shown = cell[3::2] if len(cell) > 3 else []
        wanted = [change["low"], change["high"]][: len(shown)]
        verdict = cell[:3] == ["no", "clear", "change"]
    if change["low"] != change["high"] and len(shown) < 2:
        return False
    return verdict and all(
        abs(_number(t) - scale * v) <= 0.5 + 1e-6 for t, v in zip(shown, wanted, strict=True)
    )


@pytest.mark.parametrize("period", ["2026-Q4", "last-30", "last-90", "2026-11"])
def test_the_dashboard_comparison_shows_the_apis_numbers(story_org: Org, period: str) -> None:
    client = _client("Dana Reyes")
    crew = Team.objects.get(name="Greeting Crew")
    q = f"team={crew.pk}&period={period}&as_of={DAY}&compare=1"
    html = client.get(f"/dashboard/?{q}").content.decode()
    api = client.get(f"/api/diagnosis/teams/{crew.pk}?period={period}&as_of={DAY}&compare=true")
    assert api.status_code == 200
    body = api.json()
    assert body["period"] == period and body["compare"]["period_kind"] == body["period_kind"]
    assert body["compare"]["last_day"] < body["first_day"]
    if 'data-testid="nothing-to-compare"' in html:
        # The previous period has too little to compare with: the API has no change either.
        for rep in body["compare"]["reps"]:
            assert rep["result_vs_quota"] is None
            assert all("change" not in c for c in rep["stages"].values()), rep["rep"]
        return
    cells = _cells(html)
    assert {rep for rep, _ in cells} == {r["rep"] for r in body["compare"]["reps"]}
    for rep in body["compare"]["reps"]:
        for key, change in rep["stages"].items():
            assert _same(cells[(rep["rep"], key)], change, rate=True), (rep["rep"], key)
        assert _same(cells[(rep["rep"], "result")], rep["result_vs_quota"], rate=False)
    # The heatmap beside it is the API's diagnosis of the same period.
    assert f"{Period.parse(period, AS_OF).label()}" in html


def test_two_final_results_say_their_change_has_no_interval(story_org: Org) -> None:
    # October against September, both over: the header promises a 90% interval of each change,
    # so the result's cell and the header say there is none (the change is what was won).
    client = _client("Dana Reyes")
    crew = Team.objects.get(name="Greeting Crew")
    q = f"team={crew.pk}&period=2026-10&as_of={DAY}&compare=1"
    html = client.get(f"/dashboard/?{q}").content.decode()
    api = client.get(f"/api/diagnosis/teams/{crew.pk}?period=2026-10&as_of={DAY}&compare=true")
    results = [r["result_vs_quota"] for r in api.json()["compare"]["reps"]]
    assert results and all(r and r["low"] == r["high"] for r in results)
    assert 'data-testid="final-results"' in html
    cells = _cells(html)
    for rep in api.json()["compare"]["reps"]:
        cell = cells[(rep["rep"], "result")]
        assert " ".join(cell).endswith("final: what was won, no interval"), cell
        assert _same(cell, rep["result_vs_quota"], rate=False)


def test_no_clear_change_is_never_shown_as_a_difference(story_org: Org) -> None:
    client = _client("Dana Reyes")
    crew = Team.objects.get(name="Greeting Crew")
    body = client.get(
        f"/api/diagnosis/teams/{crew.pk}?period=2026-11&as_of={DAY}&compare=true"
    ).json()
    changes = [c for r in body["compare"]["reps"] for c in r["stages"].values() if "change" in c]
    assert changes, "no stage compared"
    for c in changes:
        assert c["clear"] == (c["low"] > 0 or c["high"] < 0)
        assert c["low"] <= c["change"] <= c["high"]
    html = client.get(f"/dashboard/?team={crew.pk}&period=2026-11&as_of={DAY}&compare=1")
    text = html.content.decode()
    unclear = re.findall(r'data-clear="0"[^>]*><span class="(\w+)">([^<]*)<', text)
    assert unclear and all(css == "muted" and t in ("no clear change", "–") for css, t in unclear)


def test_the_rep_page_compares_only_the_rep(story_org: Org) -> None:
    sam = Person.objects.get(name="Sam Patel")
    for viewer in ("Sam Patel", "Dana Reyes"):
        client = _client(viewer)
        html = client.get(f"/reps/{sam.pk}/?period=last-30&as_of={DAY}&compare=1").content.decode()
        cells = _cells(html)
        assert {rep for rep, _ in cells} == {"Sam Patel"}, viewer
        body = client.get(
            f"/api/diagnosis/reps/{sam.pk}?period=last-30&as_of={DAY}&compare=true"
        ).json()
        (mine,) = body["compare"]["reps"]
        for key, change in mine["stages"].items():
            assert _same(cells[("Sam Patel", key)], change, rate=True), key
        assert "Alex Kim" not in html or viewer != "Sam Patel"


def test_a_period_that_ended_says_final_and_a_running_one_its_day(story_org: Org) -> None:
    client = _client("Dana Reyes")
    crew = Team.objects.get(name="Greeting Crew")
    ended = client.get(f"/dashboard/?team={crew.pk}&period=2026-10&as_of={DAY}").content.decode()
    assert "· final" in ended and "Result vs quota" in ended and "Pace vs quota" not in ended
    running = client.get(f"/dashboard/?team={crew.pk}&period=2026-Q4&as_of={DAY}")
    text = running.content.decode()
    assert re.search(r"day \d+ of 6\d", text) and "Pace vs quota" in text
    body = client.get(f"/api/diagnosis/teams/{crew.pk}?period=2026-10&as_of={DAY}").json()
    assert body["progress"]["final"] is True and body["progress"]["phrase"] == "final"


def test_the_picker_offers_rolling_quarters_and_months_with_data_only(story_org: Org) -> None:
    html = _client("Dana Reyes").get(f"/dashboard/?as_of={DAY}").content.decode()
    options = re.findall(
        r'<option value="([^"]+)"', html.split('id="pick-period"')[1].split("</select>")[0]
    )
    # The story org holds two months before November (September, October) and November.
    assert options == ["last-30", "last-90", "2026-Q4", "2026-Q3", "2026-11", "2026-10", "2026-09"]


@pytest.mark.parametrize("bad", ["2026-Q5", "2101-Q1", "1999-12", "last-45", "last-90x"])
def test_bad_periods_are_404_on_pages_and_422_in_the_api(story_org: Org, bad: str) -> None:
    client = _client("Dana Reyes")
    sam = Person.objects.get(name="Sam Patel")
    assert client.get(f"/dashboard/?period={bad}").status_code == 404
    assert client.get(f"/reps/{sam.pk}/?period={bad}&compare=1").status_code == 404
    response = client.get(f"/api/diagnosis/reps/{sam.pk}?period={bad}&compare=true")
    assert response.status_code == 422 and "period" in response.json()["detail"]
    with pytest.raises(CommandError, match="period"):
        call_command("diagnose", "--rep", "Sam Patel", "--period", bad, stdout=StringIO())


def test_the_cli_compares_the_same_periods_as_the_api(story_org: Org) -> None:
    client = _client("Dana Reyes")
    crew = Team.objects.get(name="Greeting Crew")
    out = StringIO()
    call_command(
        "diagnose", "--team", "Greeting Crew", "--period", "2026-Q4", "--compare",
        "--as-of", DAY, "--json", "--org", story_org.slug, stdout=out,
    )  # fmt: skip
    cli = json.loads(out.getvalue())
    api = client.get(f"/api/diagnosis/teams/{crew.pk}?period=2026-Q4&as_of={DAY}&compare=true")
    assert cli["compare"] == api.json()["compare"] and cli["reps"] == api.json()["reps"]
    table = StringIO()
    call_command(
        "diagnose", "--team", "Greeting Crew", "--period", "last-90", "--compare",
        "--as-of", DAY, "--org", story_org.slug, stdout=table,
    )  # fmt: skip


def test_a_periods_quota_prorates_the_months_it_touches(story_org: Org) -> None:
    people = list(Person.objects.filter(org=story_org, role="rep").order_by("pk")[:3])
    ids = [p.pk for p in people]
    period = Period.parse("last-30", AS_OF)
    expected = np.zeros(len(ids))
    for month, share in quota_shares(period):
        for i, pid in enumerate(ids):
            expected[i] += float(Quota.objects.get(person_id=pid, period=str(month)).amount) * share
    assert load_quota(ids, period) == pytest.approx(expected)
    # A month without quotas (December, not simulated) leaves the quarter without one.
    assert np.isnan(load_quota(ids, Period.parse("2026-Q4"))).all()


def test_the_cli_table_reads_as_the_pages(story_org: Org) -> None:
    # '99%' where the pages say '>99%', '-48' beside '−55%', and names cut to 'Car…' in a pipe.
    from ninety.diagnosis.services import team_report
    from ninety.diagnosis.templatetags.ninety_format import certainty

    crew = Team.objects.get(name="Greeting Crew")
    report = team_report(crew, Period.parse("2026-11", AS_OF), AS_OF)
    assert report is not None
    out = StringIO()
    call_command(
        "diagnose", "--team", "Greeting Crew", "--period", "2026-11", "--compare",
        "--as-of", DAY, "--org", story_org.slug, stdout=out,
    )  # fmt: skip
    text = out.getvalue()
    assert "…" not in text and max(len(line) for line in text.splitlines()) > 80
    assert not re.search(r"(?<![\w-])-\d", text), "an ASCII hyphen as a minus sign"
    focused = [r for r in report.reps if r.diagnosis.focus]
    assert focused
    for r in focused:
        d = r.diagnosis
        assert f"({certainty(d.focus_certainty)})" in text, r.person.name
        assert r.person.name in text
