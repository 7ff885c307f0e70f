"""The prep sheet on the demo story: Sam's focus is Greeting, with its drill-down questions."""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ninety.coaching.models import OneOnOne
from ninety.coaching.prep import build_prep
from ninety.coaching.services import open_meeting
from tests.coaching.conftest import AS_OF, story_people

#: The issue's budget for generating a prep sheet (measured here on the 20-rep story org; the
#: 1,000-rep figure is a benchmark of its own).
BUDGET_MS = 300
#: Asserted on the best of five runs (about 130 ms here), so a busy machine does not fail it.


def test_sams_prep_sheet_puts_greeting_first(story_meeting: OneOnOne) -> None:
    _sam, dana = story_people(story_meeting.org)
    open_meeting(story_meeting, by=dana, as_of=AS_OF)
    prep = story_meeting.prep
    assert prep["focus"]["label"] == "Greeting"
    assert prep["focus"]["certainty"] > 0.9
    assert story_meeting.focus_stage == "conversation"
    greeting = next(s for s in prep["funnel"] if s["key"] == "conversation")
    assert greeting["flag"] == "below" and greeting["rate"] < greeting["team"]
    (behavior,) = prep["drilldown"]
    assert behavior["behavior"] == "Create a compelling reason to speak"
    texts = " ".join(q["text"] for q in behavior["questions"])
    assert "tone or inflection" in texts and "trust or likability" in texts
    (ways,) = prep["ways"]
    assert 0 < ways["adherence"] <= 1 and ways["suggested"]["text"]
    assert ways["used"][0]["text"] == "Lead with the headline price saving."  # Sam's weak habit
    assert "projecting" in prep["results"]["phrase"]
    assert prep["last_meeting"] is None


def test_the_prep_sheet_is_generated_within_budget(story_meeting: OneOnOne) -> None:
    build_prep(story_meeting, AS_OF)  # warm caches (imports, the first query plans)
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            build_prep(story_meeting, AS_OF)
        timings.append(1000 * (time.perf_counter() - started))
    assert len(queries) <= 30, [q["sql"] for q in queries.captured_queries]
    print(f"prep sheet: best {min(timings):.0f} ms, median {sorted(timings)[2]:.0f} ms")
    # The best of five: the figure of the code, not of a machine busy with other work (the
    # median is the bench's figure, bench/bench_pages.py).
    assert min(timings) < BUDGET_MS, timings
