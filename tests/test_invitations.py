"""A person imported from a roster gets a login from the product: the admin's invitations page
(``/people/invitations/``) and ``ninety invite``; the one-time link where they choose a password."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from ninety.people.invitations import invite
from ninety.people.models import Invitation, Org, Person, Role
from tests.conftest import World

NEW_PASSWORD = "a-long-new-secret-42"


def _choose_password(client: Any, path: str) -> Any:
    return client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


@pytest.mark.django_db
def test_an_invited_leader_chooses_a_password_and_is_signed_in(client) -> None:  # type: ignore[no-untyped-def]
    org = Org.objects.create(name="Maven", slug="maven")
    Person.objects.create(org=org, name="Dustin Brinkmann", role=Role.LEADER)
    out = io.StringIO()
    call_command("invite", "dustin brinkmann", stdout=out)
    link = out.getvalue().strip().splitlines()[-1]
    person = Person.objects.get(name="Dustin Brinkmann")
    assert person.user is not None and not person.user.has_usable_password()
    assert person.user.username == "dustin-brinkmann"
    path = link.removeprefix("http://127.0.0.1:8000")
    form = client.get(path)
    assert b"Choose your password" in form.content and b"dustin-brinkmann" in form.content
    done = _choose_password(client, path)
    assert done.status_code == 302
    person.user.refresh_from_db()
    assert person.user.check_password(NEW_PASSWORD)
    assert client.get("/people/").status_code == 200  # signed in
    again = client.get(path)  # the link works once
    assert b"used already, has expired or was revoked" in again.content
    assert Invitation.objects.get(person=person).status() == Invitation.Status.USED


def _newcomer(org: Org, name: str = "Nia Newcomer", email: str = "nia@example.com") -> Person:
    return Person.objects.create(org=org, name=name, email=email, role=Role.REP)


def test_the_admin_sees_who_has_no_login_and_invites_them(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    nia = _newcomer(world.org)
    _newcomer(world.other_org, "Otto Other", "otto@example.com")
    admin = client_for(world.admin)
    page = admin.get("/people/invitations/").content.decode()
    assert "Nia Newcomer" in page
    assert "Otto Other" not in page  # another org's people never show
    assert "Sam" not in page  # Sam signs in already
    created = admin.post("/people/invitations/new/", {"person": nia.pk})
    assert created.status_code == 200
    html = created.content.decode()
    link = re.search(r'data-testid="invitation-link">([^<]+)<', html).group(1)  # type: ignore[union-attr]
    assert link.startswith("http://testserver/account/invitation/")
    # E-mailed through Django's e-mail framework, with the same link and the sign-in name.
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nia@example.com"]
    assert link in mail.outbox[0].body and "nia" in mail.outbox[0].body
    record = Invitation.objects.get(person=nia)
    assert record.created_by == world.admin and record.sent_to == "nia@example.com"
    assert record.token_hash not in html and link.rsplit("/", 2)[-2] not in record.token_hash
    # The person opens it, chooses a password, is signed in; the page then says "used".
    newcomer = client_for(None)
    assert _choose_password(newcomer, link.removeprefix("http://testserver")).status_code == 302
    assert newcomer.get("/people/").status_code == 200
    after = admin.get("/people/invitations/").content.decode()
    assert "status-used" in after
    assert 'aria-label="Invite Nia Newcomer"' not in after  # she can sign in now


def test_revoked_and_expired_links_stop_working(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    nia, ned = _newcomer(world.org), _newcomer(world.org, "Ned New", "")
    revoked, revoked_path = invite(nia, by=world.admin)
    expired, expired_path = invite(ned, by=world.admin)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    admin = client_for(world.admin)
    assert admin.post(f"/people/invitations/{revoked.pk}/revoke/").status_code == 302
    assert admin.post(f"/people/invitations/{revoked.pk}/revoke/").status_code == 404  # once
    anyone = client_for(None)
    for path in (revoked_path, expired_path):
        assert b"used already, has expired or was revoked" in anyone.get(path).content
        assert _choose_password(anyone, path).status_code == 200  # the form is not offered
    nia.user.refresh_from_db()  # type: ignore[union-attr]
    assert not nia.user.has_usable_password()  # type: ignore[union-attr]
    page = admin.get("/people/invitations/").content.decode()
    assert "status-revoked" in page and "status-expired" in page
    assert admin.post(f"/people/invitations/{expired.pk}/revoke/").status_code == 404


def test_a_new_invitation_replaces_the_pending_one(world: World) -> None:
    nia = _newcomer(world.org)
    first, first_path = invite(nia)
    second, second_path = invite(nia)
    first.refresh_from_db()
    assert first.status() == Invitation.Status.REVOKED
    assert second.status() == Invitation.Status.PENDING and first_path != second_path
    assert Person.objects.get(pk=nia.pk).user_id == first.person.user_id  # one login


def test_nobody_but_the_orgs_admin_invites(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    """Persona by persona: leaders, the director and reps get 403; another org's admin 404."""
    nia = _newcomer(world.org)
    record, _ = invite(nia)
    for persona in ("rep", "teammate", "leader", "other_leader", "director"):
        client = client_for(world.persona(persona))
        assert client.get("/people/invitations/").status_code == 403, persona
        assert client.post("/people/invitations/new/", {"person": nia.pk}).status_code == 403
        assert client.post(f"/people/invitations/{record.pk}/revoke/").status_code == 403
    olive = client_for(world.outsider)
    page = olive.get("/people/invitations/").content.decode()
    assert "Nia Newcomer" not in page
    assert olive.post("/people/invitations/new/", {"person": nia.pk}).status_code == 404
    assert olive.post(f"/people/invitations/{record.pk}/revoke/").status_code == 404
    assert olive.post("/people/invitations/new/", {"person": "x"}).status_code == 404
    assert Invitation.objects.count() == 1
    record.refresh_from_db()
    assert record.status() == Invitation.Status.PENDING


def test_someone_who_signs_in_already_is_not_invited(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    admin = client_for(world.admin)
    response = admin.post("/people/invitations/new/", {"person": world.rep.pk}, follow=True)
    assert b"can sign in already" in response.content
    assert not Invitation.objects.exists()
