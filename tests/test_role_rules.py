"""The gate's role-level rules (``people/permissions.py``), persona by persona: views and the API
ask these instead of comparing roles inline (``tests/test_architecture.py`` forbids that), so a
wrong answer here is a wrong page or endpoint for that persona."""

from __future__ import annotations

import pytest

from ninety.coaching.permissions import can_read_prep
from ninety.coaching.services import delegate_meeting
from ninety.people.permissions import (
    can_read_audit,
    can_shape_org,
    has_diagnosis_page,
    leads_one_on_ones,
    manages_org,
    sees_only_self,
)
from tests.coaching import matrix_helpers as oo
from tests.coaching.conftest import sams_meeting
from tests.conftest import World

PERSONAS = ["admin", "director", "leader", "other_leader", "rep", "teammate", "outsider"]
#: persona -> (sees_only_self, leads_one_on_ones, manages_org, can_shape_org, has_diagnosis_page)
EXPECTED = {
    "admin": (False, False, True, True, False),
    "director": (False, True, False, True, False),
    "leader": (False, True, False, True, False),
    "other_leader": (False, True, False, True, False),
    "rep": (True, False, False, False, True),
    "teammate": (True, False, False, False, True),
    "outsider": (False, False, True, True, False),
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_rule_for_each_persona(world: World, persona: str) -> None:
    p = world.persona(persona)
    got = (
        sees_only_self(p),
        leads_one_on_ones(p),
        manages_org(p),
        can_shape_org(p),
        has_diagnosis_page(p),
    )
    assert got == EXPECTED[persona]
    assert can_read_audit(p) is EXPECTED[persona][2]


def test_signed_out_gets_nothing() -> None:
    assert not any(f(None) for f in (sees_only_self, leads_one_on_ones, manages_org, can_shape_org))
    assert not can_read_audit(None)


@pytest.mark.django_db
def test_the_prep_sheet_is_for_those_above_the_rep_and_whoever_runs_the_meeting(
    world: World,
) -> None:
    meeting = sams_meeting(world)  # Dana with Sam
    readers = {n for n in PERSONAS if can_read_prep(world.persona(n), meeting)}
    # The rep and a teammate do not read it; leaders and admins do (the pages then scope them
    # to meetings they may see at all, which the permission matrix checks).
    assert readers == {"admin", "director", "leader", "other_leader", "outsider"}
    assert not can_read_prep(None, meeting)
    # Alex (a high-potential rep) reads it while holding the opened meeting for Dana.
    meeting.refresh_from_db()
    oo.open_one(world)
    meeting.refresh_from_db()
    delegate_meeting(meeting, by=world.leader, delegate=world.teammate)
    assert can_read_prep(world.teammate, meeting)
    assert not can_read_prep(world.rep, meeting)
