"""The prep sheet on the demo story: Sam's focus is Greeting, with its drill-down questions."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from ninety.coaching.models import OneOnOne
from ninety.coaching.prep import build_prep
from ninety.coaching.services import open_meeting
from tests.coaching.conftest import AS_OF, story_people


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


def test_the_prep_sheet_reads_the_database_a_bounded_number_of_times(
    story_meeting: OneOnOne,
) -> None:
    # Its time is a figure of bench/bench_pages.py (a timed assertion here fails on a busy
    # machine); what a test can pin is that it does not query per rep or per stage.
    build_prep(story_meeting, AS_OF)  # warm caches (imports, the first query plans)
    with CaptureQueriesContext(connection) as queries:
        build_prep(story_meeting, AS_OF)
    assert len(queries) <= 30, [q["sql"] for q in queries.captured_queries]
