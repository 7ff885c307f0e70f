"""The director's overview at 1280 and 390 px: the leaders' table fits its card (its long headers
wrap); on a phone both tables are there, their rows as blocks of labelled values that fit the
card, inside a box that would still scroll (with the scroll shadow) were a row ever wider."""

from __future__ import annotations

import pytest

from ninety.demo import seed_story
from ninety.people.models import Person, Team
from tests.browser.conftest import screenshot, sign_in
from tests.diagnosis.conftest import AS_OF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# [table's right edge, its card's inner right edge, the box's scroll width, client width,
#  the box's overflow-x, its background image, the page's scroll width]
MEASURE = """(id) => {
  const table = document.querySelector(`[data-testid=${id}]`);
  const card = table.closest('.card');
  const style = e => getComputedStyle(e);
  const scroller = [table, table.parentElement].find(e => style(e).overflowX === 'auto');
  const inner = card.getBoundingClientRect().right - parseFloat(style(card).paddingRight);
  return [table.getBoundingClientRect().right, inner, scroller ? scroller.scrollWidth : -1,
          scroller ? scroller.clientWidth : -1, scroller ? style(scroller).overflowX : '',
          scroller ? style(scroller).backgroundImage : '',
          document.documentElement.scrollWidth, style(table).display];
}"""


def test_the_overview_tables_fit_their_cards(live_server, page, story_org_live) -> None:
    seed_story(story_org_live, AS_OF)
    # Long team names make the widest rows the data can give.
    for team in Team.objects.filter(org=story_org_live, leader__isnull=False):
        team.name = f"{team.name} — Inside Sales, Pacific Northwest"
        team.save(update_fields=["name"])
    sign_in(page, live_server, Person.objects.get(name="Morgan Lee").user.username)
    page.goto(f"{live_server.url}/overview/?as_of={AS_OF.isoformat()}")
    page.reload()  # the comparison is computed on the (immediate) queue by the first visit
    right, inner, scroll_w, client_w, _, _, page_w, _ = page.evaluate(MEASURE, "leaders")
    assert right <= inner + 1, f"the leaders' table reaches {right} px, its card ends at {inner}"
    assert scroll_w <= client_w and page_w <= 1280
    # Each team once under its leader, even with a comma in its name.
    dana = page.locator('[data-testid=leaders] tr[data-leader="Dana Reyes"] th').inner_text()
    assert dana.count("Pacific Northwest") == 1, dana
    screenshot(page, "overview-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    for table in ("leaders", "team-heatmap"):
        right, inner, scroll_w, client_w, overflow, shadow, page_w, shown = page.evaluate(
            MEASURE, table
        )
        assert page_w <= 390, (table, page_w)
        assert shown != "none", f"{table} is hidden on a phone"
        assert overflow == "auto" and "radial-gradient" in shadow, table  # the scroll shadow
        assert right <= inner + 1 or scroll_w > client_w, table
    screenshot(page, "overview-390")
