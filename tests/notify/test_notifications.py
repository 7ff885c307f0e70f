"""Each notification fires once, to the right people only, and e-mails as each person chose."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ninety.coaching.services import save_self_report
from ninety.delegation.models import TacticalTask
from ninety.experiments.models import Experiment
from ninety.experiments.notifications import verdict_changed
from ninety.home.management.commands.notify import CHECKS
from ninety.ingest.background import queue_import
from ninety.notify.models import Kind, Mode, Notification
from ninety.notify.services import Message, notify, set_modes
from ninety.notify.tasks import build_digests, send_digests
from ninety.people.models import Person, Role, Team
from ninety.people.services import create_person
from ninety.playbook.services import approve_way, decline_way, propose_way
from tests.coaching.conftest import sams_meeting
from tests.conftest import World
from tests.delegation.helpers import delegation_to_alex, greeting, reported_delegation
from tests.experiments.matrix_helpers import sams_experiment

pytestmark = pytest.mark.django_db


def _to(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__name", flat=True))


def test_self_report_written_reaches_the_leader_once(world: World) -> None:
    m = sams_meeting(world)
    save_self_report(m, by=world.rep, results="-15%", behaviors="Greeting")
    save_self_report(m, by=world.rep, results="-12%", behaviors="Greeting, tone")
    assert _to(Kind.SELF_REPORT_WRITTEN) == {"Dana"}
    assert Notification.objects.filter(kind=Kind.SELF_REPORT_WRITTEN).count() == 1
    # Immediate by default: one e-mail, to Dana only, naming Sam and linking the meeting.
    assert [e.to for e in mail.outbox] == [["dana@example.com"]]
    assert "Sam" in mail.outbox[0].subject and f"/one-on-ones/{m.pk}/" in mail.outbox[0].body


def test_the_leader_typing_the_self_report_notifies_nobody(world: World) -> None:
    save_self_report(sams_meeting(world), by=world.leader, results="-15%", behaviors="x")
    assert not Notification.objects.exists()


def test_tomorrow_reminders_once_each_and_self_report_due(world: World) -> None:
    m = sams_meeting(world)
    day_before = timezone.localdate(m.scheduled_at) - timedelta(days=1)
    remind = CHECKS["one-on-ones tomorrow"]
    assert remind(day_before) == 3  # Sam and Dana: tomorrow; Sam: write the self-report
    assert remind(day_before) == 0  # run again (hourly cron): nothing twice
    assert _to(Kind.ONE_ON_ONE_TOMORROW) == {"Sam", "Dana"}
    assert _to(Kind.SELF_REPORT_DUE) == {"Sam"}
    assert remind(day_before - timedelta(days=1)) == 0  # two days before: nothing yet


def test_a_moved_meeting_reminds_again_for_its_new_time(world: World) -> None:
    m = sams_meeting(world)
    day_before = timezone.localdate(m.scheduled_at) - timedelta(days=1)
    CHECKS["one-on-ones tomorrow"](day_before)
    m.scheduled_at += timedelta(hours=2)
    m.save(update_fields=["scheduled_at"])
    assert CHECKS["one-on-ones tomorrow"](day_before) == 3


def test_delegate_reported_back_reaches_the_delegating_leader_only(world: World) -> None:
    reported_delegation(world)
    assert _to(Kind.DELEGATE_REPORTED) == {"Dana"}


def test_overdue_delegation_reaches_delegate_and_leader_once(world: World) -> None:
    d = delegation_to_alex(world)
    TacticalTask.objects.filter(pk=d.task_id).update(due=date(2026, 11, 20))
    overdue = CHECKS["overdue delegations"]
    assert overdue(date(2026, 11, 20)) == 0  # due today is not overdue
    assert overdue(date(2026, 11, 21)) == 2
    assert overdue(date(2026, 11, 22)) == 0
    assert _to(Kind.DELEGATION_OVERDUE) == {"Alex", "Dana"}


def _another_rep(w: World, team: Team) -> None:
    """Two more reps, so that the rest of a team is a group (a rep is not told a verdict whose
    control is fewer than three reps: see experiments.queries.MIN_GROUP)."""
    for name in ("Kit", "Lou"):
        create_person(w.org, f"{name} of {team.name}", role=Role.REP, team=team)


def test_experiment_verdict_reaches_starter_and_subject_once(world: World) -> None:
    _another_rep(world, world.crew)
    e = Experiment.objects.get(pk=sams_experiment(world))
    e.verdict, e.sentence = "likely improved", "Connect → conversation rose."
    verdict_changed(e, "collecting data")
    verdict_changed(e, "collecting data")  # the next refresh, same verdict
    assert _to(Kind.EXPERIMENT_VERDICT) == {"Dana", "Sam"}
    e.verdict = "collecting data"
    verdict_changed(e, "likely improved")
    assert Notification.objects.filter(kind=Kind.EXPERIMENT_VERDICT).count() == 2


def test_experiment_verdict_skips_a_starter_who_may_no_longer_open_it(world: World) -> None:
    """Sam moved to Chris's team: Dana, who started the experiment, no longer sees it."""
    _another_rep(world, world.closers)
    e = Experiment.objects.get(pk=sams_experiment(world))
    Person.objects.filter(pk=world.rep.pk).update(team=world.closers)
    e.verdict = "likely worse"
    verdict_changed(e, "")
    assert _to(Kind.EXPERIMENT_VERDICT) == {"Sam"}


