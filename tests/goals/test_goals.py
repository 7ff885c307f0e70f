"""Goals on the story org (Sam weak at Greeting): suggestions, accepting them, progress on the
diagnosis's posterior, the scorecard ranking, CSV import/export, the command and the API."""

from __future__ import annotations

import io
import json
from datetime import date
from html import unescape

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client

from ninety.activity.models import ActivityRollup
from ninety.api.services import create_token
from ninety.core.periods import Period
from ninety.diagnosis.services import rep_report
from ninety.goals import csvio, services, sources
from ninety.goals import scorecards as scorecards_module
from ninety.goals.models import Goal
from ninety.goals.presenters import progress_json, scorecard_json
from ninety.goals.scorecards import org_scorecards, scorecards, team_scorecards
from ninety.people.models import Org, Person, Role
from tests.diagnosis.conftest import AS_OF


def _sam(org: Org) -> Person:
    return Person.objects.select_related("team", "org").get(org=org, name="Sam Patel")


def _leader(sam: Person) -> Person:
    return sam.team.leader


def _client_for(person: Person) -> Client:
    c = Client()
    c.force_login(person.user)
    return c


def test_suggestions_aim_at_sams_greeting_and_read_the_quota_backwards(story_org: Org) -> None:
    sam = _sam(story_org)
    report = rep_report(sam, Period.of(AS_OF), AS_OF)
    made = {g.metric: g for g in services.suggest(sam, report, AS_OF, _leader(sam))}
    stage = made["stage:conversation"]  # Greeting: connect -> conversation
    assert stage.status == Goal.Status.SUGGESTED and "Greeting is the focus" in stage.note
    mine = report.for_person(sam.pk).diagnosis.stages["conversation"]
    assert mine.mean < stage.target <= 0.99  # the team's median, above Sam's own rate
    volume = made["volume"]
    assert "To reach quota at your rates you need" in volume.note
    assert "at the team's Greeting rate" in volume.note
    # Fixing Greeting needs fewer dials than his rates do.
    own, team = (float(x.split()[0]) for x in volume.note.split("need ")[1].split("rate, "))
    assert team < own
    # Suggesting again replaces the open suggestions (no pile-up).
    services.suggest(sam, report, AS_OF, None)
    assert Goal.objects.filter(person=sam, status=Goal.Status.SUGGESTED).count() == 2


def test_progress_on_a_rate_uses_the_posterior_and_the_scorecard_ranks_by_behavior(
    story_org: Org,
) -> None:
    sam = _sam(story_org)
    report = rep_report(sam, Period.of(AS_OF), AS_OF)
    team_rate = report.for_person(sam.pk).diagnosis.stages["conversation"].group_rate
    services.create_goal(
        org=story_org, person=sam, metric="stage:conversation", target=team_rate, by=None
    )
    (p,) = services.progress(sam, report, AS_OF)
    assert p.judgement.status == "behind"  # far below the team, near certainly
    assert p.judgement.p_meets < 0.05
    assert p.value_text.endswith("%") and p.target_text.startswith("at least")
    # A goal Sam meets easily: on track.
    services.create_goal(
        org=story_org, person=sam, metric="stage:conversation", target=0.05, by=None
    )
    (p,) = services.progress(sam, report, AS_OF)
    assert p.judgement.status == "on_track"
    # Team goal on the same stage for everyone: Sam's own is the more specific one.
    services.create_goal(
        org=story_org, team=sam.team, metric="stage:conversation", target=team_rate, by=None
    )
    reps = list(Person.objects.filter(team=sam.team, role=Role.REP).select_related("org"))
    cards = scorecards(reps, AS_OF)
    behavior = [c.behavior for c in cards]
    assert behavior == sorted(behavior, reverse=True)
    assert next(c for c in cards if c.person == sam).behavior == 100  # his own easy goal


