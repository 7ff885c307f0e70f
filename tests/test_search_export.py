"""Search never returns what the viewer cannot open; exports open in openpyxl with the page's
numbers, and nothing typed in Ninety becomes a spreadsheet formula."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from ninety.core.periods import Period
from ninety.diagnosis import presenters
from ninety.diagnosis.services import team_report
from ninety.experiments.models import Experiment
from ninety.home.search import search
from ninety.people.models import Org, Person, Team
from tests.coaching import matrix_helpers as oo
from tests.conftest import World
from tests.delegation import helpers as dg
from tests.diagnosis.conftest import AS_OF, story_org, story_sim  # noqa: F401
from tests.experiments import matrix_helpers as ex
from tests.test_permission_matrix import PERSONAS

pytestmark = pytest.mark.django_db
QUERIES = ("Sam", "Dana", "Grace", "Coach", "greeting", "local", "Oscar", "example.com", "re")


def _populate(w: World) -> None:
    ex.sams_experiment(w)
    oo.meeting(w)
    dg.delegation_to_alex(w)


@pytest.mark.parametrize("persona", PERSONAS[1:])
def test_every_hit_opens_for_the_viewer(world: World, client_for: Any, persona: str) -> None:
    _populate(world)
    viewer = world.persona(persona)
    client = client_for(viewer)
    hits = [h for q in QUERIES for h in search(viewer, q)]
    assert hits, persona
    for h in hits:
        response = client.get(h.url.split("#")[0])
        assert response.status_code == 200, f"{persona}: {h.kind} {h.title} {h.url}"


def test_search_finds_what_the_viewer_may_see_and_nothing_else(world: World) -> None:
    _populate(world)

    def kinds(persona: str, q: str) -> set[tuple[str, str]]:
        # Ways are the org's playbook, everyone's: "same day" matches "Sam" for anyone in Acme.
        return {(h.kind, h.title) for h in search(world.persona(persona), q) if h.kind != "Way"}

    assert ("Person", "Sam") in kinds("leader", "Sam")
    assert ("One-on-one", "Sam with Dana") in kinds("leader", "Sam")
    assert ("Task", "Coach Sam on the greeting") in kinds("leader", "Coach")
    assert kinds("other_leader", "Sam") == set()  # Chris leads Grace, not Sam
    assert kinds("outsider", "Sam") == set()
    assert ("Person", "Grace") not in kinds("teammate", "Grace")
    assert any(k == "Experiment" for k, _ in kinds("rep", "local"))
    assert not any(k == "Experiment" for k, _ in kinds("other_leader", "local"))
    assert search(world.leader, "S") == []  # one letter: no search
    assert any(h.kind == "Way" for h in search(world.rep, "same day"))
    assert not any(h.kind == "Way" for h in search(world.outsider, "same day"))


def _sheet(content: bytes) -> list[list[Any]]:
    ws = load_workbook(io.BytesIO(content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_dashboard_export_has_the_heatmaps_numbers(story_org: Org, client_for) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    dana = Person.objects.get(org=story_org, name="Dana Reyes")
    team = Team.objects.get(org=story_org, leader=dana)
    period = Period.of(AS_OF)
    heat = presenters.heatmap(team_report(team, period, AS_OF))  # type: ignore[arg-type]
    response = client_for(dana).get(
        f"/export/dashboard.xlsx?team={team.pk}&period={period}&as_of={AS_OF}"
    )
    assert response.status_code == 200
    rows = _sheet(response.content)
    assert rows[0][0] == "Rep" and len(rows) == len(heat.rows) + 1
    by_name = {r[0]: r for r in rows[1:]}
    for row in heat.rows:
        got = by_name[row.rep.person.name]
        for i, cell in enumerate(row.cells, start=1):
            if cell.text not in ("–", "0"):  # the page's rounded points, signed
                assert f"{got[i]:+.0f}" == cell.text.replace("−", "-"), (row.rep.person.name, i)
    csv_rows = list(csv.reader(io.StringIO(client_for(dana).get(
        f"/export/dashboard.csv?team={team.pk}&period={period}&as_of={AS_OF}"
    ).content.decode("utf-8-sig"))))  # fmt: skip
    assert [r[0] for r in csv_rows] == [r[0] for r in rows]


def test_the_funnel_export_has_the_rep_pages_rates(story_org: Org, client_for) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    dana = Person.objects.get(org=story_org, name="Dana Reyes")
    sam = Person.objects.get(org=story_org, name="Sam Patel")
    q = f"period={Period.of(AS_OF)}&as_of={AS_OF}"
    page = client_for(dana).get(f"/reps/{sam.pk}/?{q}").context
    rows = _sheet(client_for(dana).get(f"/export/funnel.xlsx?rep={sam.pk}&{q}").content)
    assert [r[0] for r in rows[1:]] == [s.name for s in page["stages"]]
    for got, line in zip(rows[1:], page["stages"], strict=True):
        assert got[2] == pytest.approx(line.rate, abs=5e-5) and got[7] == line.tries


def test_nothing_typed_becomes_a_formula(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    ex.sams_experiment(world)
    Experiment.objects.update(hypothesis='=HYPERLINK("http://evil.example","click")')
    Person.objects.filter(pk=world.rep.pk).update(name="+cmd|' /C calc'!A0")
    client = client_for(world.leader)
    ws = load_workbook(io.BytesIO(client.get("/export/experiments.xlsx").content)).active
    hypothesis, subjects = ws.cell(row=2, column=2), ws.cell(row=2, column=3)
    assert hypothesis.data_type == "s" and hypothesis.value.startswith("'=")
    assert subjects.value.startswith("'+")
    text = client.get("/export/experiments.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=" not in text and ",=" not in text


def test_exports_name_what_they_need(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(world.leader)
    assert client.get("/export/dashboard.xlsx").status_code == 404  # no team
    assert client.get("/export/nothing.csv").status_code == 404
    assert client.get("/export/experiments.pdf").status_code == 404
    assert client.get(f"/export/funnel.csv?rep={world.other_rep.pk}").status_code == 404
