"""The demo's self-report says what the figures beside it say, on any day: no fixed "down 15 %"
next to a +43 % projection on day 3 of a month; the prep sheet writes its dates as people read
them."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ninety.coaching.demo import results_in_words
from ninety.coaching.demo import seed_demo as seed_one_on_ones
from ninety.coaching.models import OneOnOne
from ninety.core.periods import Period
from ninety.diagnosis.services import rep_report
from ninety.goals.demo import seed_demo as seed_goals
from ninety.goals.models import Goal
from ninety.people.models import Org, Person
from tests.diagnosis.conftest import AS_OF, DAY1, day1_org, day1_sim  # noqa: F401

ISO_DAY = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def _pace(sam: Person, day):  # type: ignore[no-untyped-def]
    report = rep_report(sam, Period.of(day), day)
    return report.for_person(sam.pk).pace, report.progress


def _says_it(org: Org, day) -> tuple[Person, OneOnOne]:  # type: ignore[no-untyped-def]
    sam = Person.objects.get(org=org, name="Sam Patel")
    upcoming = seed_one_on_ones(org, day)
    return sam, upcoming


@pytest.mark.parametrize("fixture", ["day1_org", "story_org"])
def test_the_self_report_agrees_with_the_projection_beside_it(fixture, request) -> None:  # type: ignore[no-untyped-def]
    org = request.getfixturevalue(fixture)
    day = DAY1 if fixture == "day1_org" else AS_OF
    sam, upcoming = _says_it(org, day)
    pace, progress = _pace(sam, day)
    said = upcoming.self_results
    assert said == results_in_words(sam, day)
    assert "15%" not in said or round(abs(pace.vs_quota_pct) / 5) * 5 == 15
    if progress.done <= 5:  # day 1 (and 3) of a month: too early to call from a projection
        assert said.startswith("Too early to call the month")
        assert "%" not in said
    else:
        sign = "up" if pace.vs_quota_pct > 0 else "down"
        assert f"Projecting {sign} about " in said or "about even" in said
    # The meeting two weeks before says what its own day's projection said.
    done = OneOnOne.objects.get(rep=sam, status=OneOnOne.Status.DONE)
    then = done.scheduled_at.date()
    assert done.self_results == results_in_words(sam, then)
    old, _ = _pace(sam, then)
    if "Projecting" in done.self_results and "even" not in done.self_results:
        assert ("up" if old.vs_quota_pct > 0 else "down") in done.self_results


def test_the_prep_sheet_and_meeting_write_no_iso_dates(story_org: Org) -> None:
    _, upcoming = _says_it(story_org, AS_OF)
    seed_goals(story_org, AS_OF)  # the scorecard's week on the sheet
    client = Client()
    client.force_login(upcoming.leader.user)
    for url in (f"/one-on-ones/{upcoming.pk}/prep/", f"/one-on-ones/{upcoming.pk}/"):
        page = client.get(url).content.decode()
        text = re.sub(r"<[^>]+>", " ", re.sub(r'(href|value|action|src)="[^"]*"', "", page))
        assert not ISO_DAY.findall(text), (url, ISO_DAY.findall(text))
        if url.endswith("/prep/"):
            assert re.search(r"Week of Mon \d{1,2} Nov 2026", text), text
            assert re.search(r"(Mon|Tue|Wed|Thu|Fri) \d{1,2} Nov 2026: recited", text)


def test_the_demo_team_goal_asks_no_more_one_on_ones_than_the_series_hold(story_org: Org) -> None:
    # The series are bi-weekly: "at least 4 a month" beside them could never be met.
    _says_it(story_org, AS_OF)
    seed_goals(story_org, AS_OF)
    goal = Goal.objects.get(org=story_org, team__isnull=False, metric="one_on_ones")
    series = OneOnOne.objects.filter(rep__team=goal.team, series__isnull=False)
    assert {m.series.cadence for m in series.select_related("series")} == {"biweekly"}
    assert goal.target <= 2
