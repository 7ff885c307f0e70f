"""Sortable headers in the browser: a director sorts the overview's leaders by clicking a
column, and the new sortable lists read at desktop and phone widths."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from ninety.conversations.services import CallFile, import_call
from ninety.core.conversations.detect import LexicalEmbedder
from ninety.demo import seed_story
from ninety.people.models import Person
from tests.browser.conftest import screenshot, sign_in
from tests.conversations.helpers import SAM_CALL
from tests.diagnosis.conftest import AS_OF
from tests.test_list_sorting_more import LONG_CALL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Q = f"as_of={AS_OF.isoformat()}"


def _leaders(page) -> list[str]:
    rows = page.get_by_test_id("leaders").locator("tbody tr")
    return [rows.nth(i).get_attribute("data-leader") for i in range(rows.count())]


def test_a_director_sorts_the_leaders_by_clicking_a_header(
    live_server, page, story_org_live
) -> None:
    seed_story(story_org_live, AS_OF)
    sign_in(page, live_server, Person.objects.get(name="Morgan Lee").user.username)
    page.goto(f"{live_server.url}/overview/?{Q}")
    before = _leaders(page)
    assert len(before) >= 2 and before == sorted(before, key=str.casefold)
    header = page.get_by_test_id("leaders").locator('th:has(a[data-sort="leader"])')
    assert header.get_attribute("aria-sort") == "ascending"
    header.locator("a").click()
    page.wait_for_load_state()
    assert "leaders_sort=-leader" in page.url and Q in page.url  # the as_of is kept
    assert _leaders(page) == before[::-1]
    header = page.get_by_test_id("leaders").locator('th:has(a[data-sort="leader"])')
    assert header.get_attribute("aria-sort") == "descending"
    # The teams' table above keeps its own order.
    teams = page.get_by_test_id("team-heatmap").locator("tbody tr")
    names = [teams.nth(i).get_attribute("data-team") for i in range(teams.count())]
    assert names == sorted(names, key=str.casefold)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("overview-sorted", "/overview/?leaders_sort=-talk&{q}"),
        ("search-sorted", "/search/?q=sa&sort=relevance"),
        ("playbook-sorted", "/playbook/?ways_sort=-p_best&stage=conversation"),
        ("rep-calls-sorted", "/reps/{sam}/?calls_sort=-talk&{q}"),
        ("rep-goals-sorted", "/goals/reps/{sam}/?sort=-progress&{q}"),
        ("team-goals-sorted", "/goals/teams/{team}/?reps_sort=-value&{q}"),
        ("tokens-sorted", "/account/tokens/?sort=-name"),
        ("invitations-sorted", "/people/invitations/?people_sort=-name"),
    ],
)
def test_the_sortable_lists_read_at_1280_and_390_px(
    live_server, page, story_org_live, name: str, path: str
) -> None:
    seed_story(story_org_live, AS_OF)
    sam = Person.objects.get(name="Sam Patel")
    admin = Person.objects.filter(org=sam.org, role="admin", user__isnull=False).first()
    for day, (file, text) in enumerate((("a.vtt", SAM_CALL), ("b.vtt", LONG_CALL)), start=1):
        when = datetime.combine(AS_OF, time(10), tzinfo=UTC) - timedelta(days=day)
        import_call(admin, CallFile(file, text, rep=sam, occurred_at=when), LexicalEmbedder())
    sign_in(page, live_server, admin.user.username)
    page.goto(live_server.url + path.format(q=Q, sam=sam.pk, team=sam.team_id))
    assert page.locator("th.sortable, [data-testid=sort-links]").count() >= 1, name
    if "calls" in name:
        calls = page.get_by_test_id("call-list")
        assert calls.locator('th[aria-sort="descending"] a[data-sort="talk"]').count() == 1
        assert calls.locator("tbody tr[data-call]").count() >= 1
    screenshot(page, name)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390, name
    screenshot(page, f"{name}-phone")
