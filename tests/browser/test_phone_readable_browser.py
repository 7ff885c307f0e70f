"""What a newcomer could not read on a 390 px phone, read there now (and still at 1280 px):
the dashboard's scorecard and attention shares, the focus's certainty in the phone's heatmap
list, the funnel against the team on the rep page and the prep sheet, the experiment's chart
and data, the overview's two tables; and each attention category keeps one colour on every page.

"Readable" is measured, not eyeballed: a value's box lies inside the viewport (no part of it
off to the right, in a box that scrolls or not), a chart's labels draw at 10 px or more."""

from __future__ import annotations

import pytest

from ninety.coaching.models import OneOnOne
from ninety.core.attention import IsoWeek
from ninety.demo import seed_story
from ninety.experiments.models import Experiment
from ninety.people.models import Person
from tests.browser.conftest import screenshot, sign_in
from tests.diagnosis.conftest import AS_OF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
Q = f"as_of={AS_OF.isoformat()}"

# Every element matching the selector that is not inside the viewport's width, or is hidden
# (zero size), as "text@left-right"; an empty list when each is there to read.
OUTSIDE = """(sel) => {
  const w = document.documentElement.clientWidth;
  const found = [...document.querySelectorAll(sel)];
  if (!found.length) return ['nothing matches ' + sel];
  return found.filter(e => {
    const r = e.getBoundingClientRect();
    return r.width === 0 || r.height === 0 || r.left < 0 || r.right > w + 0.5;
  }).map(e => {
    const r = e.getBoundingClientRect();
    return `${e.innerText.trim().slice(0, 30)}@${Math.round(r.left)}-${Math.round(r.right)}`;
  });
}"""

# The drawn size (CSS px) of each text of the visible effect chart: its font size scaled by
# how wide the chart is drawn against its viewBox.
CHART_TEXT = """() => {
  const svg = [...document.querySelectorAll('svg.effect-chart')]
    .find(s => s.getBoundingClientRect().width > 0);
  if (!svg) return [];
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  return [...svg.querySelectorAll('text')]
    .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
}"""


def _leader(page, live_server, story_org_live) -> Person:
    seed_story(story_org_live, AS_OF)
    dana = Person.objects.get(name="Dana Reyes")
    sign_in(page, live_server, dana.user.username)
    return dana


def test_the_dashboard_reads_on_a_phone(live_server, page, story_org_live) -> None:
    _leader(page, live_server, story_org_live)
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/dashboard/?{Q}")
        # The scorecard's trend and streak (last columns) of every rep are on the screen.
        assert page.evaluate(OUTSIDE, "[data-testid=scorecard-table] tbody td") == []
        assert page.evaluate(OUTSIDE, "[data-testid=scorecard-table] [data-testid=streak]") == []
        # Each attention share is spelt out in full, inside the screen.
        legend = page.get_by_test_id("attention-legend")
        assert page.evaluate(OUTSIDE, "[data-testid=attention-legend] li") == []
        text = legend.inner_text()
        for word in ("Behavior & process", "Results", "Tactical"):
            assert word in text, text
        for li in legend.locator("li").all():
            assert li.evaluate("e => e.scrollWidth <= e.clientWidth"), li.inner_text()
        screenshot(page, f"readable-dashboard-{size['width']}")
    # The phone's list says how sure the focus is, as the desktop's heatmap does.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dashboard/?{Q}")
    sam = page.get_by_test_id("heatmap-list").locator('li[data-rep="Sam Patel"] li.focus')
    assert sam.is_visible()
    wanted = page.locator('[data-testid=heatmap] tr[data-rep="Sam Patel"] td.focus .sr-only')
    certainty = wanted.text_content().split("focus, ")[1].split(" ")[0]  # e.g. ">99%"
    assert certainty.endswith("%")
    assert sam.locator("[data-testid=focus-certainty]").inner_text() == f"{certainty} likely"
    assert page.evaluate(OUTSIDE, "[data-testid=focus-certainty]") == []


@pytest.mark.parametrize("where", ["rep-page", "prep-sheet"])
def test_the_funnel_against_the_team_reads_on_a_phone(
    live_server, page, story_org_live, where: str
) -> None:
    _leader(page, live_server, story_org_live)
    sam = Person.objects.get(name="Sam Patel")
    if where == "rep-page":
        path, table = f"/reps/{sam.pk}/?{Q}", "funnel"
    else:
        meeting = OneOnOne.objects.filter(rep=sam, status=OneOnOne.Status.SCHEDULED).first()
        path, table = f"/one-on-ones/{meeting.pk}/prep/", "prep-funnel"
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(live_server.url + path)
        funnel = page.get_by_test_id(table)
        rows = funnel.locator("tbody tr")
        assert rows.count() >= 4
        # Every figure of every stage (rep, team, interval, tries, the mark) is on the screen.
        assert page.evaluate(OUTSIDE, f"[data-testid={table}] tbody td:not(:empty)") == []
        assert page.evaluate(OUTSIDE, f"[data-testid={table}] [data-testid=team-rate]") == []
        # The focus stage's mark is there to see, next to the rates it compares.
        focus = funnel.locator("tr.is-focus")
        assert "below" in focus.get_by_test_id("flag").inner_text()
        assert focus.get_by_test_id("team-rate").inner_text().endswith("%")
        # Nothing to scroll sideways to, in the table's box or the page.
        box = funnel.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert box[0] <= box[1] + 1, box
        assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]
        screenshot(page, f"readable-{where}-{size['width']}")