def test_a_rate_goal_not_settled_yet_says_how_many_more_tries_would_settle_it(
    story_org: Org,
) -> None:
    # Not "not yet known · 5% likely": the label says the evidence is not settled, the phrase
    # the chance so far and about how many more tries would settle it.
    sam = _sam(story_org)
    report = rep_report(sam, Period.of(AS_OF), AS_OF)
    unsettled = []
    for key in report.playbook.stage_keys:  # a target just above the rep's rate, per stage
        mean = report.for_person(sam.pk).diagnosis.stages[key].mean
        for step in range(10, 30, 2):
            Goal.objects.filter(person=sam).delete()
            services.create_goal(
                org=story_org, person=sam, metric=f"stage:{key}", target=mean * (1 + step / 100),
                by=None,
            )  # fmt: skip
            (p,) = services.progress(sam, report, AS_OF)
            if p.judgement.status == "unknown":
                unsettled.append(progress_json(p))
    assert unsettled, "no target near Sam's rate left the goal unsettled"
    for row in unsettled:
        assert row["progress_label"] == "not settled yet"
        assert "% chance it meets the goal so far; about " in row["certainty"]
        assert row["certainty"].endswith(" more tries would settle it")
        assert "likely" not in row["certainty"]


def test_accepting_a_suggestion_replaces_the_active_goal(story_org: Org) -> None:
    sam = _sam(story_org)
    old = services.create_goal(org=story_org, person=sam, metric="volume", target=30, by=None)
    new = services.create_goal(
        org=story_org, person=sam, metric="volume", target=47, by=None, status="suggested"
    )
    services.update_goal(new, status="active", target=45)
    old.refresh_from_db()
    assert old.status == "archived" and Goal.objects.get(pk=new.pk).target == 45
    with pytest.raises(services.GoalError, match="target: a rate or share is at most 100%"):
        services.create_goal(org=story_org, person=sam, metric="recital", target=2, by=None)
    with pytest.raises(services.GoalError, match="metric: 'dials' is not one of"):
        services.create_goal(org=story_org, person=sam, metric="dials", target=2, by=None)


def test_csv_round_trip_is_formula_safe_and_all_or_nothing(story_org: Org) -> None:
    sam = _sam(story_org)
    dana = _leader(sam)
    good = (
        "scope,rep,team,metric,direction,target,period,status,note\n"
        f"rep,{sam.external_id},,stage:conversation,higher,40%,month,active,=HYPERLINK(1)\n"
        f"rep,{sam.email},,volume,higher,45,week,,\n"
    )
    result = csvio.import_csv(dana, good.encode(), "goals.csv")
    assert result.errors == [] and result.created == 2
    assert Goal.objects.get(person=sam, metric="stage:conversation").target == 0.4
    text = csvio.export_csv(Goal.objects.filter(person=sam))
    assert "'=HYPERLINK(1)" in text and ",=HYPERLINK" not in text
    bad = (
        "scope,rep,metric,target\n"
        f"rep,{sam.external_id},one_on_ones,4\n"
        "rep,nobody,one_on_ones,4\n"
        f"rep,{sam.external_id},stage:conversation,40\n"
    )
    result = csvio.import_csv(dana, bad.encode(), "bad.csv")
    assert result.created == 0
    assert result.errors[0].startswith("bad.csv, row 3, rep: 'nobody'")
    assert result.errors[1].startswith("bad.csv, row 4, target: a rate or share is 0-1")
    assert not Goal.objects.filter(person=sam, metric="one_on_ones").exists()  # nothing half-way
    assert csvio.import_csv(dana, b"\xff\xfe", "x.csv").errors == ["x.csv: not UTF-8 text"]
    assert "missing column(s) metric" in csvio.import_csv(dana, b"target\n1\n", "y.csv").errors[0]
    # A rep of another team is not Dana's to set.
    other = Person.objects.filter(org=story_org, role=Role.REP).exclude(team=sam.team).first()
    if other is not None:
        row = f"scope,rep,metric,target\nrep,{other.external_id},one_on_ones,4\n"
        assert csvio.import_csv(dana, row.encode()).errors


