"""A person imported from a roster gets a login from the product: ``ninety invite``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from ninety.people.models import Org, Person, Role


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
    form = client.get(path, follow=True)
    assert b"Choose your password" in form.content and b"dustin-brinkmann" in form.content
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-long-new-secret-42", "new_password2": "a-long-new-secret-42"},
    )
    assert done.status_code == 302
    person.user.refresh_from_db()
    assert person.user.check_password("a-long-new-secret-42")
    assert client.get("/people/").status_code == 200  # signed in
    again = client.get(path, follow=True)  # the link works once
    assert b"used already or has expired" in again.content
