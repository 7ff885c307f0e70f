"""Day 1 of a month: the diagnosis is as useful as on day 28; results say they are young."""

from __future__ import annotations

from ninety.core.periods import Period
from ninety.diagnosis.services import team_report
from ninety.people.models import Person
from tests.diagnosis.conftest import DAY1


def test_on_day_one_the_story_focus_holds_on_evidence_windows(day1_org) -> None:
    sam = Person.objects.get(org=day1_org, name="Sam Patel")
    report = team_report(sam.team, Period.of(DAY1), DAY1)
    assert report is not None
    mine = report.for_person(sam.pk)
    assert mine.diagnosis.focus == "conversation"
    assert mine.diagnosis.focus_certainty >= 0.5
    # Every stage reaches back before the month: one day of data is never the evidence.
    assert all(w.first_day < DAY1 and w.days >= 7 for w in report.windows)
    assert all(w.days <= 91 for w in report.windows)
    # Each stage is judged on enough tries to matter, not on this morning's two.
    assert mine.diagnosis.stages["conversation"].tries >= 50
    assert report.progress.done == 1 and not report.progress.is_final
    assert report.progress.phrase.startswith("day 1 of ")
    # Nobody else is flagged at Sam's stage, and at most the story's second planted weakness
    # (a teammate's discovery stage) and one more focus in the team of nine.
    others = [r for r in report.reps if r.person.pk != sam.pk]
    assert all(r.diagnosis.focus != "conversation" for r in others)
    assert sum(r.diagnosis.focus is not None for r in others) <= 2


def test_a_rep_page_on_day_one_shows_windows_and_no_point_intervals(day1_org, client) -> None:
    sam = Person.objects.get(org=day1_org, name="Sam Patel")
    leader = sam.team.leader
    client.force_login(leader.user)
    html = client.get(f"/reps/{sam.pk}/?as_of={DAY1.isoformat()}").content.decode()
    assert "Greeting" in html and "likely a material weakness" in html
    assert "judged on the last" in html
    assert "day 1 of" in html
    report = team_report(sam.team, Period.of(DAY1), DAY1)
    for r in report.reps:
        for s in r.diagnosis.stages.values():
            assert s.high - s.low > 0.005  # never "0% (0%–0%)"
