"""What each persona gets back from every list: the permission matrix checks status codes, this
checks the contents (a rep who sees every team, or a leader who sees another team's meetings,
gets a 200 too).

The world (``tests/conftest.py``): Riley admin of Acme; Morgan directs West, whose members are
the leaders Dana and Chris; Dana leads Crew (reps Sam and Alex), Chris leads Closers (Grace);
Olive is admin of another org with the rep Oscar. On top of it: an experiment on Sam, a
one-on-one Dana–Sam, Dana's task delegated to Alex (coachee Sam), a task of Chris's, and a block
of time each for Dana and Chris. Chris's task went to Grace
(high-potential).
Alex, the delegate of an open coaching session on Sam, sees Sam while it is open.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client

from ninety.api.services import create_token
from ninety.coaching.models import OneOnOne
from ninety.coaching.services import save_self_report
from ninety.core.playbook_spec import default_playbook
from ninety.delegation import services as delegation
from ninety.goals.services import create_goal
from ninety.people.models import Person, Team
from ninety.people.services import set_high_potential
from tests.coaching import matrix_helpers as oo
from tests.conftest import World
from tests.conversations import helpers as cv
from tests.delegation import helpers as dg
from tests.experiments import matrix_helpers as ex
from tests.playbook import matrix_helpers as pb
from tests.test_permission_matrix import API_CASES, PERSONAS

SIGNED_IN = PERSONAS[1:]
DANAS, CHRISS = "Coach Sam on the greeting", "Chris's pipeline report"
BEHAVIORS = {b.key for s in default_playbook().stages for b in s.behaviors}
ACME = {"Riley", "Morgan", "Dana", "Chris", "Sam", "Alex", "Grace"}


def _populate(w: World) -> None:
    pb.acme_playbook(w)
    ex.sams_experiment(w)
    oo.meeting(w)
    cv.sams_call(w)
    dg.delegation_to_alex(w)
    chris = delegation.create_task(
        w.other_leader, "Chris's pipeline report", category="reviewing_reports"
    )
    set_high_potential(w.other_rep, True)
    delegation.delegate_task(chris, w.other_leader, w.other_rep, process_steps=["totals"])
    at = datetime(2026, 11, 23, 15, tzinfo=UTC)
    delegation.add_time_entry(w.leader, at, 30, "tactical", "Dana's scheduling")
    delegation.add_time_entry(w.other_leader, at, 45, "results", "Chris's forecast call")
    # Sam writes his self-report: Dana's inbox hears of it (nobody else's).
    meeting = OneOnOne.objects.get(pk=oo.meeting(w))
    save_self_report(meeting, by=w.rep, results="-15%", behaviors="Greeting")
    # Goals: Sam's, Grace's and Oscar's own, one per team (Crew, Closers) and one for Acme.
    for person in (w.rep, w.other_rep, w.outsider_rep):
        create_goal(org=person.org, person=person, metric="one_on_ones", target=4, by=None)
    for team in (w.crew, w.closers):
        create_goal(org=w.org, team=team, metric="volume", target=40, by=None)
    create_goal(org=w.org, metric="ways_adherence", target=0.6, by=None)


def _goal_owner(g: dict[str, Any]) -> str:
    if g["person"]:
        return Person.objects.get(pk=g["person"]).name
    return Team.objects.get(pk=g["team"]).name if g["team"] else "Acme"


def _names(ids: set[int]) -> set[str]:
    return set(Person.objects.filter(pk__in=ids).values_list("name", flat=True))


# API list endpoint -> (what to read from the JSON body, what each persona gets).
API_LISTS: dict[str, tuple[Callable[[Any], set[str]], dict[str, set[str]]]] = {
    "/api/people": (
        lambda body: {p["name"] for p in body["items"]},
        {
            "rep": {"Sam"},
            "teammate": {"Alex", "Sam"},  # Sam: the coachee of Alex's open delegation
            "leader": {"Dana", "Sam", "Alex"},
            "other_leader": {"Chris", "Grace"},
            "director": {"Morgan", "Dana", "Chris", "Sam", "Alex", "Grace"},
            "admin": ACME,
            "outsider": {"Olive", "Oscar"},
        },
    ),
    "/api/teams": (
        lambda body: {t["name"] for t in body["items"]},
        {
            "rep": {"Crew"},
            "teammate": {"Crew"},
            "leader": {"Crew"},
            "other_leader": {"Closers"},
            "director": {"West", "Crew", "Closers"},
            "admin": {"West", "Crew", "Closers"},
            "outsider": {"Elsewhere"},
        },
    ),
    "/api/experiments": (
        lambda body: {s["name"] for e in body["items"] for s in e["subjects"]},
        {p: set() for p in SIGNED_IN}
        | {"rep": {"Sam"}, "leader": {"Sam"}, "director": {"Sam"}, "admin": {"Sam"}},
    ),
    # Alex, the delegate of the open coaching session on Sam, hears Sam's calls while it lasts.
    "/api/conversations": (
        lambda body: _names({c["person"] for c in body["items"]}),
        {p: set() for p in SIGNED_IN}
        | {
            "rep": {"Sam"},
            "teammate": {"Sam"},
            "leader": {"Sam"},
            "director": {"Sam"},
            "admin": {"Sam"},
        },
    ),
    "/api/one-on-ones": (
        lambda body: _names({m["rep_id"] for m in body["items"]}),
        {p: set() for p in SIGNED_IN}
        | {"rep": {"Sam"}, "leader": {"Sam"}, "director": {"Sam"}, "admin": {"Sam"}},
    ),
    # A task: its owner, its delegate, the leaders above the owner and the org's admins.
    "/api/delegation/tasks": (
        lambda body: {t["title"] for t in body["items"]},
        {
            "rep": set(),
            "teammate": {DANAS},
            "leader": {DANAS},
            "other_leader": {CHRISS},
            "director": {DANAS, CHRISS},
            "admin": {DANAS, CHRISS},
            "outsider": set(),
        },
    ),
    "/api/delegation/delegations": (
        lambda body: {d["delegate"] for d in body["items"]},
        {
            "rep": set(),
            "teammate": {"Alex"},
            "leader": {"Alex"},
            "other_leader": {"Grace"},
            "director": {"Alex", "Grace"},
            "admin": {"Alex", "Grace"},
            "outsider": set(),
        },
    ),
    # Dana's week of time (QUERY): her own, her director's and the admin's to read; reps 403.
    "/api/attention/time": (
        lambda body: {t["title"] for t in body["items"]},
        {
            "leader": {"Dana's scheduling"},
            "other_leader": set(),
            "director": {"Dana's scheduling"},
            "admin": {"Dana's scheduling"},
            "outsider": set(),
        },
    ),
    # A goal follows its owner: a rep's as the rep's page, a team's as the team, the org's to all.
    "/api/goals": (
        lambda body: {_goal_owner(g) for g in body["items"]},
        {
            "rep": {"Sam", "Crew", "Acme"},
            "teammate": {"Sam", "Crew", "Acme"},  # Sam: Alex's coachee while it is open
            "leader": {"Sam", "Crew", "Acme"},
            "other_leader": {"Grace", "Closers", "Acme"},
            "director": {"Sam", "Grace", "Crew", "Closers", "Acme"},
            "admin": {"Sam", "Grace", "Crew", "Closers", "Acme"},
            "outsider": {"Oscar"},
        },
    ),
    "/api/scorecards": (
        lambda body: {r["name"] for r in body["items"]},
        {
            "rep": {"Sam"},
            "teammate": {"Alex", "Sam"},
            "leader": {"Sam", "Alex"},
            "other_leader": {"Grace"},
            "director": {"Sam", "Alex", "Grace"},
            "admin": {"Sam", "Alex", "Grace"},
            "outsider": {"Oscar"},
        },
    ),
    "/api/playbook/ways": (
        # The org's one playbook: every behavior for everyone in the org (another org: 404).
        lambda body: {b["behavior"] for b in body["items"]},
        {p: BEHAVIORS for p in SIGNED_IN if p != "outsider"},
    ),
    "/api/delegation/suggestions": (
        lambda body: {s["name"] for s in body["suggestions"]},
        # Delegates: the high-potential reps the leader leads and the org's other leaders;
        # never someone of another team's reps or of another org.
        {
            "leader": {"Alex", "Chris", "Morgan"},
            "other_leader": {"Dana", "Grace", "Morgan"},
            "director": {"Alex", "Chris", "Dana", "Grace"},
            "admin": {"Alex", "Chris", "Dana", "Grace", "Morgan"},
            "outsider": set(),
        },
    ),
}


# Query strings some lists need (ids differ between databases).
QUERY: dict[str, Callable[[World], str]] = {
    "/api/attention/time": lambda w: f"?week=2026-W48&leader_id={w.leader.pk}",
}


def _get_json(w: World, persona: str, path: str) -> Any:
    _, token = create_token(w.persona(persona), "lists")
    query = QUERY[path](w) if path in QUERY else ""
    response = Client().get(path + query, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, f"{persona} GET {path}: {response.status_code}"
    return response.json()


@pytest.mark.parametrize("path", list(API_LISTS))
def test_each_api_list_holds_exactly_what_each_persona_may_see(world: World, path: str) -> None:
    _populate(world)
    read, expected = API_LISTS[path]
    got = {persona: read(_get_json(world, persona, path)) for persona in expected}
    assert got == expected


# GET operations without a path parameter that return one object, not a list.
NOT_LISTS = {"/api/me", "/api/playbook", "/api/playbook.yaml", "/api/attention"}


def test_every_api_list_has_a_content_row() -> None:
    reads = {path for method, path in API_CASES if method == "get" and "{" not in path}
    assert reads - NOT_LISTS == set(API_LISTS)


# Pages: what the view hands its template.
PAGE_LISTS: dict[str, tuple[Callable[[Any], set[str]], dict[str, set[str]]]] = {
    "/people/": (
        lambda ctx: {p.name for g in ctx["groups"] for p in g.people},
        {p: API_LISTS["/api/people"][1][p] for p in SIGNED_IN},
    ),
    "/dashboard/": (
        lambda ctx: {t.name for t in ctx["teams"]},
        # Teams with reps only; reps are sent to their own page.
        {
            "leader": {"Crew"},
            "other_leader": {"Closers"},
            "director": {"Crew", "Closers"},
            "admin": {"Crew", "Closers"},
            "outsider": {"Elsewhere"},
        },
    ),
    "/experiments/": (
        lambda ctx: {name for r in ctx["running"] for name in r.names.split(", ")},
        API_LISTS["/api/experiments"][1],
    ),
    "/one-on-ones/": (
        lambda ctx: {m.rep.name for m in ctx["meetings"]},
        API_LISTS["/api/one-on-ones"][1],
    ),
    # The overview: each team's row and its leader, only for the teams one leads (or the org).
    "/overview/": (
        lambda ctx: {r.name for r in ctx["rows"]} | {f"led by {x.name}" for x in ctx["leaders"]},
        {
            "leader": {"Crew", "led by Dana"},
            "other_leader": {"Closers", "led by Chris"},
            "director": {"Crew", "Closers", "led by Dana", "led by Chris"},
            "admin": {"Crew", "Closers", "led by Dana", "led by Chris"},
            "outsider": {"Elsewhere", "led by Olive"},
        },
    ),
    # The search box: every person it finds is one the viewer may see (e-mails: @example.com).
    "/search/?q=example.com&kind=Person": (
        lambda ctx: {h.title for h in ctx["hits"]},
        {p: API_LISTS["/api/people"][1][p] for p in SIGNED_IN},
    ),
    "/inbox/": (
        lambda ctx: {n.title for n in ctx["page"]},
        {p: set() for p in SIGNED_IN}
        | {"leader": {"Sam wrote the self-report for your one-on-one"}},
    ),
}


@pytest.mark.parametrize("path", list(PAGE_LISTS))
def test_each_list_page_shows_exactly_what_each_persona_may_see(
    world: World, client_for: Any, path: str
) -> None:
    _populate(world)
    read, expected = PAGE_LISTS[path]
    got = {}
    for persona in expected:
        response = client_for(world.persona(persona)).get(path)
        assert response.status_code == 200, f"{persona} GET {path}"
        got[persona] = read(response.context)
    assert got == expected


def test_a_delegates_view_of_the_coachee_ends_with_the_delegation(world: World) -> None:
    # Dana delegated coaching Sam to Alex, takes it back and gives the task to Chris: Sam leaves
    # Alex's list (the cancelled delegation grants nothing, though its task is delegated again)
    # and joins Chris's while Chris's delegation is open.
    pb.acme_playbook(world)
    first = dg.delegation_to_alex(world)
    people = API_LISTS["/api/people"][0]
    assert people(_get_json(world, "teammate", "/api/people")) == {"Alex", "Sam"}
    delegation.cancel_delegation(first, world.leader)
    assert people(_get_json(world, "teammate", "/api/people")) == {"Alex"}
    b = dg.greeting(world)
    again = delegation.delegate_task(
        first.task, world.leader, world.other_leader, coachee=world.rep, focus_stage=b.stage,
        behaviors=[b], process_steps=["tone"],
    )  # fmt: skip
    assert people(_get_json(world, "teammate", "/api/people")) == {"Alex"}
    assert "Sam" in people(_get_json(world, "other_leader", "/api/people"))
    ratings = {f"b{b.pk}": ("met", ""), "s0": ("met", "")}
    delegation.record_outcome(again, world.other_leader, ratings=ratings, notes="done")
    assert "Sam" not in people(_get_json(world, "other_leader", "/api/people"))


def test_the_goals_export_holds_exactly_the_goals_each_persona_may_see(
    world: World, client_for: Any
) -> None:
    _populate(world)
    expected = API_LISTS["/api/goals"][1]
    by_ext = dict(Person.objects.values_list("external_id", "name"))
    for persona, owners in expected.items():
        response = client_for(world.persona(persona)).get("/goals/export.csv")
        assert response.status_code == 200
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        got = {by_ext.get(r["rep"]) or r["team"] or "Acme" for r in rows}
        assert got == owners, persona
