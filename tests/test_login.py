"""Login: Argon2 hashes, throttling after repeated failures, logout."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import PASSWORD, World


@pytest.mark.real_hasher
def test_it_stores_passwords_with_argon2(db: None) -> None:
    from ninety.people.models import Org
    from ninety.people.services import create_person

    org = Org.objects.create(name="A", slug="a")
    create_person(org, "Pat", username="pat", password="a-long-passphrase")
    user = get_user_model().objects.get(username="pat")
    assert user.password.startswith("argon2$")
    assert user.check_password("a-long-passphrase")


def test_it_signs_in_with_the_right_password(world: World) -> None:
    client = Client()
    response = client.post("/login/", {"username": "dana", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/people/").status_code == 200


def test_it_refuses_a_wrong_password(world: World) -> None:
    client = Client()
    response = client.post("/login/", {"username": "dana", "password": "nope"})
    assert response.status_code == 200
    assert b"did not match" in response.content
    assert client.get("/people/").status_code == 302


def test_it_locks_a_login_after_five_failures(world: World) -> None:
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "dana", "password": "wrong"})
    # Even the right password is refused while locked out.
    response = client.post("/login/", {"username": "dana", "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.content
    assert client.get("/people/").status_code == 302
    # Another username from the same address is not affected.
    assert client.post("/login/", {"username": "sam", "password": PASSWORD}).status_code == 302


def test_it_signs_out(world: World, client_for) -> None:
    client = client_for(world.leader)
    assert client.post("/logout/").status_code == 302
    assert client.get("/people/").status_code == 302


def test_a_login_without_a_person_gets_403(db: None) -> None:
    user = get_user_model().objects.create_user("ghost", password=PASSWORD)
    client = Client()
    client.force_login(user)
    assert client.get("/people/").status_code == 403
