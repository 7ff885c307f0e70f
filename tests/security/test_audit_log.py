"""The audit log: who changed playbooks, quotas, people and roles, and one-on-one notes — seen by
the org's admins only, never another org's entries, never a private note's text."""

from __future__ import annotations

from auditlog.models import LogEntry

from ninety.activity.models import Quota
from ninety.coaching.services import open_meeting, save_notes
from ninety.people.models import Person
from tests.coaching.conftest import AS_OF, sams_meeting
from tests.conftest import World
from tests.playbook import matrix_helpers as pb

SECRET = "thinks about leaving in spring"


def _changes(w: World, client_for) -> None:  # type: ignore[no-untyped-def]
    leader = client_for(w.leader)
    response = leader.post(f"/people/{w.rep.pk}/high-potential/", {"high_potential": "on"})
    assert response.status_code == 302
    pb.acme_playbook(w)
    Quota.objects.create(person=w.rep, period="2026-11", amount=1000)
    meeting = sams_meeting(w)
    open_meeting(meeting, by=w.leader, as_of=AS_OF)
    save_notes(meeting, by=w.leader, private=SECRET, shared="Greeting first")
    role = Person.objects.get(pk=w.teammate.pk)
    role.role = "leader"
    role.save()
    Person.objects.filter(pk=w.outsider_rep.pk).first().save()  # the other org's change


def test_the_org_admin_reads_who_changed_what(world: World, client_for):
    _changes(world, client_for)
    response = client_for(world.admin).get("/audit/")
    assert response.status_code == 200
    body = response.content.decode()
    kinds = {line.split('"')[1] for line in body.splitlines() if "data-entry=" in line}
    assert {"person", "playbook", "quota", "oneonone", "privatenote"} <= kinds
    assert "Dana" in body and "high_potential" in body and "role" in body
    assert SECRET not in body
    assert "Oscar" not in body  # another org's person


def test_no_private_note_text_is_ever_stored_in_the_log(world: World, client_for):
    _changes(world, client_for)
    assert LogEntry.objects.filter(content_type__model="privatenote").exists()
    for entry in LogEntry.objects.all():
        assert SECRET not in str(entry.changes), entry


def test_the_other_orgs_admin_sees_none_of_it(world: World, client_for):
    _changes(world, client_for)
    body = client_for(world.outsider).get("/audit/").content.decode()
    for name in ("Sam", "Dana", "Alex", "Quota"):
        assert name not in body.split("<tbody>")[1], name
    assert "Oscar" in body


def test_only_admins_read_it(world: World, client_for):
    for persona in ("rep", "leader", "director"):
        assert client_for(world.persona(persona)).get("/audit/").status_code == 403
