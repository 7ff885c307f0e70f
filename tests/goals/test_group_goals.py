"""Team and organisation goals on their pages: set through the forms (validated), each rep's
progress judged as on the rep's own page, the most specific goal counting, and who sees what,
persona by persona, on the story org (Dana leads the Greeting Crew, Victor the Summit Team,
Morgan the West Region above both, Sofia is the admin)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.test import Client

from ninety.core.periods import Period
from ninety.diagnosis.services import rep_report
from ninety.goals import services
from ninety.goals.models import Goal
from ninety.people.models import Org, Person, Role, Team
from tests.diagnosis.conftest import AS_OF

Q = f"?as_of={AS_OF.isoformat()}"


def _client(name: str) -> Client:
    c = Client()
    c.force_login(Person.objects.get(name=name).user)
    return c


def _crew(org: Org) -> Team:
    return Team.objects.get(org=org, name="Greeting Crew")


def _rows(html: str, testid: str = "goal-reps") -> list[tuple[int, str]]:
    """(person id, status) of each rep row of the page's goal tables."""
    return [
        (int(pid), status)
        for pid, status in re.findall(r'<tr data-person="(\d+)" class="goal-(\w+)">', html)
    ]


def _team_ids(html: str) -> set[int]:
    return {int(t) for t in re.findall(r'<tr data-team="(\d+)">', html)}


def test_a_leader_sets_a_team_goal_and_each_rep_is_judged_as_on_their_page(
    story_org: Org,
) -> None:
    crew = _crew(story_org)
    sam = Person.objects.get(name="Sam Patel")
    dana = _client("Dana Reyes")
    # Sam's own goal on the metric counts for him (the most specific one).
    services.create_goal(
        org=story_org, person=sam, metric="stage:conversation", target=0.5, by=None
    )
    r = dana.post(
        f"/goals/teams/{crew.pk}/add/",
        {"metric": "stage:conversation", "target": "40%", "direction": "higher",
         "period": "month", "as_of": AS_OF.isoformat()},
    )  # fmt: skip
    assert r.status_code == 302 and r["Location"].endswith(Q)
    goal = Goal.objects.get(team=crew, status="active")
    assert (goal.scope, goal.metric, goal.target) == ("team", "stage:conversation", 0.4)
    page = dana.get(f"/goals/teams/{crew.pk}/{Q}").content.decode()
    reps = list(Person.objects.filter(team=crew, role=Role.REP, is_active=True))
    rows = dict(_rows(page))
    assert set(rows) == {p.pk for p in reps}
    for p in reps:
        mine = next(
            g
            for g in services.progress(p, rep_report(p, Period.of(AS_OF), AS_OF), AS_OF)
            if g.metric.key == "stage:conversation"
        )
        assert rows[p.pk] == mine.judgement.status
        # The team's goal for every rep but Sam, whose own goal counts for him.
        assert mine.goal.pk == goal.pk if p != sam else mine.goal.person_id == sam.pk
    assert "at least 50%" in page and "own goal" in page  # Sam's row: his own 50 %
    applies = len(reps) - 1
    assert f"of {applies} reps it applies to" in page


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"metric": "stage:conversation", "target": "abc"}, "target: expected a number"),
        ({"metric": "stage:conversation", "target": "140%"}, "at most 100%"),
        ({"metric": "dials", "target": "40"}, "metric: &#x27;dials&#x27; is not one of"),
        ({"metric": "volume", "target": "-3"}, "at least 0"),
        ({"metric": "volume", "target": "40", "period": "year"}, "period: expected one of"),
        ({"metric": "volume", "target": "40", "direction": "sideways"}, "higher or lower"),
    ],
)
def test_the_team_form_refuses_bad_input_and_says_which_field(
    story_org: Org, form: dict, error: str
) -> None:
    crew = _crew(story_org)
    r = _client("Dana Reyes").post(f"/goals/teams/{crew.pk}/add/", form, follow=True)
    assert error in r.content.decode()
    assert not Goal.objects.filter(team=crew).exists()


