"""Every page of Ninety for every persona, on the demo story: the phone-layout test walks it,
and ``scripts/screenshots.py`` photographs it for the docs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ninety.coaching.models import OneOnOne
from ninety.conversations.models import Conversation
from ninety.experiments.models import Experiment
from ninety.people.models import Org, Person, Role


@dataclass(frozen=True)
class Stop:
    name: str  # file name of the screenshot: <persona>-<name>.png
    path: str


def personas(org: Org) -> dict[str, Person]:
    """The story's people: leader Dana, director Morgan, rep Sam, high-potential Alex, the admin."""
    by_name = {p.name: p for p in Person.objects.filter(org=org).select_related("user")}
    admin = Person.objects.filter(org=org, role=Role.ADMIN).select_related("user").first()
    out = {
        "leader": by_name["Dana Reyes"],
        "director": by_name["Morgan Lee"],
        "rep": by_name["Sam Patel"],
        "delegate": by_name["Alex Kim"],
    }
    if admin is not None:
        out["admin"] = admin
    return out


def tour(org: Org, as_of: date | None = None) -> dict[str, list[Stop]]:
    """persona → the pages they use, in the order a person would (diagnosis pages as of
    ``as_of`` when given: a story simulated up to a past day)."""
    q = f"?as_of={as_of.isoformat()}" if as_of else ""
    # The period control: the month against the one before, the last 90 days against theirs.
    compare = f"?compare=1{'&as_of=' + as_of.isoformat() if as_of else ''}"
    people = personas(org)
    sam, dana = people["rep"], people["leader"]
    upcoming = OneOnOne.objects.filter(rep=sam, status=OneOnOne.Status.SCHEDULED).first()
    done = OneOnOne.objects.filter(rep=sam, status=OneOnOne.Status.DONE).first()
    experiment = Experiment.objects.filter(org=org).order_by("pk").first()
    call = Conversation.objects.filter(person=sam).order_by("-occurred_at").first()
    leader = [
        Stop("dashboard", f"/dashboard/{q}"),
        Stop("dashboard-compare", f"/dashboard/{compare}"),
        Stop("rep-page", f"/reps/{sam.pk}/{q}"),
        Stop("rep-page-compare", f"/reps/{sam.pk}/{compare}&period=last-90"),
        Stop("rep-goals", f"/goals/reps/{sam.pk}/{q}"),
        Stop("goals-import", "/goals/import/"),
        Stop("people", "/people/"),
        Stop("person", f"/people/{sam.pk}/"),
        Stop("playbook", "/playbook/"),
        Stop("playbook-edit", "/playbook/edit/"),
        Stop("playbook-versions", "/playbook/diff/"),
        Stop("experiments", "/experiments/"),
        Stop("experiment-new", "/experiments/new/"),
        Stop("one-on-ones", "/one-on-ones/"),
        Stop("import", "/import/"),
        Stop("call-import", "/calls/import/"),
        Stop("delegation", "/delegation/"),
        Stop("attention", "/attention/"),
        Stop("api-tokens", "/account/tokens/"),
        Stop("glossary", "/help/"),
        Stop("overview", f"/overview/{q}"),
        Stop("inbox", "/inbox/"),
        Stop("inbox-settings", "/inbox/settings/"),
        Stop("search", "/search/?q=Sam"),
    ]
    if experiment is not None:
        leader.insert(8, Stop("experiment", f"/experiments/{experiment.pk}/"))
    if call is not None:
        leader.insert(2, Stop("call", f"/calls/{call.pk}/"))
    if upcoming is not None:
        leader += [
            Stop("one-on-one-prep", f"/one-on-ones/{upcoming.pk}/prep/"),
            Stop("one-on-one-meeting", f"/one-on-ones/{upcoming.pk}/"),
        ]
    if done is not None:
        leader.append(Stop("one-on-one-summary", f"/one-on-ones/{done.pk}/summary/"))
    rep = [
        Stop("my-diagnosis", f"/reps/{sam.pk}/{q}"),
        Stop("my-diagnosis-compare", f"/reps/{sam.pk}/{compare}&period=last-30"),
        Stop("my-goals", f"/goals/reps/{sam.pk}/{q}"),
        Stop("one-on-ones", "/one-on-ones/"),
        Stop("playbook", "/playbook/"),
        Stop("experiments", "/experiments/"),
        Stop("delegation", "/delegation/"),
        Stop("profile", f"/people/{sam.pk}/"),
        Stop("inbox", "/inbox/"),
        Stop("not-yours", f"/reps/{dana.pk}/"),  # a 404 that says why
    ]
    if upcoming is not None:
        rep.append(Stop("self-report", f"/one-on-ones/{upcoming.pk}/"))
    if done is not None:
        rep.append(Stop("one-on-one-summary", f"/one-on-ones/{done.pk}/summary/"))
    out = {
        "leader": leader,
        "director": [
            Stop("dashboard", f"/dashboard/{q}"),
            Stop("overview", f"/overview/{q}"),
            Stop("attention", f"/attention/?leader={dana.pk}"),
            Stop("people", "/people/"),
        ],
        "rep": rep,
        "delegate": [Stop("delegation", "/delegation/"), Stop("one-on-ones", "/one-on-ones/")],
    }
    if "admin" in people:
        out["admin"] = [
            Stop("dashboard", f"/dashboard/{q}"),
            Stop("overview", f"/overview/{q}"),
            Stop("import", "/import/"),
            Stop("people", "/people/"),
            Stop("invitations", "/people/invitations/"),
            Stop("attention", "/attention/"),
        ]
    return out


ANONYMOUS = [
    Stop("login", "/login/"),
    Stop("not-found", "/no-such-page/"),
    Stop("invitation", "/account/invitation/no-such-link/"),
]
