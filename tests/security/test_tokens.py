"""Finding 2 (high): API tokens outlived the login; finding 7: bad-token writes answered 403.

A token now answers only while its person and login are active, the login's password is the
one it was made under, and it has not expired. A request carrying a bad token is a 401.
"""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from ninety.api.models import PersonalAccessToken
from ninety.api.services import create_token
from ninety.people.models import Person
from tests.conftest import World


def _get(token: str) -> int:
    return Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_finding2_a_live_token_answers(world: World):
    _, token = create_token(world.leader, "cli")
    assert _get(token) == 200
    me = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me["name"] == "Dana"


def test_finding2_token_ends_when_the_login_is_deactivated(world: World):
    _, token = create_token(world.leader, "cli")
    user = world.leader.user
    user.is_active = False
    user.save()
    assert _get(token) == 401


def test_finding2_token_ends_when_the_person_is_deactivated(world: World):
    _, token = create_token(world.leader, "cli")
    Person.objects.filter(pk=world.leader.pk).update(is_active=False)
    assert _get(token) == 401


def test_finding2_token_ends_when_the_login_is_deleted(world: World):
    _, token = create_token(world.leader, "cli")
    world.leader.user.delete()
    assert PersonalAccessToken.objects.filter(person=world.leader).exists()
    assert _get(token) == 401


def test_finding2_token_ends_when_the_password_changes(world: World):
    _, token = create_token(world.leader, "cli")
    user = world.leader.user
    user.set_password("a-brand-new-passphrase")
    user.save()
    assert _get(token) == 401
    _, fresh = create_token(Person.objects.get(pk=world.leader.pk), "cli again")
    assert _get(fresh) == 200


def test_finding2_token_expires(world: World, settings):
    record, token = create_token(world.leader, "cli")
    assert record.expires_at - record.created_at >= timedelta(days=settings.NINETY_TOKEN_DAYS - 1)
    PersonalAccessToken.objects.filter(pk=record.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert _get(token) == 401


def test_finding7_a_write_with_a_bad_token_is_401_not_a_csrf_403(world: World):
    for header in ("Bearer nty_not-a-token", "Bearer something", "Basic dXNlcjpwYXNz"):
        response = Client().patch(
            f"/api/people/{world.rep.pk}",
            {"high_potential": True},
            content_type="application/json",
            HTTP_AUTHORIZATION=header,
        )
        assert response.status_code == 401, header
    assert not Person.objects.get(pk=world.rep.pk).high_potential


def test_finding7_a_bad_token_does_not_fall_back_to_the_session(world: World, client_for):
    client = client_for(world.leader)
    assert client.get("/api/me").status_code == 200
    assert client.get("/api/me", HTTP_AUTHORIZATION="Bearer nty_revoked").status_code == 401
