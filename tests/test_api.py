"""The REST API: schema, docs without a CDN, hashed tokens, pagination."""

from __future__ import annotations

import re

from django.test import Client

from ninety.api.models import PersonalAccessToken
from ninety.api.services import create_token, revoke_token
from tests.conftest import World


def test_it_serves_the_openapi_schema(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/people/{person_id}" in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["PersonSessionAuth"]["in"] == "cookie"


def test_the_docs_page_loads_nothing_from_a_cdn(db: None) -> None:
    html = Client().get("/api/docs").content.decode()
    assert "swagger-ui-bundle.js" in html
    # Every script and stylesheet from this server (the page's random CSRF token may hold "cdn").
    links = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert links and all(link.startswith("/") for link in links), links
    assert "/static/ninja/" in html


def test_it_stores_only_a_hash_of_the_token(world: World) -> None:
    record, token = create_token(world.leader, "sync")
    assert token not in str(PersonalAccessToken.objects.filter(pk=record.pk).values().get())
    response = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.json()["name"] == "Dana"


def test_a_revoked_token_is_refused(world: World) -> None:
    record, token = create_token(world.leader, "sync")
    assert revoke_token(world.leader, record.pk)
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_token_cannot_be_revoked_by_someone_else(world: World) -> None:
    record, token = create_token(world.leader, "sync")
    assert not revoke_token(world.admin, record.pk)
    assert Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_the_people_endpoint_lists_what_the_caller_may_see(world: World) -> None:
    _, token = create_token(world.director, "t")
    body = Client().get("/api/people", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["count"] == 6
    assert {p["name"] for p in body["items"]} == {"Morgan", "Dana", "Chris", "Sam", "Alex", "Grace"}


def test_a_leader_marks_high_potential_through_the_api(world: World) -> None:
    _, token = create_token(world.leader, "t")
    response = Client().patch(
        f"/api/people/{world.rep.pk}",
        '{"high_potential": true}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.json()["high_potential"] is True
    world.rep.refresh_from_db()
    assert world.rep.high_potential


def test_the_session_api_needs_a_csrf_token_for_writes(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.leader.user)
    assert client.get("/api/me").status_code == 200
    response = client.patch(
        f"/api/people/{world.rep.pk}", '{"high_potential": true}', content_type="application/json"
    )
    assert response.status_code in (401, 403)
    world.rep.refresh_from_db()
    assert not world.rep.high_potential


def test_the_tokens_page_shows_a_new_token_once(world: World, client_for) -> None:
    client = client_for(world.rep)
    html = client.post("/account/tokens/", {"name": "laptop"}).content.decode()
    assert "nty_" in html
    again = client.get("/account/tokens/").content.decode()
    assert "laptop" in again and "nty_" in again  # the prefix only
    record = PersonalAccessToken.objects.get(person=world.rep)
    assert again.count(record.prefix) == 1
