"""Finding 1 (critical): the Django admin crossed orgs.

Org admins were Django superusers and ``/admin/`` is not scoped to an org: another org's admin
listed this org's people and notes, set a leader's password and signed in as her. Now org logins
are never staff, the admin site lets in only operators (superusers outside every org), and the
migration demotes logins that older versions made staff.
"""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from ninety.coaching.models import PrivateNote
from ninety.people.models import Person
from tests.conftest import PASSWORD, World

PERSONAS = ("rep", "teammate", "leader", "other_leader", "director", "admin", "outsider")


def _admin_urls() -> list[str]:
    """Every model page of the admin: index, and each registered model's list and add page."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    return urls


@pytest.mark.parametrize("persona", PERSONAS)
def test_finding1_no_org_login_opens_the_django_admin(world: World, client_for, persona: str):
    client = client_for(world.persona(persona))
    target = world.leader.user
    pages = [
        *_admin_urls(),
        reverse("admin:auth_user_change", args=[target.pk]),
        reverse("admin:auth_user_password_change", args=[target.pk]),
        reverse("admin:people_person_change", args=[world.leader.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_finding1_other_orgs_admin_cannot_set_a_password(world: World, client_for):
    client = client_for(world.outsider)
    target = world.leader.user
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    response = client.post(url, {"password1": "taken-over-9x!", "password2": "taken-over-9x!"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(PASSWORD)
    assert not target.check_password("taken-over-9x!")


def test_finding1_admin_login_form_refuses_org_admins(world: World, client):
    response = client.post(
        reverse("admin:login"), {"username": "riley", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 200  # the form again, with its error
    assert client.get(reverse("admin:people_person_changelist")).status_code == 302


def test_finding1_org_logins_are_never_staff(world: World):
    users = get_user_model().objects.filter(person__isnull=False)
    assert users.count() == 9
    assert not users.filter(is_staff=True).exists()
    assert not users.filter(is_superuser=True).exists()


def test_finding1_flags_set_by_hand_do_not_open_the_admin(world: World, client_for):
    """Even a login someone made superuser by hand stays out while it belongs to an org."""
    user = world.admin.user
    user.is_staff = user.is_superuser = True
    user.save()
    response = client_for(world.admin).get(reverse("admin:people_person_changelist"))
    assert response.status_code == 302


def test_finding1_migration_demotes_old_org_superusers(world: World):
    user = world.admin.user
    user.is_staff = user.is_superuser = True
    user.save()
    operator = get_user_model().objects.create_superuser("op", "", "x-operator-pass-1")
    migration = import_module("ninety.people.migrations.0002_org_logins_are_not_staff")
    migration.demote_org_logins(apps, None)
    user.refresh_from_db()
    operator.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert (operator.is_staff, operator.is_superuser) == (True, True)


def test_finding1_operator_uses_the_admin_and_no_private_notes_are_there(world: World, client):
    call_command("createoperator", "--username", "ops", "--password", "long-operator-pass-7")
    assert not Person.objects.filter(user__username="ops").exists()
    client.force_login(get_user_model().objects.get(username="ops"))
    response = client.get(reverse("admin:people_person_changelist"))
    assert response.status_code == 200
    assert "Dana" in response.content.decode()
    assert PrivateNote not in admin.site._registry


@pytest.mark.parametrize("command", ["createadmin", "createoperator"])
def test_finding7_commands_apply_the_password_validators(db: None, command: str):
    extra = ["--org", "Acme"] if command == "createadmin" else []
    for weak in ("password", "12345678901", "short"):
        with pytest.raises(CommandError, match="password"):
            call_command(command, *extra, "--username", "newbie", "--password", weak)
    assert not get_user_model().objects.filter(username="newbie").exists()
