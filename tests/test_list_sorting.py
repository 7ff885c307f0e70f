"""Sort and filter on the list pages (``ninety.people.listing``): the order and the set change as
asked, bad values are ignored, headers keep the other parameters and mark the current sort, and
sorting or filtering never shows a persona more than the unsorted list did."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory

from ninety.coaching.services import schedule_series
from ninety.delegation import services as delegation
from ninety.ingest.models import ImportBatch
from ninety.people.listing import Filter, ListSpec, Sort, listing
from ninety.people.models import Person
from tests.conftest import World
from tests.test_permission_lists import PAGE_LISTS, _populate

SPEC = ListSpec(
    sorts={"name": Sort("Name", ("name",)), "score": Sort("Score", ("score", "name"))},
    default="-score",
    search=("name",),
    filters={"kind": Filter("Kind", "kind", (("a", "A"), ("b", "B")))},
)
ROWS = [
    {"name": "bea", "score": 2, "kind": "a"},
    {"name": "Al", "score": None, "kind": "b"},
    {"name": "cy", "score": 5, "kind": "a"},
]


def _rows(query: str) -> Any:
    return listing(RequestFactory().get(f"/x/{query}"), ROWS, SPEC)


def test_rows_sort_by_a_whitelisted_key_either_way_empties_last() -> None:
    assert [r["name"] for r in _rows("")] == ["cy", "bea", "Al"]  # the default: -score
    assert [r["name"] for r in _rows("?sort=score")] == ["bea", "cy", "Al"]
    assert [r["name"] for r in _rows("?sort=name")] == ["Al", "bea", "cy"]  # case folded
    assert [r["name"] for r in _rows("?sort=-name")] == ["cy", "bea", "Al"]


@pytest.mark.parametrize("bad", ["kind", "--name", "__class__", "name;drop", "-", "%00"])
def test_a_bad_sort_is_ignored(bad: str) -> None:
    got = _rows(f"?sort={bad}")
    assert got.sort == "-score" and [r["name"] for r in got] == ["cy", "bea", "Al"]


def test_q_and_filters_narrow_and_a_value_outside_the_choices_is_ignored() -> None:
    assert [r["name"] for r in _rows("?q=A")] == ["bea", "Al"]
    assert [r["name"] for r in _rows("?kind=a&sort=name")] == ["bea", "cy"]
    assert [r["name"] for r in _rows("?kind=zzz")] == ["cy", "bea", "Al"]
    assert _rows("?kind=zzz").chosen == {}


def test_headers_flip_the_direction_keep_other_parameters_and_drop_the_page() -> None:
    got = _rows("?sort=name&kind=a&period=2026-11&page=3")
    name, score = got.header("name"), got.header("score")
    assert (name.aria_sort, score.aria_sort) == ("ascending", "none")
    assert parse_qs(urlsplit(name.url).query) == {
        "sort": ["-name"], "kind": ["a"], "period": ["2026-11"]
    }  # fmt: skip
    assert parse_qs(urlsplit(score.url).query)["sort"] == ["score"]
    assert _rows("?sort=-name").header("name").aria_sort == "descending"
    assert parse_qs(urlsplit(_rows("?sort=-name").header("name").url).query)["sort"] == ["name"]
    assert ("period", "2026-11") in got.kept and ("page", "3") not in got.kept


def _names(response: Any) -> list[str]:
    return [p.name for g in response.context["groups"] for p in g.people]


def test_the_people_page_sorts_within_each_team_and_marks_the_header(
    world: World, client_for: Any
) -> None:
    client = client_for(world.admin)
    by_name = client.get("/people/?sort=-name")
    crew = next(g for g in by_name.context["groups"] if g.team == world.crew)
    assert [p.name for p in crew.people] == ["Sam", "Alex"]
    html = by_name.content.decode()
    assert re.search(r'aria-sort="descending"><a href="\?sort=name"', html)
    assert 'aria-sort="none"><a href="?sort=role"' in html
    asc = client.get("/people/?sort=name")
    crew = next(g for g in asc.context["groups"] if g.team == world.crew)
    assert [p.name for p in crew.people] == ["Alex", "Sam"]


def test_the_people_page_filters_by_name_role_team_and_high_potential(
    world: World, client_for: Any
) -> None:
    client = client_for(world.admin)
    assert _names(client.get("/people/?q=RA")) == ["Grace"]  # Grace: gRAce; none else has "ra"
    assert set(_names(client.get("/people/?role=rep"))) == {"Sam", "Alex", "Grace"}
    assert set(_names(client.get(f"/people/?team={world.crew.pk}"))) == {"Sam", "Alex"}
    assert _names(client.get("/people/?high_potential=True")) == ["Alex"]
    # Another org's team is not a choice: ignored, everyone the admin sees is listed.
    everyone = client.get(f"/people/?team={world.other_team.pk}")
    assert len(_names(everyone)) == Person.objects.filter(org=world.org).count()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("rep", {"Sam"}),
        ("leader", {"Dana", "Sam", "Alex"}),
        ("other_leader", {"Chris", "Grace"}),
        ("outsider", {"Olive", "Oscar"}),
    ],
)
def test_sorting_or_filtering_people_never_shows_more(
    world: World, client_for: Any, persona: str, expected: set[str]
) -> None:
    client = client_for(world.persona(persona))
    for query in ("?sort=-email", "?sort=role", f"?team={world.closers.pk}", "?q=a", "?q=o"):
        got = set(_names(client.get(f"/people/{query}")))
        assert got <= expected, (persona, query)
    assert set(_names(client.get("/people/?sort=-name"))) == expected


def _batch(w: World, by: Person, name: str, kind: str, rejected: int) -> None:
    ImportBatch.objects.create(
        org=w.org, created_by=by, kind=kind, file_name=name, sha256=name, rejected=rejected,
        status=ImportBatch.Status.DONE,
    )  # fmt: skip


def test_past_imports_sort_and_filter_within_what_each_importer_sees(
    world: World, client_for: Any
) -> None:
    _batch(world, world.admin, "people.csv", "people", 0)
    _batch(world, world.leader, "calls-b.csv", "activities", 5)
    _batch(world, world.leader, "calls-a.csv", "activities", 2)
    _batch(world, world.other_leader, "deals.csv", "deals", 9)

    def files(persona: str, query: str) -> list[str]:
        response = client_for(world.persona(persona)).get(f"/import/{query}")
        return [b.file_name for b in response.context["history"]]

    assert files("admin", "?sort=-rejected") == [
        "deals.csv",
        "calls-b.csv",
        "calls-a.csv",
        "people.csv",
    ]
    assert files("admin", "?sort=file&kind=activities") == ["calls-a.csv", "calls-b.csv"]
    assert files("admin", "?q=DEAL") == ["deals.csv"]
    # A leader sees their own imports only, however sorted or filtered.
    assert files("leader", "?sort=-rejected") == ["calls-b.csv", "calls-a.csv"]
    assert files("leader", "?kind=deals") == []
    assert files("other_leader", "?sort=file") == ["deals.csv"]


def test_one_on_ones_sort_by_rep_and_filter_by_rep_and_status(
    world: World, client_for: Any
) -> None:
    schedule_series(world.leader, world.rep, start=date(2026, 11, 2))
    schedule_series(world.leader, world.teammate, start=date(2026, 11, 3))
    client = client_for(world.leader)

    def reps(query: str) -> list[str]:
        return [m.rep.name for m in client.get(f"/one-on-ones/{query}").context["meetings"]]

    by_rep = reps("?sort=rep")
    assert by_rep == sorted(by_rep) and by_rep[0] == "Alex" and by_rep[-1] == "Sam"
    assert reps("?sort=-rep")[0] == "Sam"
    assert set(reps(f"?rep={world.rep.pk}")) == {"Sam"}
    assert reps("?status=done") == []
    assert set(reps("?q=ale")) == {"Alex"}
    # Grace (Chris's rep) is no choice of Dana's: the filter is ignored, never widened.
    assert set(reps(f"?rep={world.other_rep.pk}")) == {"Sam", "Alex"}
    # Sam asking for Alex's: Alex is no choice of Sam's, so Sam sees his own, as unfiltered.
    sams = client_for(world.rep).get(f"/one-on-ones/?rep={world.teammate.pk}&sort=-rep")
    assert {m.rep.name for m in sams.context["meetings"]} == {"Sam"}


def test_the_audit_log_sorts_both_ways_and_filters_by_kind(world: World, client_for: Any) -> None:
    client = client_for(world.admin)
    newest = [e.pk for e in client.get("/audit/").context["entries"]]
    oldest = [e.pk for e in client.get("/audit/?sort=when").context["entries"]]
    assert len(newest) > 3 and oldest == newest[::-1]
    teams = client.get("/audit/?kind=team").context["entries"]
    assert {e.content_type.model for e in teams} == {"team"} and len(
        teams
    ) == 3  # West, Crew, Closers
    crew = client.get("/audit/?q=Crew&kind=team").context["entries"]
    assert [e.object_repr for e in crew] == ["Crew"]


# Each list page with a persona-by-persona row in test_permission_lists, sorted and filtered:
# never anything outside what the unsorted page showed that persona.
NARROWING = {
    "/people/": ("sort=-email", "sort=high_potential", "q=a", "role=rep"),
    "/one-on-ones/": ("sort=rep", "sort=-talk", "status=scheduled", "q=sam"),
    "/inbox/": ("sort=kind", "show=unread", "kind=self_report_written", "q=sam"),
}


@pytest.mark.parametrize("path", list(NARROWING))
def test_sorted_and_filtered_pages_hold_no_more_than_each_persona_may_see(
    world: World, client_for: Any, path: str
) -> None:
    _populate(world)
    read, expected = PAGE_LISTS[path]
    for persona, allowed in expected.items():
        client = client_for(world.persona(persona))
        for query in NARROWING[path]:
            response = client.get(f"{path}?{query}")
            assert response.status_code == 200
            assert read(response.context) <= allowed, (persona, query)


def test_experiments_sort_and_filter_by_status_for_each_persona(
    world: World, client_for: Any
) -> None:
    _populate(world)  # one running experiment on Sam

    def subjects(persona: str, query: str) -> set[str]:
        ctx = client_for(world.persona(persona)).get(f"/experiments/{query}").context
        return {s.name for e in ctx["list"] for s in e.subjects.all()}

    assert subjects("leader", "?status=running&sort=-verdict") == {"Sam"}
    assert subjects("leader", "?status=concluded") == set()
    assert subjects("leader", "?q=zzz-no-such-hypothesis") == set()
    assert subjects("other_leader", "?status=running&sort=start") == set()
    assert subjects("rep", "?sort=metric") == {"Sam"}


def test_the_task_register_sorts_and_filters_the_leaders_own_tasks(
    world: World, client_for: Any
) -> None:
    for title, minutes in (("B report", 30), ("A schedule", 90), ("C forecast", 10)):
        delegation.create_task(
            world.leader, title, category="reviewing_reports", estimated_minutes=minutes
        )
    delegation.create_task(world.other_leader, "Chris's", category="reviewing_reports")

    def titles(query: str) -> list[str]:
        ctx = client_for(world.leader).get(f"/delegation/{query}").context
        return [t.title for t in ctx["tasks"]]

    assert titles("?sort=task") == ["A schedule", "B report", "C forecast"]
    assert titles("?sort=-estimate") == ["A schedule", "B report", "C forecast"]
    assert titles("?sort=estimate") == ["C forecast", "B report", "A schedule"]
    assert titles("?q=report") == ["B report"]
    assert titles("?status=done") == []
    assert "aria-sort" in client_for(world.leader).get("/delegation/?sort=due").content.decode()
