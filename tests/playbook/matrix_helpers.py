"""Objects the permission matrix needs for the playbook rows (created inside each test's world)."""

from __future__ import annotations

from ninety.core.playbook_spec import default_playbook
from ninety.playbook.models import Behavior, Playbook, Stage, Way
from ninety.playbook.services import current_playbook, install_playbook, propose_way, start_draft
from tests.conftest import World

GREETING = "compelling-reason-to-speak"


def acme_playbook(w: World) -> Playbook:
    return current_playbook(w.org) or install_playbook(w.org, default_playbook())


def acme_greeting(w: World) -> int:
    return acme_playbook(w).stages.get(key="conversation").behaviors.get(key=GREETING).pk


def sams_proposal(w: World) -> int:
    behavior = Behavior.objects.get(pk=acme_greeting(w))
    return propose_way(w.rep, behavior, "Mention the neighbour who switched").pk


def acme_draft(w: World) -> Playbook:
    acme_playbook(w)
    return start_draft(w.org)


def draft_greeting_stage(w: World) -> int:
    return acme_draft(w).stages.get(key="conversation").pk


def draft_greeting_behavior(w: World) -> int:
    return Stage.objects.get(pk=draft_greeting_stage(w)).behaviors.get(key=GREETING).pk


def no_playbook_anywhere(w: World) -> bool:
    return not Playbook.objects.exists()


def no_rep_proposal(w: World) -> bool:
    return not Way.objects.filter(status=Way.Status.PROPOSED).exists()


def proposal_undecided(w: World) -> bool:
    return Way.objects.filter(source="rep").exclude(status=Way.Status.PROPOSED).count() == 0


def no_draft(w: World) -> bool:
    return not Playbook.objects.filter(status=Playbook.Status.DRAFT).exists()


def draft_greeting_unchanged(w: World) -> bool:
    return Stage.objects.get(playbook__status="draft", key="conversation").name == "Greeting"


def draft_ways_unchanged(w: World) -> bool:
    return not Way.objects.filter(behavior__stage__playbook__status="draft", text="New").exists()


def draft_unpublished(w: World) -> bool:
    return not Playbook.objects.filter(org=w.org, version=2, status="published").exists()


def no_imported_playbook(w: World) -> bool:
    return not Playbook.objects.filter(name="X").exists()