def test_way_proposed_reaches_the_reps_leader_and_decision_the_author(world: World) -> None:
    way = propose_way(world.rep, greeting(world), "Say their name first")
    assert _to(Kind.WAY_PROPOSED) == {"Dana"}
    approve_way(world.leader, way)
    assert _to(Kind.WAY_DECIDED) == {"Sam"}
    other = propose_way(world.teammate, greeting(world), "Mention the weather")
    decline_way(world.leader, other, "Too close to small talk")
    assert _to(Kind.WAY_DECIDED) == {"Sam", "Alex"}
    alex = Notification.objects.get(recipient=world.teammate, kind=Kind.WAY_DECIDED)
    assert "Too close" in alex.body


def test_a_proposal_by_someone_nobody_leads_goes_to_the_admins(world: World) -> None:
    propose_way(world.director, greeting(world), "Open with a question")
    assert _to(Kind.WAY_PROPOSED) == {"Riley"}


def test_nobody_hears_of_what_they_may_not_see(world: World) -> None:
    """The gate filters recipients: Chris (another team), Alex (a teammate), Olive (another org)
    get nothing about Sam."""
    msg = Message("About Sam", "", "/reps/1/")
    made = notify(Kind.SELF_REPORT_WRITTEN, [world.other_leader, world.teammate, world.outsider,
                                             world.leader, world.director, world.admin],
                  org_id=world.org.pk, key="t:1", message=msg, about=[world.rep])  # fmt: skip
    assert {n.recipient.name for n in made} == {"Dana", "Morgan", "Riley"}


def test_off_means_nothing_and_inbox_means_no_email(world: World) -> None:
    set_modes(world.leader, {Kind.SELF_REPORT_WRITTEN: Mode.OFF})
    save_self_report(sams_meeting(world), by=world.rep, results="x", behaviors="y")
    assert not Notification.objects.exists()
    set_modes(world.leader, {Kind.DELEGATE_REPORTED: Mode.INBOX})
    reported_delegation(world)
    assert Notification.objects.filter(kind=Kind.DELEGATE_REPORTED).count() == 1
    assert mail.outbox == []


def test_the_daily_digest_gathers_each_persons_lines_once(world: World) -> None:
    for p in (world.leader, world.rep):
        set_modes(p, {Kind.ONE_ON_ONE_TOMORROW: Mode.DIGEST, Kind.SELF_REPORT_DUE: Mode.DIGEST})
    m = sams_meeting(world)
    CHECKS["one-on-ones tomorrow"](timezone.localdate(m.scheduled_at) - timedelta(days=1))
    assert mail.outbox == []  # digest mode: nothing at once
    assert send_digests.call() == 2
    by_person = {e.to[0]: e for e in mail.outbox}
    assert set(by_person) == {"dana@example.com", "sam@example.com"}
    assert "(2 new)" in by_person["sam@example.com"].subject
    assert "self-report" in by_person["sam@example.com"].body
    assert build_digests() == []  # already sent


CALLS = (
    "external_id,person,occurred_at,type,outcome\nq1,ext-sam,2026-10-01T09:00:00Z,dial,connect\n"
)


def _page_import(client, folder, text: str, kind: str = "activities"):  # type: ignore[no-untyped-def]
    """The import page, as a person uses it (the task runs here: the immediate backend)."""
    path = folder / "calls.csv"
    path.write_text(text)
    with path.open("rb") as f:
        return client.post(
            "/import/", {"kind": kind, "step": "import", "preset": "ninety", "file": f}
        )


def test_an_import_tells_whoever_started_it_how_it_ended(
    world: World, client_for, tmp_path, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.NINETY_DATA_DIR = tmp_path
    client = client_for(world.admin)
    _page_import(client, tmp_path, CALLS)
    done = Notification.objects.get(kind=Kind.IMPORT_FINISHED)
    assert done.recipient == world.admin and "1 imported" in done.body
    upload = tmp_path / "later.csv"
    upload.write_text(CALLS)
    queue_import(world.admin, "activities", upload, file_name="later.csv", preset="no-such")
    failed = Notification.objects.get(kind=Kind.IMPORT_FAILED)
    assert failed.recipient == world.admin and "failed" in failed.title
    assert [e.to for e in mail.outbox] == [["riley@example.com"]]  # failures e-mail at once