def test_the_command_and_the_api_agree(story_org: Org) -> None:
    sam = _sam(story_org)
    services.create_goal(
        org=story_org, person=sam, metric="stage:conversation", target=0.5, by=None
    )
    out = io.StringIO()
    call_command(
        "goals", "--period", "2026-11", "--team", sam.team.name, "--as-of", "2026-11-27",
        "--org", story_org.slug, "--json", stdout=out,
    )  # fmt: skip
    body = json.loads(out.getvalue())
    row = next(r for r in body["reps"] if r["rep"] == "Sam Patel")
    assert row["goals"][0]["metric"] == "stage:conversation"
    assert row["goals"][0]["progress"] == "behind"
    assert body["reps"][0]["rep"] == "Sam Patel"  # the only rep with goals ranks first
    _, token = create_token(_leader(sam), "t")
    api = Client().get(
        f"/api/goals/progress/{sam.pk}?as_of=2026-11-27", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert api.status_code == 200
    assert api.json()["goals"][0]["p_meets"] == row["goals"][0]["p_meets"]


def test_the_weeks_wins_are_the_diagnosis_wins(story_org: Org) -> None:
    """The scorecard's grouped query counts the same wins as the diagnosis's deal rows."""
    from datetime import timedelta

    from ninety.diagnosis.loaders import load_won
    from ninety.goals.loaders import won_between

    ids = list(
        Person.objects.filter(org=story_org, role=Role.REP)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for first, days in ((AS_OF - timedelta(days=6), 7), (AS_OF - timedelta(days=90), 91)):
        last = first + timedelta(days=days - 1)
        value, count = won_between(ids, first, last)
        want_value, want_count = load_won(ids, first, last)
        assert count.sum() > 0
        assert count.tolist() == want_count.tolist()
        assert value == pytest.approx(want_value)


def test_a_reps_week_score_is_the_same_alone_and_on_the_teams_scorecard(story_org: Org) -> None:
    # The demo on 1 Jun showed Sam 9 on his own page and 29 on the dashboard: his week's stage
    # rate was shrunk against nobody alone and against the team on the dashboard.
    sam = _sam(story_org)
    team = sam.team
    for metric, target in (("stage:conversation", 0.5), ("stage:meeting", 0.4), ("volume", 40)):
        services.create_goal(org=story_org, team=team, metric=metric, target=target, by=None)
    report = rep_report(sam, Period.of(AS_OF), AS_OF)
    on_team = {c.person.pk: c for c in team_scorecards(team, AS_OF)}
    whole_org = {c.person.pk: c for c in org_scorecards(story_org, AS_OF)}
    reps = list(Person.objects.filter(team=team, role=Role.REP, is_active=True))
    assert len(reps) >= 5 and set(on_team) == {r.pk for r in reps}
    for rep in reps:
        (alone,) = scorecards([rep], AS_OF, weeks=6, spec=report.playbook)
        shown = on_team[rep.pk]
        assert alone.total is not None
        assert alone.total == pytest.approx(shown.total, abs=1e-9), rep.name
        assert alone.goals == shown.goals
        assert alone.trend == shown.trend and alone.streak == shown.streak
        assert whole_org[rep.pk].total == pytest.approx(shown.total, abs=1e-9), rep.name
    # Not a vacuous equality: the week's Greeting rates differ between the reps.
    greeting = {on_team[r.pk].goals[0][1] for r in reps}
    assert len(greeting) > 1


def test_a_reps_stage_score_does_not_depend_on_the_other_reps_goals(story_org: Org) -> None:
    # The demo on 3 Dec showed Alex 91 on his page and 90 on the dashboard: one teammate's own
    # goal on another stage put that stage in the team's call, and the stages of one call
    # share the model's G, so Alex's proposal rate moved with a goal that is not his.
    sam = _sam(story_org)
    team = sam.team
    services.create_goal(org=story_org, team=team, metric="stage:proposal", target=0.6, by=None)
    services.create_goal(
        org=story_org, person=sam, metric="stage:conversation", target=0.5, by=None
    )
    report = rep_report(sam, Period.of(AS_OF), AS_OF)
    on_team = {c.person.pk: c for c in team_scorecards(team, AS_OF)}
    others = [c for pk, c in on_team.items() if pk != sam.pk]
    assert len(others) >= 4
    for shown in others:
        (alone,) = scorecards([shown.person], AS_OF, weeks=6, spec=report.playbook)
        assert [m for m, _ in alone.goals] == ["Proposal conversion"]
        assert alone.goals == shown.goals, shown.person.name
        assert alone.trend == shown.trend, shown.person.name


def test_a_young_period_says_so_far_and_judges_whole_days(
    story_org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam = _sam(story_org)
    team = sam.team
    services.create_goal(org=story_org, team=team, metric="volume", target=1000, by=None)
    services.create_goal(org=story_org, team=team, metric="one_on_ones", target=4, by=None)
    monday = date(2026, 11, 2)  # the first business day of November (21 of them)
    report = rep_report(sam, Period.of(monday), monday)
    # Monday under way (a live page on the 2nd): too early to say, never "behind, 1% likely".
    monkeypatch.setattr(services, "default_as_of", lambda: monday)
    rows = {p.goal.metric: p for p in services.progress(sam, report, monday)}
    volume = progress_json(rows["volume"])
    assert volume["progress_label"] == "too early to say" and volume["certainty"] == ""
    assert volume["period"] == "Nov 2026 so far (day 1 of 21)"
    assert volume["judged_days"] == 0
    assert rows["one_on_ones"].judgement.label == "too early to say"
    # The same day once it is over: judged on its dials, and still "so far".
    monkeypatch.setattr(services, "default_as_of", lambda: date(2026, 11, 3))
    rows = {p.goal.metric: p for p in services.progress(sam, report, monday)}
    entry = report.playbook.stages[0].entry
    dials = _dials(sam, entry, monday, monday)
    assert dials > 0 and rows["volume"].judgement.value == dials
    assert rows["volume"].judgement.status == "behind"  # far from 1,000 a day
    assert progress_json(rows["volume"])["period"] == "Nov 2026 so far (day 1 of 21)"


def test_the_weeks_score_is_so_far_until_the_week_is_over(
    story_org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    sam = _sam(story_org)
    services.create_goal(org=story_org, person=sam, metric="volume", target=1000, by=None)
    services.create_goal(org=story_org, person=sam, metric="one_on_ones", target=4, by=None)
    entry = rep_report(sam, Period.of(AS_OF), AS_OF).playbook.stages[0].entry
    monday, wednesday = date(2026, 11, 23), date(2026, 11, 25)
    # Wednesday over: the week so far, volume per whole business day Monday to Wednesday.
    (card,) = scorecards([sam], wednesday)
    assert card.so_far == "so far (day 3 of 5)" and card.week == monday
    (_label, att), (_, meetings) = card.goals
    assert att == pytest.approx(_dials(sam, entry, monday, wednesday) / 3 / 1000)
    # 4 a month, judged on the four weeks to Wednesday (15 business days before the week + 3).
    held = sources.read("one_on_ones", [sam.pk], date(2026, 11, 2), wednesday).get(sam.pk)
    assert meetings == pytest.approx(min(1.0, (held or (0.0,))[0] / (4 * 18 / 21)))
    assert scorecard_json(card)["so_far"] == "so far (day 3 of 5)"
    # Monday under way: no whole day yet, so no volume score (not a day's dials over five).
    monkeypatch.setattr(scorecards_module, "default_as_of", lambda: monday)
    (card,) = scorecards([sam], monday)
    assert card.so_far == "so far (day 1 of 5)" and card.goals[0][1] is None
    # ...while the one-on-ones are judged on the three weeks before it (none held: 0).
    held = sources.read("one_on_ones", [sam.pk], date(2026, 11, 2), monday).get(sam.pk)
    assert card.goals[1][1] == pytest.approx(min(1.0, (held or (0.0,))[0] / (4 * 15 / 21)))
    # Friday over: the week is done, nothing says "so far".
    monkeypatch.setattr(scorecards_module, "default_as_of", lambda: date(2026, 11, 30))
    (card,) = scorecards([sam], AS_OF)
    assert card.so_far == ""
    assert card.goals[0][1] == pytest.approx(_dials(sam, entry, monday, AS_OF) / 5 / 1000)
    assert card.goals[1][1] == 0.0  # the whole week without one: scored (target 4 × 5/21)


def _dials(rep: Person, entry: str, first: date, last: date) -> float:
    rows = ActivityRollup.objects.filter(person=rep, type=entry, day__gte=first, day__lte=last)
    return float(rows.aggregate(n=Sum("count"))["n"] or 0)


def test_a_monthly_one_on_ones_goal_scores_a_bi_weekly_series_steadily(story_org: Org) -> None:
    """Two a month, held every other Tuesday: each week is judged on the four weeks ending with
    it, so the weeks do not read 0 and 100 by turns, and the running week is judged like the
    others (before, it left the goal out and every rep seemed to leap to 100)."""
    from datetime import UTC, datetime

    from ninety.coaching.models import OneOnOne

    sam = _sam(story_org)
    OneOnOne.objects.filter(rep=sam).delete()
    services.create_goal(org=story_org, person=sam, metric="one_on_ones", target=2, by=None)
    held = (date(2026, 9, 29), date(2026, 10, 13), date(2026, 10, 27), date(2026, 11, 10),
            date(2026, 11, 24))  # fmt: skip
    for day in held:
        OneOnOne.objects.create(
            org=story_org, leader=_leader(sam), rep=sam, status=OneOnOne.Status.DONE,
            scheduled_at=datetime(day.year, day.month, day.day, 15, tzinfo=UTC),
        )  # fmt: skip
    (card,) = scorecards([sam], date(2026, 11, 29), weeks=6)  # the week of 23 Nov, over
    weekly = list(card.trend)
    assert None not in weekly and min(weekly) >= 90, weekly  # 2 held in every 4 weeks: on target
    # The running week (Wednesday 25 Nov over): judged, not left out, and on target too.
    (running,) = scorecards([sam], date(2026, 11, 25))
    assert running.so_far == "so far (day 3 of 5)"
    assert running.goals[0][1] is not None and running.goals[0][1] >= 0.9
    # Half the cadence (one meeting in four weeks) reads as half the goal, every week.
    OneOnOne.objects.filter(rep=sam, scheduled_at__date=date(2026, 11, 10)).delete()
    (card,) = scorecards([sam], date(2026, 11, 29))
    assert card.goals[0][1] == pytest.approx(1 / (2 * 20 / 21), abs=0.02)


def test_a_rate_goal_says_the_window_it_is_judged_on(
    story_org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On day 1 a rate goal is judged on the stage's evidence window, weeks before the period:
    # "Nov 2026 so far (day 1 of 21)" would say it is judged on a day it is not.
    sam = _sam(story_org)
    services.create_goal(
        org=story_org, person=sam, metric="stage:conversation", target=0.5, by=None
    )
    monday = date(2026, 11, 2)
    monkeypatch.setattr(services, "default_as_of", lambda: monday)
    report = rep_report(sam, Period.of(monday), monday)
    window = report.window("conversation")
    assert window is not None and window.days > 1
    rate = next(p for p in services.progress(sam, report, monday) if p.metric.kind == "rate")
    assert progress_json(rate)["judged_on"] == f"judged on the last {window.days} days"
    page = _client_for(_leader(sam)).get(f"/goals/reps/{sam.pk}/?as_of=2026-11-02")
    html = page.content.decode()
    assert f"judged on the last {window.days} days" in html
    page = _client_for(_leader(sam)).get(f"/reps/{sam.pk}/?period=2026-11&as_of=2026-11-02")
    assert f"judged on the last {window.days} days" in page.content.decode()


def test_the_scorecard_says_what_each_goal_is_scored_on(story_org: Org) -> None:
    # The scorecard scores the week (a rate: this week's; one-on-ones: the last four weeks),
    # not the goal's period: it says so, or 92 reads against "behind" just above it.
    sam = _sam(story_org)
    services.create_goal(
        org=story_org, person=sam, metric="stage:conversation", target=0.5, by=None
    )
    services.create_goal(org=story_org, person=sam, metric="one_on_ones", target=2, by=None)
    card = scorecard_json(scorecards([sam], AS_OF)[0])
    on = {g["label"]: g["scored_on"] for g in card["goals"]}
    assert on["Greeting conversion"] == "this week's rate"
    assert on["One-on-ones held"] == "last 4 weeks"
    leader = _client_for(_leader(sam))
    html = unescape(leader.get(f"/goals/reps/{sam.pk}/?as_of={AS_OF.isoformat()}").content.decode())
    assert (
        'Greeting conversion <span class="muted" data-testid="scored-on">(this week\'s rate)'
        in html
    )
    assert "one-on-ones of the last 4 weeks" in html
    html = unescape(
        leader.get(f"/dashboard/?team={sam.team_id}&as_of={AS_OF.isoformat()}").content.decode()
    )
    assert 'data-testid="scored-on-note"' in html and "this week's rate" in html
    assert 'Behavior <span class="small muted">this week</span>' in html
