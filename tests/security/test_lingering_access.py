"""Finding 6 (medium-low): access that lingered, checked by what each persona gets back.

- A delegate who held a meeting kept reading its prep sheet and summary forever: now the access
  is a grant that ends when the meeting is closed or taken back.
- After a cancelled delegation, the API showed the task's later delegation to someone else.
- An experiment with subjects from two teams showed each team the other's rep.
- A director's region dashboard answered 404.
And the gate itself: grants never cross orgs, and the permission gate imports no feature app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client

from ninety.api.services import create_token
from ninety.coaching.models import MEETING_GRANT, OneOnOne
from ninety.coaching.services import close_meeting, delegate_meeting, open_meeting
from ninety.delegation import services as delegation
from ninety.delegation.access import delegated_people
from ninety.experiments.services import start_experiment
from ninety.people import grants
from ninety.people.models import AccessGrant
from ninety.people.permissions import visible_people
from ninety.people.services import set_high_potential
from tests.coaching.conftest import AS_OF, sams_meeting
from tests.conftest import World
from tests.delegation import helpers as dg
from tests.experiments.matrix_helpers import START

SIGNED_IN = ("rep", "teammate", "leader", "other_leader", "director", "admin", "outsider")


def _api(w: World, persona: str, path: str) -> tuple[int, object]:
    _, token = create_token(w.persona(persona), "t")
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    body = response.json()
    # A list comes as one page of it (``items``): the lists here are all short.
    is_page = response.status_code == 200 and isinstance(body, dict) and "items" in body
    return response.status_code, body["items"] if is_page else body


def _held_by_chris(w: World) -> OneOnOne:
    meeting = sams_meeting(w)
    return delegate_meeting(meeting, by=w.leader, delegate=w.other_leader)


def test_finding6_a_delegate_reads_the_meeting_they_hold_and_nothing_else(world, client_for):
    meeting = _held_by_chris(world)
    chris = client_for(world.other_leader)
    for path in (f"/one-on-ones/{meeting.pk}/summary/", f"/api/one-on-ones/{meeting.pk}"):
        assert chris.get(path).status_code == 200, path
    open_meeting(meeting, by=world.other_leader, as_of=AS_OF)
    assert chris.get(f"/one-on-ones/{meeting.pk}/prep/").status_code == 200
    # The meeting, not the rep: Sam's own pages stay closed to Chris.
    assert chris.get(f"/reps/{world.rep.pk}/").status_code == 404
    assert world.rep not in visible_people(world.other_leader)
    status, body = _api(world, "other_leader", "/api/one-on-ones")
    assert status == 200
    assert [m["id"] for m in body] == [meeting.pk]


def test_finding6_held_meeting_access_ends_when_it_is_closed(world, client_for):
    meeting = _held_by_chris(world)
    open_meeting(meeting, by=world.other_leader, as_of=AS_OF)
    close_meeting(meeting, by=world.other_leader, summary="Greeting first")
    chris = client_for(world.other_leader)
    for path in (
        f"/one-on-ones/{meeting.pk}/",
        f"/one-on-ones/{meeting.pk}/prep/",
        f"/one-on-ones/{meeting.pk}/summary/",
        f"/one-on-ones/{meeting.pk}.ics",
        f"/api/one-on-ones/{meeting.pk}",
        f"/api/one-on-ones/{meeting.pk}/prep",
    ):
        assert chris.get(path).status_code == 404, path
    assert _api(world, "other_leader", "/api/one-on-ones") == (200, [])
    # Dana (the leader) and Sam still read it.
    assert client_for(world.leader).get(f"/one-on-ones/{meeting.pk}/summary/").status_code == 200
    assert client_for(world.rep).get(f"/one-on-ones/{meeting.pk}/summary/").status_code == 200


def test_finding6_held_meeting_access_ends_when_it_is_taken_back(world, client_for):
    meeting = _held_by_chris(world)
    delegate_meeting(meeting, by=world.leader, delegate=None)
    assert client_for(world.other_leader).get(f"/api/one-on-ones/{meeting.pk}").status_code == 404
    assert not grants.live(world.other_leader).exists()


def test_finding6_a_cancelled_delegate_sees_neither_the_task_nor_its_next_delegation(world):
    first = dg.delegation_to_alex(world)
    assert list(delegated_people(world.teammate)) == [world.rep]
    delegation.cancel_delegation(first, world.leader)
    assert not delegated_people(world.teammate).exists()
    set_high_potential(world.other_rep, True)
    task = first.task
    task.refresh_from_db()
    second = delegation.delegate_task(
        task, world.leader, world.other_leader, coachee=world.rep, process_steps=["tone"]
    )
    status, body = _api(world, "teammate", "/api/delegation/delegations")
    assert status == 200
    assert [(d["id"], d["status"]) for d in body] == [(first.pk, "cancelled")]
    assert _api(world, "teammate", "/api/delegation/tasks") == (200, [])
    status, body = _api(world, "other_leader", "/api/delegation/delegations")
    assert [d["id"] for d in body] == [second.pk]
    status, body = _api(world, "leader", "/api/delegation/delegations")
    assert sorted(d["id"] for d in body) == sorted([first.pk, second.pk])


def test_finding6_a_reported_delegate_keeps_their_own_record_but_not_the_coachee(world):
    reported = dg.reported_delegation(world)
    assert not delegated_people(world.teammate).exists()
    status, body = _api(world, "teammate", "/api/delegation/delegations")
    assert [(d["id"], d["status"]) for d in body] == [(reported.pk, "reported")]
    status, _ = _api(world, "teammate", f"/api/people/{world.rep.pk}")
    assert status == 404


def _cross_team_experiment(w: World) -> int:
    return start_experiment(
        leader=w.director, subjects=[w.rep, w.other_rep], hypothesis="Local reference",
        metric="conversation", start=START,
    ).pk  # fmt: skip


@pytest.mark.parametrize(
    "persona, sees",
    [("rep", True), ("teammate", False), ("leader", False), ("other_leader", False),
     ("director", True), ("admin", True), ("outsider", False)],
)  # fmt: skip
def test_finding6_a_cross_team_experiment_is_seen_only_by_those_who_see_every_subject(
    world, client_for, persona: str, sees: bool
):
    pk = _cross_team_experiment(world)
    status, body = _api(world, persona, "/api/experiments")
    assert status == 200
    names = {s["name"] for e in body for s in e["subjects"]}
    # Sam, a subject, reads it as a subject: his co-subject is not named (finding 9).
    named = {"Sam"} if persona == "rep" else {"Sam", "Grace"}
    assert names == (named if sees else set())
    assert _api(world, persona, f"/api/experiments/{pk}")[0] == (200 if sees else 404)
    page = client_for(world.persona(persona)).get(f"/experiments/{pk}/")
    assert page.status_code == (200 if sees else 404)


def test_finding6_a_cross_team_experiment_stays_off_each_teams_pages(world, client_for):
    _cross_team_experiment(world)
    for persona, path in (("leader", f"/reps/{world.rep.pk}/"),
                          ("leader", f"/dashboard/?team={world.crew.pk}"),
                          ("other_leader", f"/reps/{world.other_rep.pk}/")):  # fmt: skip
        body = client_for(world.persona(persona)).get(path).content.decode()
        assert "Local reference" not in body, (persona, path)
        assert "Grace" not in body or persona == "other_leader", (persona, path)
    body = client_for(world.director).get(f"/reps/{world.rep.pk}/").content.decode()
    assert "Local reference" in body


@pytest.mark.parametrize(
    "persona, status",
    [("rep", 302), ("teammate", 302), ("leader", 404), ("other_leader", 404),
     ("director", 200), ("admin", 200), ("outsider", 404)],
)  # fmt: skip
def test_finding6_the_region_dashboard_shows_every_rep_below_it(world, client_for, persona,
                                                                status):  # fmt: skip
    response = client_for(world.persona(persona)).get(f"/dashboard/?team={world.west.pk}")
    assert response.status_code == status
    if status == 200:
        rows = {line.split('"')[1] for line in response.content.decode().splitlines()
                if "data-rep=" in line}  # fmt: skip
        assert rows == {"Sam", "Alex", "Grace"}


def test_grants_never_cross_orgs(world):
    with pytest.raises(ValueError, match="never crosses orgs"):
        grants.grant("one_on_one", 1, grantee=world.outsider, subject=world.rep,
                     sees_person=True)  # fmt: skip
    # A grant row forged across orgs is ignored by the gate.
    AccessGrant.objects.create(org=world.org, grantee=world.outsider, subject=world.rep,
                               source="delegation", source_id=99, sees_person=True)  # fmt: skip
    assert world.rep not in visible_people(world.outsider)
    assert not OneOnOne.objects.filter(pk__in=grants.granted_ids(world.outsider, MEETING_GRANT))


FEATURE_APPS = ("coaching", "delegation", "experiments", "ingest", "diagnosis", "home", "api")


def test_the_gate_imports_no_feature_app():
    """people/permissions.py and people/grants.py read grants; no feature app is imported, at the
    top or inside a function."""
    folder = Path(__file__).resolve().parents[2] / "src" / "ninety" / "people"
    for name in ("permissions.py", "grants.py", "models.py"):
        tree = ast.parse((folder / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(tuple(f"ninety.{a}" for a in FEATURE_APPS)), (
                    name, node.module,
                )  # fmt: skip