def test_org_goals_page_counts_each_teams_reps_and_links_their_team_pages(
    story_org: Org,
) -> None:
    sofia = _client("Sofia Lopez")
    r = sofia.post("/goals/org/add/", {"metric": "volume", "target": "30", "direction": "higher"})
    assert r.status_code == 302
    goal = Goal.objects.get(org=story_org, scope="org")
    assert (goal.metric, goal.target, goal.higher_is_better) == ("volume", 30.0, True)
    crew = _crew(story_org)
    # The crew's own goal on volume wins over the org's for the crew's reps.
    services.create_goal(org=story_org, team=crew, metric="volume", target=20, by=None)
    page = sofia.get(f"/goals/org/{Q}").content.decode()
    summit = Team.objects.get(org=story_org, name="Summit Team")
    assert _team_ids(page) == {crew.pk, summit.pk}
    summit_reps = list(Person.objects.filter(team=summit, role=Role.REP, is_active=True))
    cells = re.search(
        rf'<tr data-team="{summit.pk}">.*?<td class="num">(\d+)</td>'
        r'<td class="num" data-testid="on-track">(\d+)</td><td class="num">(\d+)</td>'
        r'<td class="num">(\d+)</td><td class="num" data-testid="behind">(\d+)</td>',
        page,
        re.S,
    )
    assert cells is not None
    applies, *statuses = (int(x) for x in cells.groups())
    assert applies == len(summit_reps) == sum(statuses)
    want = {"on_track": 0, "met": 0, "unknown": 0, "behind": 0}
    for p in summit_reps:
        got = services.progress(p, rep_report(p, Period.of(AS_OF), AS_OF), AS_OF)
        want[next(g for g in got if g.metric.key == "volume").judgement.status] += 1
    assert statuses == [want["on_track"], want["met"], want["unknown"], want["behind"]]
    crew_cells = re.search(rf'<tr data-team="{crew.pk}">.*?<td class="num">(\d+)</td>', page, re.S)
    assert crew_cells is not None and crew_cells.group(1) == "0"
    assert f'href="/goals/teams/{crew.pk}/' in page


def test_who_sees_which_rows_persona_by_persona(story_org: Org) -> None:
    crew = _crew(story_org)
    summit = Team.objects.get(org=story_org, name="Summit Team")
    services.create_goal(org=story_org, team=crew, metric="volume", target=20, by=None)
    services.create_goal(org=story_org, metric="ways_adherence", target=0.5, by=None)
    crew_reps = set(
        Person.objects.filter(team=crew, role=Role.REP, is_active=True).values_list("pk", flat=True)
    )
    sam = Person.objects.get(name="Sam Patel")
    # The crew's page: its leader, the director and the admin see every rep; Sam only himself;
    # Victor (the other team's leader) gets 404.
    for name, expect in (
        ("Dana Reyes", crew_reps), ("Morgan Lee", crew_reps), ("Sofia Lopez", crew_reps),
        ("Sam Patel", {sam.pk}),
    ):  # fmt: skip
        r = _client(name).get(f"/goals/teams/{crew.pk}/{Q}")
        assert r.status_code == 200, name
        assert {pid for pid, _ in _rows(r.content.decode())} == expect, name
    assert _client("Victor Tran").get(f"/goals/teams/{crew.pk}/{Q}").status_code == 404
    # The org page: the teams each one sees; Sam sees his own progress, no team's counts.
    for name, expect in (
        ("Sofia Lopez", {crew.pk, summit.pk}), ("Morgan Lee", {crew.pk, summit.pk}),
        ("Dana Reyes", {crew.pk}), ("Victor Tran", {summit.pk}), ("Sam Patel", set()),
    ):  # fmt: skip
        page = _client(name).get(f"/goals/org/{Q}").content.decode()
        assert _team_ids(page) == expect, name
        assert ('data-testid="goal-add"' in page) == (name == "Sofia Lopez"), name
    page = _client("Sam Patel").get(f"/goals/org/{Q}").content.decode()
    assert page.count('data-testid="own-progress"') == 1
    # Only the admin sets org goals; a leader sets her own team's, not another's.
    assert (
        _client("Dana Reyes")
        .post("/goals/org/add/", {"metric": "volume", "target": "9"})
        .status_code
        == 403
    )
    assert (
        _client("Dana Reyes")
        .post(f"/goals/teams/{summit.pk}/add/", {"metric": "volume", "target": "9"})
        .status_code
        == 404
    )
    assert (
        _client("Sam Patel")
        .post(f"/goals/teams/{crew.pk}/add/", {"metric": "volume", "target": "9"})
        .status_code
        == 403
    )
    assert Goal.objects.filter(org=story_org).count() == 2


def test_the_summary_counts_the_rows_own_words(
    story_org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a month's first day, under way, every row says "too early to say": so must the
    # summary above them (it said "9 not settled yet").
    crew = _crew(story_org)
    services.create_goal(org=story_org, team=crew, metric="one_on_ones", target=2, by=None)
    monkeypatch.setattr(services, "default_as_of", lambda: date(2026, 11, 2))
    page = _client("Dana Reyes").get(f"/goals/teams/{crew.pk}/?as_of=2026-11-02")
    html = page.content.decode()
    words = re.findall(r'data-testid="goal-status">([^<]+)<', html)
    assert words and set(words) == {"too early to say"}
    summary = re.search(r'data-testid="goal-summary"><strong>([^<]+)<', html)
    assert summary is not None and summary.group(1) == f"{len(words)} too early to say"
