"""The permission matrix: every page and API endpoint × every persona × read and write.

A new URL or API operation without a row here fails ``test_every_url_is_in_the_matrix``; a view
or endpoint that skips the permission check fails the denial cells (expect 403/404 and nothing
changed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from ninety.api.api import api
from ninety.api.models import PersonalAccessToken
from ninety.api.services import create_token
from ninety.people.invitations import invite
from ninety.people.models import Invitation, Person
from tests.coaching import matrix_helpers as oo
from tests.conftest import World
from tests.conversations import helpers as cv
from tests.delegation import matrix_cases as dg
from tests.experiments import matrix_helpers as ex
from tests.goals import matrix_cases as goal_cases
from tests.ingest import matrix_cases as ingest_cases
from tests.notify import matrix_cases as notify_cases
from tests.playbook import matrix_helpers as pb

PERSONAS = ("anon", "rep", "teammate", "leader", "other_leader", "director", "admin", "outsider")


@dataclass(frozen=True)
class Case:
    method: str
    path: Callable[[World], str]
    expect: dict[str, int]
    data: dict[str, Any] = field(default_factory=dict)
    # For writes: a check that the denied request changed nothing.
    unchanged: Callable[[World], bool] | None = None
    # Form data that names rows of this world (ids differ between databases).
    data_fn: Callable[[World], dict[str, Any]] | None = None


def _sam_not_high_potential(w: World) -> bool:
    return not Person.objects.get(pk=w.rep.pk).high_potential


def _no_token_revoked(w: World) -> bool:
    return not PersonalAccessToken.objects.filter(revoked_at__isnull=False).exists()


def _sam_token(w: World) -> int:
    record, _ = create_token(w.rep, "sam's token")
    return record.pk


def _newcomer(w: World) -> Person:
    """An imported Acme rep without a login."""
    return Person.objects.create(org=w.org, name="Nia Newcomer", email="nia@example.com")


def _nobody_invited(w: World) -> bool:
    return not Invitation.objects.exists()


def _no_invitation_revoked(w: World) -> bool:
    return not Invitation.objects.filter(revoked_at__isnull=False).exists()


LOGIN_REDIRECT = 302
ALL_SIGNED_IN_OK = {p: 200 for p in PERSONAS} | {"anon": LOGIN_REDIRECT}

SEES_SAM = {"anon": LOGIN_REDIRECT, "rep": 200, "teammate": 404, "leader": 200,
            "other_leader": 404, "director": 200, "admin": 200, "outsider": 404}  # fmt: skip
TEAM_EXPORT = SEES_SAM | {"rep": 404}

# Pages: url name -> cases. A view that forgets visible_people() lets Chris or Olive see Sam.
PAGE_CASES: dict[str, list[Case]] = {
    "home": [Case("get", lambda w: "/", {p: 302 for p in PERSONAS})],
    "login": [Case("get", lambda w: "/login/", {"anon": 200} | {p: 302 for p in PERSONAS[1:]})],
    "logout": [Case("post", lambda w: "/logout/", {p: 302 for p in PERSONAS})],
    # A token link: anyone may open it; a wrong token only says the link is not valid.
    "invitation": [
        Case("get", lambda w: "/account/invitation/bad-token/", {p: 200 for p in PERSONAS})
    ],
    # Logins for imported people are the org admin's; another org's admin gets 404.
    "invitations": [
        Case(
            "get",
            lambda w: "/people/invitations/",
            {p: 403 for p in PERSONAS} | {"anon": 302, "admin": 200, "outsider": 200},
        )
    ],
    "invitation-create": [
        Case(
            "post",
            lambda w: "/people/invitations/new/",
            {p: 403 for p in PERSONAS} | {"anon": 302, "admin": 200, "outsider": 404},
            data_fn=lambda w: {"person": _newcomer(w).pk},
            unchanged=_nobody_invited,
        )
    ],
    "invitation-revoke": [
        Case(
            "post",
            lambda w: f"/people/invitations/{invite(_newcomer(w))[0].pk}/revoke/",
            {p: 403 for p in PERSONAS} | {"anon": 302, "admin": 302, "outsider": 404},
            unchanged=_no_invitation_revoked,
        )
    ],
    "people": [Case("get", lambda w: "/people/", ALL_SIGNED_IN_OK)],
    "person": [
        Case(
            "get",
            lambda w: f"/people/{w.rep.pk}/",
            {
                "anon": LOGIN_REDIRECT,
                "rep": 200,
                "teammate": 404,
                "leader": 200,
                "other_leader": 404,
                "director": 200,
                "admin": 200,
                "outsider": 404,
            },
        ),
        Case(
            "get",
            lambda w: f"/people/{w.outsider_rep.pk}/",
            {p: 404 for p in PERSONAS[1:-1]} | {"anon": LOGIN_REDIRECT, "outsider": 200},
        ),
    ],
    "person-high-potential": [
        Case(
            "post",
            lambda w: f"/people/{w.rep.pk}/high-potential/",
            {
                "anon": LOGIN_REDIRECT,
                "rep": 403,
                "teammate": 404,
                "leader": 302,
                "other_leader": 404,
                "director": 302,
                "admin": 302,
                "outsider": 404,
            },
            data={"high_potential": "on"},
            unchanged=_sam_not_high_potential,
        )
    ],
    "tokens": [Case("get", lambda w: "/account/tokens/", ALL_SIGNED_IN_OK)],
    # The glossary holds no org data: open to everyone, signed in or not.
    "glossary": [Case("get", lambda w: "/help/", {p: 200 for p in PERSONAS})],
    "password-change": [Case("get", lambda w: "/account/password/", ALL_SIGNED_IN_OK)],
    "audit": [
        Case(
            "get",
            lambda w: "/audit/",
            {p: 403 for p in PERSONAS} | {"anon": 302, "admin": 200, "outsider": 200},
        )
    ],
    "password-change-done": [Case("get", lambda w: "/account/password/done/", ALL_SIGNED_IN_OK)],
    "time-zone": [
        # Everyone sets their own zone; the org's default is the admin's (tests/test_time_zones).
        Case(
            "post",
            lambda w: "/account/time-zone/",
            {p: 302 for p in PERSONAS},
            data={"time_zone": "Europe/Berlin"},
        ),
        Case(
            "post",
            lambda w: "/account/time-zone/",
            {p: 403 for p in PERSONAS} | {"anon": LOGIN_REDIRECT, "admin": 302, "outsider": 302},
            data={"org_time_zone": "Asia/Tokyo"},
        ),
    ],
    "dashboard": [
        Case(
            "get",
            lambda w: "/dashboard/",
            {p: 200 for p in PERSONAS} | {"anon": LOGIN_REDIRECT, "rep": 302, "teammate": 302},
        ),
        Case(
            "get",
            lambda w: f"/dashboard/?team={w.crew.pk}",
            {
                "anon": LOGIN_REDIRECT,
                "rep": 302,
                "teammate": 302,
                "leader": 200,
                "other_leader": 404,
                "director": 200,
                "admin": 200,
                "outsider": 404,
            },
        ),
    ],
    # The teams-and-leaders overview: leaders (their teams) and admins; a region only if visible.
    "overview": [
        Case(
            "get",
            lambda w: "/overview/",
            {p: 200 for p in PERSONAS} | {"anon": LOGIN_REDIRECT, "rep": 403, "teammate": 403},
        ),
        Case(
            "get",
            lambda w: f"/overview/?team={w.west.pk}",
            {
                "anon": LOGIN_REDIRECT,
                "rep": 403,
                "teammate": 403,
                "leader": 404,
                "other_leader": 404,
                "director": 200,
                "admin": 200,
                "outsider": 404,
            },
        ),
    ],
    # One search box for everyone signed in (what it finds: tests/test_search_export.py).
    "search": [Case("get", lambda w: "/search/?q=Sam", ALL_SIGNED_IN_OK)],
    # Downloads: the same gates as the pages they come from.
    "export": [
        Case("get", lambda w: f"/export/dashboard.xlsx?team={w.crew.pk}", TEAM_EXPORT),
        Case("get", lambda w: f"/export/funnel.csv?rep={w.rep.pk}", SEES_SAM),
        Case("get", lambda w: f"/export/one-on-ones.xlsx?rep={w.rep.pk}", SEES_SAM),
        Case("get", lambda w: "/export/experiments.csv", ALL_SIGNED_IN_OK),
    ],
    "rep": [
        Case(
            "get",
            lambda w: f"/reps/{w.rep.pk}/",
            {
                "anon": LOGIN_REDIRECT,
                "rep": 200,
                "teammate": 404,
                "leader": 200,
                "other_leader": 404,
                "director": 200,
                "admin": 200,
                "outsider": 404,
            },
        )
    ],
    "token-revoke": [
        Case(
            "post",
            lambda w: f"/account/tokens/{_sam_token(w)}/revoke/",
            {p: 404 for p in PERSONAS} | {"anon": LOGIN_REDIRECT, "rep": 302},
            unchanged=_no_token_revoked,
        )
    ],
}

# API operations: (method, path template) -> cases.
API_CASES: dict[tuple[str, str], list[Case]] = {
    ("get", "/api/me"): [Case("get", lambda w: "/api/me", {p: 200 for p in PERSONAS[1:]})],
    ("get", "/api/people"): [Case("get", lambda w: "/api/people", {p: 200 for p in PERSONAS[1:]})],
    ("get", "/api/people/{person_id}"): [
        Case(
            "get",
            lambda w: f"/api/people/{w.rep.pk}",
            {
                "rep": 200,
                "teammate": 404,
                "leader": 200,
                "other_leader": 404,
                "director": 200,
                "admin": 200,
                "outsider": 404,
            },
        )
    ],
    ("patch", "/api/people/{person_id}"): [
        Case(
            "patch",
            lambda w: f"/api/people/{w.rep.pk}",
            {
                "rep": 403,
                "teammate": 404,
                "leader": 200,
                "other_leader": 404,
                "director": 200,
                "admin": 200,
                "outsider": 404,
            },
            data={"high_potential": True},
            unchanged=_sam_not_high_potential,
        )
    ],
    ("get", "/api/teams"): [Case("get", lambda w: "/api/teams", {p: 200 for p in PERSONAS[1:]})],
    ("get", "/api/diagnosis/teams/{team_id}"): [
        Case(
            "get",
            lambda w: f"/api/diagnosis/teams/{w.crew.pk}",
            {
                "rep": 403,
                "teammate": 403,
                "leader": 200,
                "other_leader": 404,
                "director": 200,
                "admin": 200,
                "outsider": 404,
            },
        )
    ],
    ("get", "/api/diagnosis/reps/{person_id}"): [
        Case(
            "get",
            lambda w: f"/api/diagnosis/reps/{w.rep.pk}",
            {
                "rep": 200,
                "teammate": 404,
                "leader": 200,
                "other_leader": 404,
                "director": 200,
                "admin": 200,
                "outsider": 404,
            },
        )
    ],
    ("get", "/api/teams/{team_id}"): [
        Case(
            "get",
            lambda w: f"/api/teams/{w.crew.pk}",
            {
                "rep": 200,
                "teammate": 200,
                "leader": 200,
                "other_leader": 404,
                "director": 200,
                "admin": 200,
                "outsider": 404,
            },
        )
    ],
}

# The playbook: everyone in the org reads it and proposes ways; leaders and admins decide and edit.
PB_LEADERS = {"anon": LOGIN_REDIRECT, "rep": 403, "teammate": 403, "leader": 302,
              "other_leader": 302, "director": 302, "admin": 302, "outsider": 404}  # fmt: skip
PB_ORG = {p: 302 for p in PERSONAS} | {"outsider": 404}
PAGE_CASES |= {
    "playbook": [Case("get", lambda w: (pb.acme_playbook(w), "/playbook/")[1], ALL_SIGNED_IN_OK)],
    "playbook-template": [
        Case("post", lambda w: "/playbook/template/", PB_LEADERS | {"outsider": 302},
             data={"template": "b2b"}, unchanged=pb.no_playbook_anywhere)
    ],
    "playbook-propose": [
        Case("post", lambda w: f"/playbook/behaviors/{pb.acme_greeting(w)}/propose/", PB_ORG,
             data={"text": "Say their name first"}, unchanged=pb.no_rep_proposal)
    ],
    "playbook-decide": [
        Case("post", lambda w: f"/playbook/ways/{pb.sams_proposal(w)}/approve/", PB_LEADERS,
             unchanged=pb.proposal_undecided),
        Case("post", lambda w: f"/playbook/ways/{pb.sams_proposal(w)}/decline/", PB_LEADERS,
             data={"reason": "Too close to way 1"}, unchanged=pb.proposal_undecided),
    ],
    "playbook-diff": [Case("get", lambda w: (pb.acme_draft(w), "/playbook/diff/")[1],
                           ALL_SIGNED_IN_OK)],
    "playbook-export": [
        Case("get", lambda w: (pb.acme_playbook(w), "/playbook/export.yaml")[1],
             ALL_SIGNED_IN_OK | {"outsider": 404})
    ],
    "playbook-edit": [
        Case("get", lambda w: (pb.acme_draft(w), "/playbook/edit/")[1],
             PB_LEADERS | {p: 200 for p in ("leader", "other_leader", "director", "admin")}
             | {"outsider": 403})
    ],
    "playbook-draft": [
        Case("post", lambda w: (pb.acme_playbook(w), "/playbook/edit/draft/start/")[1],
             PB_LEADERS | {"outsider": 403}, unchanged=pb.no_draft),
        Case("post", lambda w: (pb.acme_draft(w), "/playbook/edit/draft/publish/")[1],
             PB_LEADERS | {"outsider": 403}, unchanged=pb.draft_unpublished),
    ],
    "playbook-add": [
        Case("post", lambda w: f"/playbook/edit/add/way/{pb.draft_greeting_behavior(w)}/",
             PB_LEADERS, data={"text": "New"}, unchanged=pb.draft_ways_unchanged)
    ],
    "playbook-item": [
        Case("post", lambda w: f"/playbook/edit/stage/{pb.draft_greeting_stage(w)}/save/",
             PB_LEADERS, data={"name": "Opening"}, unchanged=pb.draft_greeting_unchanged)
    ],
}  # fmt: skip
PB_API_ALL = {p: 200 for p in PERSONAS[1:]} | {"outsider": 404}
PB_API_LEADERS = {"rep": 403, "teammate": 403, "leader": 200, "other_leader": 200,
                  "director": 200, "admin": 200, "outsider": 404}  # fmt: skip
API_CASES |= {
    ("get", "/api/playbook"): [Case("get", lambda w: (pb.acme_playbook(w), "/api/playbook")[1],
                                    PB_API_ALL)],
    ("get", "/api/playbook.yaml"): [
        Case("get", lambda w: (pb.acme_playbook(w), "/api/playbook.yaml")[1], PB_API_ALL)
    ],
    ("get", "/api/playbook/ways"): [
        Case("get", lambda w: (pb.acme_playbook(w), "/api/playbook/ways")[1], PB_API_ALL)
    ],
    ("post", "/api/playbook/import"): [
        Case("post", lambda w: (pb.acme_playbook(w), "/api/playbook/import")[1],
             PB_API_LEADERS | {"leader": 201, "other_leader": 201, "director": 201, "admin": 201,
                               "outsider": 201},
             data={"yaml": "name: X\nstages:\n  - {key: a, name: A, entry: dial, exit: connect}\n"},
             unchanged=pb.no_imported_playbook)
    ],
    ("post", "/api/playbook/ways"): [
        Case("post", lambda w: (pb.acme_playbook(w), "/api/playbook/ways")[1],
             {p: 201 for p in PERSONAS[1:]} | {"outsider": 404},
             data={"stage": "conversation", "behavior": pb.GREETING, "text": "Say the name"},
             unchanged=pb.no_rep_proposal)
    ],
    ("post", "/api/playbook/ways/{way_id}/approve"): [
        Case("post", lambda w: f"/api/playbook/ways/{pb.sams_proposal(w)}/approve",
             PB_API_LEADERS, unchanged=pb.proposal_undecided)
    ],
    ("post", "/api/playbook/ways/{way_id}/decline"): [
        Case("post", lambda w: f"/api/playbook/ways/{pb.sams_proposal(w)}/decline",
             PB_API_LEADERS, data={"reason": "Too close to way 1"},
             unchanged=pb.proposal_undecided)
    ],
}  # fmt: skip

# Experiments: a rep sees those they are a subject of; leaders those on people they lead; leaders
# of every subject (and admins) start and conclude them.
EX_SEE_SAM = {"anon": LOGIN_REDIRECT, "rep": 200, "teammate": 404, "leader": 200,
              "other_leader": 404, "director": 200, "admin": 200, "outsider": 404}  # fmt: skip
EX_CHANGE_SAM = EX_SEE_SAM | {"rep": 403, "leader": 302, "director": 302, "admin": 302}
PAGE_CASES |= {
    "experiments": [Case("get", lambda w: (ex.sams_experiment(w), "/experiments/")[1],
                         ALL_SIGNED_IN_OK)],
    "experiment-new": [
        Case("get", lambda w: "/experiments/new/",
             ALL_SIGNED_IN_OK | {"rep": 403, "teammate": 403})
    ],
    "experiment": [Case("get", lambda w: f"/experiments/{ex.sams_experiment(w)}/", EX_SEE_SAM)],
    "experiment-conclude": [
        Case("post", lambda w: f"/experiments/{ex.sams_experiment(w)}/conclude/", EX_CHANGE_SAM,
             data=ex.CONCLUDE, unchanged=ex.still_running)
    ],
}  # fmt: skip
EX_API_SEE_SAM = {k: v for k, v in EX_SEE_SAM.items() if k != "anon"}
API_CASES |= {
    ("get", "/api/experiments"): [
        Case("get", lambda w: (ex.sams_experiment(w), "/api/experiments")[1],
             {p: 200 for p in PERSONAS[1:]})
    ],
    ("post", "/api/experiments"): [
        Case("post", lambda w: "/api/experiments",
             {"rep": 403, "teammate": 403, "leader": 201, "other_leader": 404, "director": 201,
              "admin": 201, "outsider": 404},
             data=ex.NEW_FOR_SAM, unchanged=ex.no_experiment)
    ],
    ("get", "/api/experiments/{experiment_id}"): [
        Case("get", lambda w: f"/api/experiments/{ex.sams_experiment(w)}", EX_API_SEE_SAM)
    ],
    ("post", "/api/experiments/{experiment_id}/conclude"): [
        Case("post", lambda w: f"/api/experiments/{ex.sams_experiment(w)}/conclude",
             EX_API_SEE_SAM | {"rep": 403}, data=ex.CONCLUDE, unchanged=ex.still_running)
    ],
}  # fmt: skip

# Calls: a call is its rep's record (seen as the rep's pages are); leaders of the rep and admins
# import them, through the page or the API.
CV_SEE_SAM = {"anon": LOGIN_REDIRECT, "rep": 200, "teammate": 404, "leader": 200,
              "other_leader": 404, "director": 200, "admin": 200, "outsider": 404}  # fmt: skip
PAGE_CASES |= {
    "call": [Case("get", lambda w: f"/calls/{cv.sams_call_id(w)}/", CV_SEE_SAM)],
    "call-import": [
        Case("get", lambda w: "/calls/import/",
             ALL_SIGNED_IN_OK | {"rep": 403, "teammate": 403})
    ],
}  # fmt: skip
API_CASES |= {
    ("get", "/api/conversations"): [
        Case("get", lambda w: (cv.sams_call(w), "/api/conversations")[1],
             {p: 200 for p in PERSONAS[1:]})
    ],
    ("get", "/api/conversations/{call_id}"): [
        Case("get", lambda w: f"/api/conversations/{cv.sams_call_id(w)}",
             {k: v for k, v in CV_SEE_SAM.items() if k != "anon"})
    ],
    ("post", "/api/conversations"): [
        Case("post", lambda w: "/api/conversations",
             {"rep": 403, "teammate": 403, "leader": 201, "other_leader": 404, "director": 201,
              "admin": 201, "outsider": 404},
             data={"file_name": "sam.vtt", "text": cv.SAM_CALL, "person": "ext-sam",
                   "occurred_at": "2026-11-20T10:00:00Z"},
             unchanged=cv.no_call_imported)
    ],
}  # fmt: skip

# One-on-ones: the rep sees their own and writes the self-report; the leader (or a delegate) runs
# the meeting; the director and admin read the shared parts; private notes only their author.
OO_SEE = {"anon": LOGIN_REDIRECT, "rep": 200, "teammate": 404, "leader": 200,
          "other_leader": 404, "director": 200, "admin": 200, "outsider": 404}  # fmt: skip
OO_RUN = OO_SEE | {"rep": 403, "leader": 302, "director": 403, "admin": 403}
PAGE_CASES |= {
    "one-on-ones": [Case("get", lambda w: (oo.meeting(w), "/one-on-ones/")[1], ALL_SIGNED_IN_OK)],
    "one-on-one-schedule": [
        Case("post", lambda w: f"/one-on-ones/schedule/?rep={w.rep.pk}",
             OO_RUN | {"teammate": 403, "director": 302, "outsider": 403},
             data={"cadence": "weekly", "weekday": "4", "at": "15:00", "duration_minutes": "30"},
             unchanged=oo.sam_has_no_series)
    ],
    "one-on-one": [Case("get", lambda w: f"/one-on-ones/{oo.meeting(w)}/",
                        OO_SEE | {"director": 302, "admin": 302})],
    "one-on-one-ics": [Case("get", lambda w: f"/one-on-ones/{oo.meeting(w)}.ics", OO_SEE)],
    "one-on-one-open": [
        Case("post", lambda w: f"/one-on-ones/{oo.meeting(w)}/open/", OO_RUN,
             unchanged=oo.still_scheduled)
    ],
    "one-on-one-prep": [
        Case("get", lambda w: f"/one-on-ones/{oo.meeting(w)}/prep/", OO_SEE | {"rep": 403})
    ],
    "one-on-one-self-report": [
        Case("post", lambda w: f"/one-on-ones/{oo.meeting(w)}/self-report/",
             OO_RUN | {"rep": 302}, data={"results": "-15%", "behaviors": "Greeting"},
             unchanged=oo.no_self_report)
    ],
    "one-on-one-talk": [
        Case("post", lambda w: f"/one-on-ones/{oo.open_one(w)}/talk/", OO_RUN,
             data={"rep_seconds": "60", "leader_seconds": "40"}, unchanged=oo.no_talk_time)
    ],
    "one-on-one-save": [
        Case("post", lambda w: f"/one-on-ones/{oo.open_one(w)}/save/", OO_RUN,
             data={"private": "mine only", "shared": "for Sam"}, unchanged=oo.no_private_note)
    ],
    "one-on-one-commitment": [
        Case("post", lambda w: f"/one-on-ones/{oo.open_one(w)}/commitments/", OO_RUN,
             data={"kind": "task", "text": "Listen to two calls"}, unchanged=oo.no_commitment)
    ],
    "one-on-one-experiment": [
        Case("post", lambda w: f"/one-on-ones/{oo.meeting(w)}/commitments/{oo.commitment(w)}"
             "/experiment/", OO_RUN, unchanged=oo.no_experiment)
    ],
    "one-on-one-summary": [
        Case("get", lambda w: f"/one-on-ones/{oo.meeting(w)}/summary/", OO_SEE)
    ],
    "one-on-one-delegate": [
        Case("post", lambda w: f"/one-on-ones/{oo.meeting(w)}/delegate/", OO_RUN,
             data_fn=lambda w: {"delegate": str(w.teammate.pk)}, unchanged=oo.not_delegated)
    ],
}  # fmt: skip
OO_API_SEE = {k: v for k, v in OO_SEE.items() if k != "anon"}
OO_API_RUN = OO_API_SEE | {"rep": 403, "director": 403, "admin": 403}
OO_AUTHOR_ONLY = {p: 404 for p in PERSONAS[1:]} | {"leader": 200}
API_CASES |= {
    ("get", "/api/one-on-ones"): [
        Case("get", lambda w: (oo.meeting(w), "/api/one-on-ones")[1],
             {p: 200 for p in PERSONAS[1:]})
    ],
    ("post", "/api/one-on-ones/series"): [
        Case("post", lambda w: "/api/one-on-ones/series",
             OO_API_RUN | {"leader": 201, "director": 201}, data={"rep_external_id": "ext-sam"},
             unchanged=oo.sam_has_no_series)
    ],
    ("get", "/api/one-on-ones/{meeting_id}"): [
        Case("get", lambda w: f"/api/one-on-ones/{oo.meeting(w)}", OO_API_SEE)
    ],
    ("get", "/api/one-on-ones/{meeting_id}/prep"): [
        Case("get", lambda w: f"/api/one-on-ones/{oo.meeting(w)}/prep",
             OO_API_SEE | {"rep": 403})
    ],
    ("post", "/api/one-on-ones/{meeting_id}/open"): [
        Case("post", lambda w: f"/api/one-on-ones/{oo.meeting(w)}/open", OO_API_RUN,
             unchanged=oo.still_scheduled)
    ],
    ("put", "/api/one-on-ones/{meeting_id}/self-report"): [
        Case("put", lambda w: f"/api/one-on-ones/{oo.meeting(w)}/self-report",
             OO_API_RUN | {"rep": 200}, data={"results": "-15%"}, unchanged=oo.no_self_report)
    ],
    ("put", "/api/one-on-ones/{meeting_id}/talk"): [
        Case("put", lambda w: f"/api/one-on-ones/{oo.open_one(w)}/talk", OO_API_RUN,
             data={"rep_seconds": 60, "leader_seconds": 40}, unchanged=oo.no_talk_time)
    ],
    ("put", "/api/one-on-ones/{meeting_id}/answers"): [
        Case("put", lambda w: f"/api/one-on-ones/{oo.open_one(w)}/answers", OO_API_RUN,
             data=[])  # type: ignore[arg-type]
    ],
    ("put", "/api/one-on-ones/{meeting_id}/recital"): [
        Case("put", lambda w: f"/api/one-on-ones/{oo.open_one(w)}/recital", OO_API_RUN,
             data={"stage": "conversation", "behavior": oo.GREETING, "recited": []})
    ],
    ("post", "/api/one-on-ones/{meeting_id}/commitments"): [
        Case("post", lambda w: f"/api/one-on-ones/{oo.open_one(w)}/commitments",
             OO_API_RUN | {"leader": 201}, data={"kind": "task", "text": "Listen to two calls"},
             unchanged=oo.no_commitment)
    ],
    ("post", "/api/one-on-ones/{meeting_id}/commitments/{commitment_id}/experiment"): [
        Case("post", lambda w: f"/api/one-on-ones/{oo.meeting(w)}/commitments/"
             f"{oo.commitment(w)}/experiment", OO_API_RUN, unchanged=oo.no_experiment)
    ],
    ("put", "/api/one-on-ones/{meeting_id}/notes"): [
        Case("put", lambda w: f"/api/one-on-ones/{oo.open_one(w)}/notes", OO_API_RUN,
             data={"shared": "for Sam"}, unchanged=oo.no_shared_note)
    ],
    ("get", "/api/one-on-ones/{meeting_id}/private-note"): [
        Case("get", lambda w: f"/api/one-on-ones/{oo.meeting(w)}/private-note", OO_AUTHOR_ONLY)
    ],
    ("put", "/api/one-on-ones/{meeting_id}/private-note"): [
        Case("put", lambda w: f"/api/one-on-ones/{oo.meeting(w)}/private-note", OO_AUTHOR_ONLY,
             data={"text": "mine only"}, unchanged=oo.no_private_note)
    ],
    ("post", "/api/one-on-ones/{meeting_id}/close"): [
        Case("post", lambda w: f"/api/one-on-ones/{oo.open_one(w)}/close", OO_API_RUN,
             data={"summary": "Greeting first"}, unchanged=oo.not_closed)
    ],
}  # fmt: skip

# Delegation and attention (tests/delegation/matrix_cases.py).
PAGE_CASES |= dg.page_cases(Case)
API_CASES |= dg.api_cases(Case)

PAGE_CASES |= ingest_cases.page_cases(Case)
API_CASES |= ingest_cases.api_cases(Case)

# The inbox, notification choices and the calendar feed (tests/notify/matrix_cases.py).
PAGE_CASES |= notify_cases.page_cases(Case)

# Goals and scorecards (tests/goals/matrix_cases.py).
PAGE_CASES |= goal_cases.page_cases(Case)
API_CASES |= goal_cases.api_cases(Case)

# Framework pages with their own checks (the Django admin: operators only, every persona refused
# in tests/security/test_admin_scope.py; API docs: the public schema).
EXEMPT_PREFIXES = ("admin", "api/")


def _page_patterns() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                if not route.startswith(EXEMPT_PREFIXES):
                    walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and not route.startswith(EXEMPT_PREFIXES):
                names.add(p.name or route)

    walk(get_resolver().url_patterns, "")
    return names


def _api_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    return {
        (method.lower(), path)
        for path, ops in schema["paths"].items()
        for method in ops
        if path not in ("/api/openapi.json", "/api/docs")
    }


def test_every_url_is_in_the_matrix() -> None:
    assert _page_patterns() == set(PAGE_CASES)


def test_every_api_operation_is_in_the_matrix() -> None:
    assert _api_operations() == set(API_CASES)


def _request(client: Any, case: Case, path: str, world: World, **extra: Any) -> Any:
    data = case.data_fn(world) if case.data_fn else case.data
    if case.method == "get":
        return client.get(path, **extra)
    if case.method == "post" and not path.startswith("/api/"):  # the API takes JSON
        return client.post(path, data, **extra)
    return client.generic(
        case.method.upper(), path, __import__("json").dumps(data),
        content_type="application/json", **extra,
    )  # fmt: skip


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("name", "index"), [(n, i) for n, cases in PAGE_CASES.items() for i in range(len(cases))]
)
def test_page_permissions(world: World, client_for: Any, name: str, index: int, persona: str):
    case = PAGE_CASES[name][index]
    who = None if persona == "anon" else world.persona(persona)
    path = case.path(world)
    response = _request(client_for(who), case, path, world)
    expected = case.expect[persona]
    assert response.status_code == expected, f"{persona} {case.method.upper()} {path}"
    if case.unchanged is not None:
        denied = expected in (403, 404) or persona == "anon"
        assert case.unchanged(world) == denied, f"{persona} {path}: change should be {not denied}"
    if expected == LOGIN_REDIRECT and persona == "anon" and name not in ("logout", "home"):
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("op", "index"), [(op, i) for op, cases in API_CASES.items() for i in range(len(cases))]
)
def test_api_permissions(world: World, client_for: Any, op: tuple[str, str], index: int, persona):
    case = API_CASES[op][index]
    path = case.path(world)
    client = client_for(None)
    if persona == "anon":
        response = _request(client, case, path, world)
        assert response.status_code == 401
        return
    _, token = create_token(world.persona(persona), "matrix")
    response = _request(client, case, path, world, HTTP_AUTHORIZATION=f"Bearer {token}")
    expected = case.expect[persona]
    assert response.status_code == expected, f"{persona} {case.method.upper()} {path}"
    if case.unchanged is not None:
        denied = expected in (403, 404)
        assert case.unchanged(world) == denied, f"{persona} {path}: change should be {not denied}"
