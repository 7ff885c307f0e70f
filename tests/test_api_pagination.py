"""Every API list is paged the same way: ``limit`` (at most MAX_LIMIT) and ``offset``, the total
``count``, ``next`` and ``previous`` links that keep the other parameters."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from ninety.api.services import create_token
from ninety.people.pagination import DEFAULT_LIMIT, MAX_LIMIT
from tests.conftest import World
from tests.playbook import matrix_helpers as pb
from tests.test_permission_lists import API_LISTS, QUERY, _populate

# /api/delegation/suggestions answers one coachee's suggestions, not a list of objects.
PAGED = [path for path in API_LISTS if path != "/api/delegation/suggestions"]


def _get(w: World, persona: str, url: str) -> Any:
    _, token = create_token(w.persona(persona), "pages")
    return Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}")


def _url(w: World, path: str, **params: object) -> str:
    query = QUERY[path](w) if path in QUERY else "?"
    extra = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{path}{query}{'&' if query != '?' else ''}{extra}"


def test_the_schema_documents_the_page_parameters_and_envelope_of_every_list(db: None) -> None:
    schema = Client().get("/api/openapi.json").json()
    for path in PAGED:
        operation = schema["paths"][path]["get"]
        params = {p["name"]: p["schema"] for p in operation["parameters"]}
        assert params["limit"]["maximum"] == MAX_LIMIT, path
        assert params["limit"]["default"] == DEFAULT_LIMIT, path
        assert params["offset"]["minimum"] == 0, path
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert {"count", "next", "previous", "items"} <= set(body["properties"]), path


@pytest.mark.parametrize("path", PAGED)
def test_a_page_over_the_maximum_is_refused_and_the_maximum_is_served(
    world: World, path: str
) -> None:
    pb.acme_playbook(world)
    assert _get(world, "admin", _url(world, path, limit=MAX_LIMIT + 1)).status_code == 422
    assert _get(world, "admin", _url(world, path, limit=0)).status_code == 422
    assert _get(world, "admin", _url(world, path, offset=-1)).status_code == 422
    assert _get(world, "admin", _url(world, path, limit=MAX_LIMIT)).status_code == 200


@pytest.mark.parametrize("path", PAGED)
def test_walking_next_one_item_at_a_time_gives_the_whole_list_once(world: World, path: str) -> None:
    _populate(world)
    whole = _get(world, "admin", _url(world, path)).json()
    assert whole["next"] is None and whole["previous"] is None
    assert whole["count"] == len(whole["items"]) >= 1
    seen: list[Any] = []
    url: str | None = _url(world, path, limit=1)
    while url:
        page = _get(world, "admin", url).json()
        assert page["count"] == whole["count"] and len(page["items"]) == 1
        assert (page["previous"] is None) == (not seen)
        seen += page["items"]
        url = page["next"]
    assert seen == whole["items"]


def test_next_and_previous_keep_the_filters_and_step_by_the_limit(world: World) -> None:
    url = f"/api/people?team={world.crew.pk}&limit=1&offset=1"
    page = _get(world, "director", url).json()
    # Crew: Sam and Alex; the director sees both.
    assert page["count"] == 2 and [p["name"] for p in page["items"]] == ["Sam"]
    assert page["next"] is None
    previous = urlsplit(page["previous"])
    assert previous.scheme == "http" and previous.path == "/api/people"
    assert parse_qs(previous.query) == {
        "team": [str(world.crew.pk)],
        "limit": ["1"],
        "offset": ["0"],
    }
    first = _get(world, "director", f"{previous.path}?{previous.query}").json()
    assert [p["name"] for p in first["items"]] == ["Alex"]
    assert parse_qs(urlsplit(first["next"]).query)["offset"] == ["1"]


def test_an_offset_past_the_end_is_an_empty_page_with_the_count(world: World) -> None:
    page = _get(world, "admin", "/api/people?offset=500").json()
    assert page["count"] == 7 and page["items"] == [] and page["next"] is None
    assert parse_qs(urlsplit(page["previous"]).query)["offset"] == ["300"]


def test_a_rep_pages_only_through_what_the_rep_may_see(world: World) -> None:
    page = _get(world, "rep", "/api/people?limit=1").json()
    assert page["count"] == 1 and [p["name"] for p in page["items"]] == ["Sam"]
    assert page["next"] is None