def test_the_experiment_chart_and_data_read_on_a_phone(live_server, page, story_org_live) -> None:
    _leader(page, live_server, story_org_live)
    experiment = Experiment.objects.filter(org=story_org_live).order_by("pk").first()
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/experiments/{experiment.pk}/?{Q}")
        sizes = page.evaluate(CHART_TEXT)
        assert len(sizes) >= 6, "no chart with labels is shown"
        assert min(sizes) >= 10, f"chart labels drawn at {min(sizes):.1f} px at {size['width']}"
        # The data behind it: every figure on the screen, nothing hidden to the right.
        assert page.evaluate(OUTSIDE, "[data-testid=before-after] td") == []
        screenshot(page, f"readable-experiment-{size['width']}")
    # One chart at a time: the phone's on a phone, the wide one elsewhere.
    assert page.get_by_test_id("effect-chart").is_visible()
    assert not page.get_by_test_id("phone-effect-chart").is_visible()
    page.set_viewport_size(PHONE)
    assert page.get_by_test_id("phone-effect-chart").is_visible()
    assert not page.get_by_test_id("effect-chart").is_visible()


def test_the_overview_tables_read_on_a_phone(live_server, page, story_org_live) -> None:
    _leader(page, live_server, story_org_live)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/overview/?{Q}")
    page.reload()  # the comparison is computed on the (immediate) queue by the first visit
    for table in ("team-heatmap", "leaders"):
        cells = f"[data-testid={table}] tbody th, [data-testid={table}] tbody td:not(:empty)"
        assert page.evaluate(OUTSIDE, cells) == [], table
    # Each value says what it is (the column headers are not shown on a phone).
    crew = page.get_by_test_id("team-heatmap").locator("tbody tr").first
    labels = crew.evaluate(
        "tr => [...tr.querySelectorAll('td')].map(td => getComputedStyle(td, '::before').content)"
    )
    assert '"Prospecting "' in labels and '"Focus "' in labels, labels
    assert "none" not in labels, labels
    # The headers sorted the tables: on a phone the same sorts are links above each table.
    assert page.get_by_test_id("sort-links").first.is_visible()
    assert page.get_by_test_id("sort-links").count() == 2
    screenshot(page, "readable-overview-390")
    page.set_viewport_size(DESKTOP)
    assert not page.get_by_test_id("sort-links").first.is_visible()
    assert page.locator("[data-testid=leaders] thead th.sortable").first.is_visible()


# The computed colour of each category: the dashboard's bar segments and legend swatches, the
# attention page's meter and table swatches.
DASHBOARD_COLOURS = """() => Object.fromEntries([['behavior_process', 'beh'], ['results', 'res'],
  ['tactical', 'tac']].map(([key, seg]) => [key, [
    getComputedStyle(document.querySelector(`.attbar .${seg}`)).backgroundColor,
    getComputedStyle(document.querySelector(`.att-legend .swatch-${key}`)).backgroundColor]]))"""
ATTENTION_COLOURS = """() => Object.fromEntries(['behavior_process', 'results', 'tactical']
  .map(key => [key, [
    getComputedStyle(document.querySelector(`svg.meter rect.seg-${key}`)).fill,
    getComputedStyle(document.querySelector(`tr[data-category=${key}] .swatch`)).backgroundColor,
  ]]))"""


def test_each_attention_category_has_one_colour_everywhere(
    live_server, page, story_org_live
) -> None:
    _leader(page, live_server, story_org_live)
    week = IsoWeek.of(AS_OF)
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/dashboard/?{Q}")
        dashboard = page.evaluate(DASHBOARD_COLOURS)
        page.goto(f"{live_server.url}/attention/?week={week}")
        attention = page.evaluate(ATTENTION_COLOURS)
        colours = {}
        for key in ("behavior_process", "results", "tactical"):
            seen = set(dashboard[key]) | set(attention[key])
            assert len(seen) == 1, (key, dashboard[key], attention[key])
            colours[key] = seen.pop()
        assert len(set(colours.values())) == 3, colours  # and the three tell apart
