"""Sort and filter on the remaining lists (``ninety.people.listing``): search results, the rep
page's calls, API tokens, invitations, goals, the playbook, the overview and the dashboard. Each:
one sort key both ways, a filter narrowing, an unknown key ignored, and persona by persona no row
the unsorted page would not have shown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from ninety.api.models import PersonalAccessToken
from ninety.api.services import create_token, revoke_token
from ninety.conversations.services import CallFile, import_call
from ninety.core.conversations.detect import LexicalEmbedder
from ninety.home.search import relevance
from ninety.people import invitations
from ninety.people.models import Invitation, Role
from ninety.people.services import create_person
from ninety.playbook.models import Behavior
from ninety.playbook.services import propose_way
from tests.conftest import World
from tests.conversations.helpers import SAM_CALL
from tests.playbook.matrix_helpers import acme_greeting, acme_playbook
from tests.test_list_sorting import NARROWING
from tests.test_permission_lists import PAGE_LISTS, _populate

EVERYONE = ("rep", "teammate", "leader", "other_leader", "director", "admin", "outsider")


def _get(client_for: Any, persona: Any, url: str) -> Any:
    return client_for(persona).get(url)


# --- search ------------------------------------------------------------------------------------


def test_relevance_ranks_the_whole_the_start_a_word_then_inside() -> None:
    assert [relevance(t, "sam") for t in ("Sam", "Samuel", "Big Sam", "Isam", "Dana")] == [
        0, 1, 2, 3, 4,
    ]  # fmt: skip


def test_search_sorts_by_name_and_relevance_both_ways_and_filters_by_kind(
    world: World, client_for: Any
) -> None:
    client = client_for(world.admin)

    def hits(query: str) -> list[tuple[str, str]]:
        return [(h.kind, h.title) for h in client.get(f"/search/?q={query}").context["hits"]]

    people = sorted(p for k, p in hits("example.com") if k == "Person")
    assert [t for _, t in hits("example.com&sort=name")] == sorted(people, key=str.casefold)
    assert [t for _, t in hits("example.com&sort=-name")] == sorted(
        people, key=str.casefold, reverse=True
    )
    for name in ("Murray", "Jo Ray", "Rayna", "Ray"):
        create_person(world.org, name, role=Role.REP, team=world.crew)
    assert [t for _, t in hits("ray")] == ["Jo Ray", "Murray", "Ray", "Rayna"]  # by name
    assert [t for _, t in hits("ray&sort=relevance")] == ["Ray", "Rayna", "Jo Ray", "Murray"]
    assert [t for _, t in hits("ray&sort=-relevance")] == ["Murray", "Jo Ray", "Rayna", "Ray"]
    # The default (kinds in their order) is kept, and a bad sort is the default.
    assert hits("sam&sort=__class__") == hits("sam")
    assert {k for k, _ in hits("sam&kind=Person")} == {"Person"}
    assert hits("sam&kind=Nope") == hits("sam")  # a kind outside the choices: ignored
    html = client.get("/search/?q=sam&sort=name").content.decode()
    assert 'data-testid="sort-links"' in html and 'aria-current="true"' in html


# --- the rep page's calls ----------------------------------------------------------------------

LONG_CALL = (
    "WEBVTT\n\n00:00.000 --> 00:02.000\n<v Sam>Hello.</v>\n\n"
    "00:02.000 --> 01:30.000\n<v Jo>Let me tell you all about my roof and my bills.</v>\n\n"
    "01:30.000 --> 01:40.000\n<v Sam>I see. What would help?</v>\n"
)


def _two_calls(w: World) -> None:
    acme_playbook(w)
    when = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    import_call(w.leader, CallFile("a.vtt", SAM_CALL, rep=w.rep, occurred_at=when),
                LexicalEmbedder())  # fmt: skip
    later = when + timedelta(days=1)
    import_call(w.leader, CallFile("b.vtt", LONG_CALL, rep=w.rep, occurred_at=later),
                LexicalEmbedder())  # fmt: skip


def test_the_rep_pages_calls_sort_by_talk_share_and_duration_and_filter(
    world: World, client_for: Any
) -> None:
    _two_calls(world)
    client = client_for(world.leader)
    url = f"/reps/{world.rep.pk}/"

    def files(query: str) -> list[str]:
        return [c.file_name for c in client.get(f"{url}?{query}").context["calls"]]

    assert files("") == ["b.vtt", "a.vtt"]  # newest first, as before
    assert files("calls_sort=when") == ["a.vtt", "b.vtt"]
    assert files("calls_sort=talk") == ["b.vtt", "a.vtt"]  # Sam lets Jo talk in b
    assert files("calls_sort=-talk") == ["a.vtt", "b.vtt"]
    assert files("calls_sort=-duration") == ["b.vtt", "a.vtt"]
    assert files("calls_sort=duration") == ["a.vtt", "b.vtt"]
    assert files("calls_sort=bogus") == ["b.vtt", "a.vtt"]
    assert files("calls_recording=yes") == []  # transcripts only: no recording analysed
    assert files("calls_recording=no&calls_sort=when") == ["a.vtt", "b.vtt"]
    assert files("calls_way=999999") == ["b.vtt", "a.vtt"]  # no such way: ignored
    # The page's own sort key is not the calls': ?sort= leaves them as they were.
    assert files("sort=when") == ["b.vtt", "a.vtt"]
    html = client.get(f"{url}?calls_sort=-talk&period=2026-11").content.decode()
    assert 'aria-sort="descending"><a href="?calls_sort=talk&amp;period=2026-11"' in html or (
        'aria-sort="descending"><a href="?period=2026-11&amp;calls_sort=talk"' in html
    )


@pytest.mark.parametrize("persona", EVERYONE)
def test_sorted_or_filtered_calls_are_only_the_pages_own(
    world: World, client_for: Any, persona: str
) -> None:
    _two_calls(world)
    client = client_for(world.persona(persona))
    for subject in (world.rep, world.teammate, world.other_rep, world.outsider_rep):
        plain = client.get(f"/reps/{subject.pk}/")
        for query in ("calls_sort=-talk", "calls_recording=no", "calls_sort=duration"):
            got = client.get(f"/reps/{subject.pk}/?{query}")
            assert got.status_code == plain.status_code, (persona, subject.name, query)
            if got.status_code == 200:
                ids = {c.pk for c in got.context["calls"]}
                assert ids <= {c.pk for c in plain.context["calls"]}, (persona, query)
                assert all(c.person_id == subject.pk for c in got.context["calls"])


# --- API tokens --------------------------------------------------------------------------------


def test_tokens_sort_both_ways_filter_by_status_and_stay_the_viewers(
    world: World, client_for: Any
) -> None:
    for name in ("b laptop", "a sync", "c old"):
        create_token(world.rep, name)
    revoke_token(world.rep, PersonalAccessToken.objects.get(name="c old").pk)
    create_token(world.leader, "Dana's")
    gone = PersonalAccessToken.objects.get(name="b laptop")
    gone.expires_at = timezone.now() - timedelta(days=1)
    gone.save()

    def names(persona: str, query: str = "") -> list[str]:
        ctx = _get(client_for, world.persona(persona), f"/account/tokens/?{query}").context
        return [t.name for t in ctx["tokens"]]

    assert names("rep", "sort=name") == ["a sync", "b laptop", "c old"]
    assert names("rep", "sort=-name") == ["c old", "b laptop", "a sync"]
    assert names("rep", "status=revoked") == ["c old"]
    assert names("rep", "status=expired") == ["b laptop"]
    assert names("rep", "status=active&sort=name") == ["a sync"]
    assert names("rep", "q=SYNC") == ["a sync"]
    assert names("rep", "sort=token_hash") == names("rep")  # not a column: the default
    assert names("rep", "status=all") == names("rep")
    for persona, own in (("rep", {"a sync", "b laptop", "c old"}), ("leader", {"Dana's"}),
                         ("admin", set()), ("outsider", set())):  # fmt: skip
        for query in ("", "sort=-used", "status=active", "sort=status", "q=a"):
            assert set(names(persona, query)) <= own, (persona, query)
        assert set(names(persona)) == own


# --- invitations -------------------------------------------------------------------------------


def test_invitations_sort_and_filter_within_the_admins_org(world: World, client_for: Any) -> None:
    for org, name in ((world.org, "Zoe"), (world.org, "Ann"), (world.other_org, "Otto")):
        create_person(org, name, role=Role.REP, email=f"{name.lower()}@example.com")
    zoe, ann = (world.org.people.get(name=n) for n in ("Zoe", "Ann"))
    invitations.invite(zoe, by=world.admin)
    used, _ = invitations.invite(ann, by=world.admin)
    Invitation.objects.filter(pk=used.pk).update(used_at=timezone.now())
    invitations.invite(world.other_org.people.get(name="Otto"), by=world.outsider)

    def page(persona: str, query: str = "") -> Any:
        return _get(client_for, world.persona(persona), f"/people/invitations/?{query}").context

    def invited(persona: str, query: str = "") -> list[str]:
        return [r.person.name for r in page(persona, query)["records"]]

    assert invited("admin", "sort=person") == ["Ann", "Zoe"]
    assert invited("admin", "sort=-person") == ["Zoe", "Ann"]
    assert invited("admin", "status=used") == ["Ann"]
    assert invited("admin", "status=pending") == ["Zoe"]
    assert invited("admin", "sort=token_hash") == invited("admin")
    without = [p.name for p in page("admin", "people_sort=-name")["people"]]
    assert without == sorted(without, reverse=True) and "Otto" not in without
    assert [p.name for p in page("admin", "people_q=zo")["people"]] == ["Zoe"]
    for query in ("", "sort=-by", "status=pending", "people_role=rep", "people_sort=email"):
        assert set(invited("outsider", query)) <= {"Otto"}, query
        assert {p.name for p in page("outsider", query)["people"]} <= {"Otto"}
    # A leader has no invitations page, sorted or not.
    assert client_for(world.leader).get("/people/invitations/?sort=person").status_code == 403


# --- goals -------------------------------------------------------------------------------------


def test_a_reps_goals_sort_both_ways_and_filter_by_kind(world: World, client_for: Any) -> None:
    _populate(world)  # Sam: his own goal, his team's and the org's

    def labels(query: str, persona: str = "leader") -> list[str]:
        ctx = _get(client_for, world.persona(persona), f"/goals/reps/{world.rep.pk}/?{query}")
        return [g["label"] for g in ctx.context["progress"]]

    given = labels("")
    assert len(given) == 3
    assert labels("sort=goal") == sorted(given, key=str.casefold)
    assert labels("sort=-goal") == sorted(given, key=str.casefold, reverse=True)
    assert labels("sort=nope") == given  # the computed order, unchanged
    assert labels("progress=zzz") == given
    assert labels("kind=behavior") == given  # the three are behavior & process goals
    assert labels("kind=result") == []
    assert labels("sort=-target", persona="rep") == labels("sort=-target")
    # The rep page's goals card answers its own parameters (goals_sort).
    ctx = client_for(world.leader).get(f"/reps/{world.rep.pk}/?goals_sort=-goal").context
    assert [g["label"] for g in ctx["goal_progress"]] == labels("sort=-goal")
    for persona in ("other_leader", "outsider"):
        response = client_for(world.persona(persona)).get(f"/goals/reps/{world.rep.pk}/?sort=goal")
        assert response.status_code == 404, persona


def _team_reps(ctx: Any) -> list[list[str]]:
    return [[r["rep_name"] for t in g["teams"] for r in t["rows"]] for g in ctx["goals"]]


def test_team_and_org_goals_sort_their_reps_and_teams_both_ways(
    world: World, client_for: Any
) -> None:
    _populate(world)
    client = client_for(world.admin)
    crew = f"/goals/teams/{world.crew.pk}/"
    asc = _team_reps(client.get(f"{crew}?reps_sort=rep").context)
    assert asc == [["Alex", "Sam"]]
    assert _team_reps(client.get(f"{crew}?reps_sort=-rep").context) == [["Sam", "Alex"]]
    assert _team_reps(client.get(f"{crew}?reps_progress=met").context) == [[]]
    org = client.get("/goals/org/?teams_sort=-team").context
    assert [t["team_name"] for g in org["goals"] for t in g["teams"]] == ["Crew", "Closers"]
    org = client.get("/goals/org/?teams_sort=team").context
    assert [t["team_name"] for g in org["goals"] for t in g["teams"]] == ["Closers", "Crew"]
    assert len(client.get("/goals/org/?kind=result").context["goals"]) == 0
    assert len(client.get("/goals/org/?kind=nope").context["goals"]) == 1


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("rep", {"Sam"}), ("leader", {"Sam", "Alex"}), ("other_leader", {"Grace"}),
     ("director", {"Sam", "Alex", "Grace"}), ("outsider", set())],
)  # fmt: skip
def test_sorted_group_goals_show_no_rep_the_persona_may_not_see(
    world: World, client_for: Any, persona: str, allowed: set[str]
) -> None:
    _populate(world)
    client = client_for(world.persona(persona))
    for team in (world.crew, world.closers):
        for query in ("reps_sort=-value", "reps_sort=progress", "reps_progress=unknown"):
            got = client.get(f"/goals/teams/{team.pk}/?{query}")
            if got.status_code == 200:
                assert {n for names in _team_reps(got.context) for n in names} <= allowed
    for query in ("teams_sort=-behind", "teams_sort=reps", "sort=-target"):
        org = client.get(f"/goals/org/?{query}").context
        teams = {t["team_name"] for g in org["goals"] for t in g["teams"]}
        assert teams <= {"Crew", "Closers", "Without a team"} or persona == "outsider"
        assert {n for names in _team_reps(org) for n in names} <= allowed


# --- the playbook ------------------------------------------------------------------------------


def test_playbook_ways_and_proposals_sort_both_ways_and_filter_by_stage(
    world: World, client_for: Any
) -> None:
    acme_playbook(world)
    greeting = Behavior.objects.get(pk=acme_greeting(world))
    propose_way(world.rep, greeting, "Mention the neighbour who switched")
    propose_way(world.teammate, greeting, "Ask about the last bill first")
    client = client_for(world.leader)

    def texts(query: str) -> list[str]:
        rows = client.get(f"/playbook/?{query}").context["way_tables"][greeting.pk]
        return [r["text"] for r in rows]

    given = texts("")
    assert len(given) >= 2 and [r for r in given] == texts("ways_sort=number")
    assert texts("ways_sort=way") == sorted(given, key=str.casefold)
    assert texts("ways_sort=-way") == sorted(given, key=str.casefold, reverse=True)
    assert texts("ways_sort=-number") == given[::-1]
    assert texts("ways_sort=pk") == given

    def proposed(query: str) -> list[str]:
        return [w.text for w in client.get(f"/playbook/?{query}").context["proposals"]]

    assert proposed("proposals_sort=way") == [
        "Ask about the last bill first", "Mention the neighbour who switched",
    ]  # fmt: skip
    assert proposed("proposals_sort=-way")[0] == "Mention the neighbour who switched"
    assert proposed("proposals_sort=author") == [
        "Ask about the last bill first", "Mention the neighbour who switched",
    ]  # Alex, then Sam  # fmt: skip
    assert proposed("proposals_stage=meeting") == []  # both are the conversation's
    assert len(proposed("proposals_stage=conversation")) == 2
    stages = client.get("/playbook/?stage=conversation").context["stages"]
    assert [s.key for s in stages] == ["conversation"]
    assert len(client.get("/playbook/?stage=nope").context["stages"]) > 1
    html = client.get("/playbook/?ways_sort=-way").content.decode()
    assert 'aria-sort="descending"><a href="?ways_sort=way"' in html


@pytest.mark.parametrize("persona", EVERYONE)
def test_a_sorted_or_filtered_playbook_is_still_the_personas_org(
    world: World, client_for: Any, persona: str
) -> None:
    acme_playbook(world)
    propose_way(world.rep, Behavior.objects.get(pk=acme_greeting(world)), "Say the price early")
    client = client_for(world.persona(persona))
    plain = client.get("/playbook/")
    for query in ("ways_sort=-p_best", "stage=conversation", "proposals_sort=-stage"):
        got = client.get(f"/playbook/?{query}")
        assert got.status_code == plain.status_code == 200
        if persona == "outsider":  # no playbook in Olive's org: the empty page, sorted or not
            assert "way_tables" not in got.context
            continue
        ways = {r["way"].pk for rows in got.context["way_tables"].values() for r in rows}
        assert ways <= {r["way"].pk for rows in plain.context["way_tables"].values() for r in rows}
        seen = {w.pk for w in got.context["proposals"]}
        assert seen <= {w.pk for w in plain.context["proposals"]}
        # Only leaders and admins are shown proposals to decide on.
        shown = 'data-testid="proposals"' in got.content.decode()
        assert shown == (persona in ("leader", "other_leader", "director", "admin"))


# --- the overview and the dashboard -----------------------------------------------------------


def test_the_overview_sorts_teams_and_leaders_both_ways(world: World, client_for: Any) -> None:
    _populate(world)
    client = client_for(world.director)

    def teams(query: str) -> list[str]:
        return [r.name for r in client.get(f"/overview/?{query}").context["rows"]]

    assert teams("") == ["Closers", "Crew"]  # by name, as computed
    assert teams("sort=-team") == ["Crew", "Closers"]
    assert teams("sort=team") == ["Closers", "Crew"]
    assert teams("sort=-nope") == ["Closers", "Crew"]
    leaders = client.get("/overview/?leaders_sort=-leader").context["leaders"]
    assert [x.name for x in leaders] == ["Dana", "Chris"]
    html = client.get("/overview/?leaders_sort=-leader").content.decode()
    assert 'title="Ways recited of those asked"' in html  # the column keeps its explanation


def test_the_dashboard_sorts_its_teams_both_ways(world: World, client_for: Any) -> None:
    _populate(world)
    client = client_for(world.admin)

    def teams(query: str) -> list[str]:
        return [t.name for t in client.get(f"/dashboard/?{query}").context["team_list"]]

    given = teams("")
    assert set(given) == {"Crew", "Closers"}
    assert teams("sort=team") == ["Closers", "Crew"]
    assert teams("sort=-team") == ["Crew", "Closers"]
    assert teams("sort=secret") == given
    pace = client.get(f"/dashboard/?team={world.crew.pk}&pace_sort=-rep").context["pace"]
    assert [row.rep.person.name for row in pace] == ["Sam", "Alex"]


# Lists with a persona-by-persona row in test_permission_lists, sorted: never more than unsorted.
MORE = {
    "/overview/": ("sort=-team", "sort=reps", "leaders_sort=-talk", "leaders_sort=held"),
    "/search/?q=example.com&kind=Person": ("sort=-name", "sort=relevance", "kind=Way"),
}


@pytest.mark.parametrize("path", list(MORE))
def test_sorted_overview_and_search_hold_no_more_than_each_persona_may_see(
    world: World, client_for: Any, path: str
) -> None:
    assert path not in NARROWING
    _populate(world)
    read, expected = PAGE_LISTS[path]
    for persona, allowed in expected.items():
        client = client_for(world.persona(persona))
        for query in MORE[path]:
            response = client.get(f"{path}{'&' if '?' in path else '?'}{query}")
            if response.status_code == 403:  # a rep has no overview, sorted or not
                assert client.get(path).status_code == 403
                continue
            assert read(response.context) <= allowed, (persona, query)
