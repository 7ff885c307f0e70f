"""Finding 8 (high): a leader kept a rep's one-on-ones after the rep moved to another team.

Being a meeting's leader opened it only through ``Q(leader=viewer)``: after an import moved Sam
from Dana's Crew to Chris's Closers, Dana lost Sam's pages but still read his self-report, a live
prep sheet of his funnel, wrote the meeting's notes, and had him on her dashboard, lists, search
and calendar. Now being the leader counts while the leader leads the rep's team (directly or
below); the new leader reads the shared parts as any leader of the rep's team does, the delegate
keeps what the grant gives, and private notes stay their author's.

Checked persona by persona, by what each gets back, after a real people import.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from ninety.api.services import create_token
from ninety.coaching import services
from ninety.coaching.models import OneOnOne, OneOnOneSeries, PrivateNote
from ninety.coaching.notifications import remind_tomorrow
from ninety.home.feeds import feed
from ninety.home.search import search
from ninety.ingest.services import import_file
from ninety.notify.models import Kind, Mode, Notification
from ninety.notify.services import set_modes, unread_count
from ninety.notify.tasks import build_digests, send_digests
from tests.coaching.conftest import AS_OF, MEETING_DAY, sams_meeting
from tests.conftest import World

SELF_REPORT = "Down 15% on conversations, projecting 80% of quota"
SHARED = "Greeting first, then the local reference"
PRIVATE = "private: worried about the schedule change"  # nothing HTML escapes
ROSTER = "external_id,name,email,role,team\n"


def _move(w: World, tmp_path: Path, rep: str, team: str) -> None:
    """The admin imports a roster line that moves ``rep`` to ``team``."""
    person = w.persona(rep)
    csv = tmp_path / f"move-{person.pk}-{team}.csv"
    csv.write_text(ROSTER + f"{person.external_id},{person.name},{person.email},rep,{team}\n")
    summary = import_file(w.org, "people", csv, created_by=w.admin)
    assert summary.updated == 1, (summary.errors, summary.notes)
    person.refresh_from_db()
    assert person.team is not None and person.team.name == team


def _api(w: World, persona: str, method: str, path: str, body: str = "") -> tuple[int, object]:
    _, token = create_token(w.persona(persona), "t")
    call = getattr(Client(), method)
    kwargs = {"content_type": "application/json", "data": body} if body else {}
    response = call(path, HTTP_AUTHORIZATION=f"Bearer {token}", **kwargs)
    is_json = response.get("Content-Type", "").startswith("application/json")
    body_out = response.json() if is_json else None
    if response.status_code == 200 and isinstance(body_out, dict) and "items" in body_out:
        return 200, body_out["items"]
    return response.status_code, body_out


@pytest.fixture
def moved(world: World, tmp_path: Path) -> OneOnOne:
    """Sam's meeting with Dana, opened, with his self-report, shared and private notes; then the
    import moves Sam to Chris's Closers."""
    meeting = sams_meeting(world)
    services.save_self_report(meeting, by=world.rep, results=SELF_REPORT, behaviors="Greeting")
    services.open_meeting(meeting, by=world.leader, as_of=AS_OF)
    services.save_notes(meeting, by=world.leader, shared=SHARED, private=PRIVATE)
    # Before the move Dana runs it: the test would prove nothing otherwise.
    assert _api(world, "leader", "get", f"/api/one-on-ones/{meeting.pk}")[0] == 200
    _move(world, tmp_path, "rep", "Closers")
    return meeting


# persona -> (the meeting, its prep sheet, writing its notes) by API, after the move.
AFTER_MOVE = {
    "rep": (200, 403, 403),
    "teammate": (404, 404, 404),
    "leader": (404, 404, 404),  # Dana, the old leader
    "other_leader": (200, 200, 403),  # Chris, the new leader: reads, does not run Dana's
    "director": (200, 200, 403),
    "admin": (200, 200, 403),
    "outsider": (404, 404, 404),
}


@pytest.mark.parametrize("persona", list(AFTER_MOVE))
def test_finding8_after_a_move_each_persona_gets_what_their_scope_gives(
    world: World, moved: OneOnOne, persona: str
) -> None:
    read, prep, write = AFTER_MOVE[persona]
    status, body = _api(world, persona, "get", f"/api/one-on-ones/{moved.pk}")
    assert status == read
    if read == 200:
        assert body["self_results"] == SELF_REPORT and body["shared_notes"] == SHARED
        assert PRIVATE not in str(body)
    status, listed = _api(world, persona, "get", "/api/one-on-ones")
    assert status == 200
    assert [m["id"] for m in listed] == ([moved.pk] if read == 200 else [])
    status, sheet = _api(world, persona, "get", f"/api/one-on-ones/{moved.pk}/prep")
    assert status == prep
    if prep == 200:
        assert sheet["funnel"]  # the sheet itself, for those who read it
    status, _ = _api(world, persona, "put", f"/api/one-on-ones/{moved.pk}/notes",
                     '{"shared": "overwritten"}')  # fmt: skip
    assert status == write
    moved.refresh_from_db()
    assert moved.shared_notes == SHARED


@pytest.mark.parametrize("persona", list(AFTER_MOVE))
def test_finding8_the_pages_follow_the_same_rule(
    world: World, moved: OneOnOne, client_for, persona: str
) -> None:
    read, prep, _ = AFTER_MOVE[persona]
    client = client_for(world.persona(persona))
    summary = client.get(f"/one-on-ones/{moved.pk}/summary/")
    assert summary.status_code == read
    if read == 200:
        assert SELF_REPORT in summary.content.decode()  # (nothing in it HTML escapes)
    page = client.get(f"/one-on-ones/{moved.pk}/prep/")
    assert page.status_code == prep
    assert client.get(f"/one-on-ones/{moved.pk}.ics").status_code == read
    listing = client.get("/one-on-ones/").content.decode()
    assert (f'href="/one-on-ones/{moved.pk}/' in listing) == (read == 200)
    # Nobody but Dana ever reads her private note, and after the move not even on her pages.
    for path in (f"/one-on-ones/{moved.pk}/", f"/one-on-ones/{moved.pk}/summary/",
                 f"/one-on-ones/{moved.pk}/prep/"):  # fmt: skip
        assert PRIVATE not in client.get(path, follow=True).content.decode(), path
    status, _ = _api(world, persona, "get", f"/api/one-on-ones/{moved.pk}/private-note")
    assert status == 404


def test_finding8_the_private_note_is_kept_for_its_author(
    world: World, moved: OneOnOne, client_for, tmp_path: Path
) -> None:
    # The new leader (and anyone) writing their own note does not reach Dana's.
    assert PrivateNote.objects.filter(meeting=moved, author=world.leader).exists()
    _move(world, tmp_path, "rep", "Crew")  # Sam comes back: Dana reads her note again
    status, body = _api(world, "leader", "get", f"/api/one-on-ones/{moved.pk}/private-note")
    assert (status, body) == (200, {"text": PRIVATE})
    # The move had cancelled the meeting under way: its page is now its summary, with her note.
    shown = client_for(world.leader).get(f"/one-on-ones/{moved.pk}/", follow=True)
    assert shown.redirect_chain[-1][0] == f"/one-on-ones/{moved.pk}/summary/"
    assert PRIVATE in shown.content.decode() and "Cancelled" in shown.content.decode()


def test_finding8_the_old_leader_loses_the_rep_on_every_list(
    world: World, moved: OneOnOne, client_for
) -> None:
    dana = world.leader
    # Dana still runs her other rep's meeting: the rule is about the rep, not the leader.
    alex = services.create_meeting(dana, world.teammate, scheduled_at=moved.scheduled_at)
    day = MEETING_DAY.isoformat()
    due = client_for(dana).get(f"/dashboard/?as_of={day}").content.decode()
    due = due.split('data-testid="one-on-ones-due"', 1)[1].split("</section>", 1)[0]
    assert f"/one-on-ones/{alex.pk}/" in due and f"/one-on-ones/{moved.pk}/" not in due
    assert "Sam" not in due
    people_and_meetings = {"Person", "One-on-one"}  # ("Sam" is also in "the same day")
    assert [h for h in search(dana, "Sam") if h.kind in people_and_meetings] == []
    assert {h.kind for h in search(world.other_leader, "Sam")} >= people_and_meetings
    calendar = feed(dana, base="https://ninety.test", host="ninety.test").decode()
    assert "Sam" not in calendar and "Alex" in calendar
    assert "Sam" in feed(world.rep, base="https://ninety.test", host="ninety.test").decode()
    assert client_for(dana).get(f"/export/one-on-ones.csv?rep={world.rep.pk}").status_code == 404


def test_finding8_no_new_notification_about_the_rep_reaches_the_old_leader(
    world: World, moved: OneOnOne
) -> None:
    before = set(Notification.objects.filter(recipient=world.leader).values_list("pk", flat=True))
    # The series' next meeting (Dana's still: the series was hers).
    meeting = OneOnOne.objects.create(
        org=world.org, series=moved.series, leader=world.leader, rep=world.rep,
        scheduled_at=moved.scheduled_at + timedelta(days=7),
    )  # fmt: skip
    services.save_self_report(meeting, by=world.rep, results="Up again", behaviors="Greeting")
    remind_tomorrow((meeting.scheduled_at - timedelta(days=1)).date())
    after = Notification.objects.filter(recipient=world.leader).exclude(pk__in=before)
    assert list(after) == []
    # Nobody may run it (Dana no longer leads Sam): it reminds Sam of nothing either.
    assert not Notification.objects.filter(recipient=world.rep, kind="one_on_one_tomorrow").exists()
    assert OneOnOneSeries.objects.get(pk=moved.series_id).active is False  # the move ended it


def test_finding8_what_reached_the_old_leader_before_the_move_leaves_her_inbox(
    world: World, client_for, tmp_path: Path
) -> None:
    meeting = sams_meeting(world)
    set_modes(world.leader, {Kind.ONE_ON_ONE_TOMORROW: Mode.DIGEST})
    services.save_self_report(meeting, by=world.rep, results=SELF_REPORT, behaviors="Greeting")
    remind_tomorrow(timezone.localdate(meeting.scheduled_at) - timedelta(days=1))
    dana = client_for(world.leader)
    titles = {"Sam wrote the self-report for your one-on-one", "One-on-one with Sam tomorrow"}
    assert all(t in dana.get("/inbox/").content.decode() for t in titles)
    assert unread_count(world.leader) == 2
    mail.outbox.clear()
    _move(world, tmp_path, "rep", "Closers")
    inbox = dana.get("/inbox/").content.decode()
    assert not any(t in inbox for t in titles) and "Nothing here yet." in inbox
    assert unread_count(world.leader) == 0
    notification = Notification.objects.filter(recipient=world.leader).first()
    assert dana.post(f"/inbox/{notification.pk}/open/").status_code == 404
    # Sam's own reminders stay his; the morning digest no longer mails Dana the reminder.
    assert unread_count(world.rep) == 1  # "One-on-one with Dana tomorrow"
    send_digests.call()
    assert [e.to for e in mail.outbox] == [["sam@example.com"]]
    assert build_digests() == []  # dropped, not kept for a later day


def test_finding8_a_delegate_keeps_what_the_grant_gives(
    world: World, client_for, tmp_path: Path
) -> None:
    meeting = services.delegate_meeting(sams_meeting(world), by=world.leader,
                                        delegate=world.teammate)  # fmt: skip
    _move(world, tmp_path, "rep", "Closers")
    alex = client_for(world.teammate)
    assert alex.get(f"/one-on-ones/{meeting.pk}/prep/").status_code == 200
    services.open_meeting(meeting, by=world.teammate, as_of=AS_OF)
    services.save_notes(meeting, by=world.teammate, shared="Alex's notes")
    assert _api(world, "leader", "get", f"/api/one-on-ones/{meeting.pk}")[0] == 404
    # The old leader can no longer take it back either.
    with pytest.raises(PermissionDenied):
        services.delegate_meeting(meeting, by=world.leader, delegate=None)
    services.close_meeting(meeting, by=world.teammate, summary="Held by Alex")
    assert alex.get(f"/one-on-ones/{meeting.pk}/summary/").status_code == 404


def test_finding8_the_new_leader_runs_the_meetings_they_schedule(
    world: World, moved: OneOnOne, client_for
) -> None:
    series = services.schedule_series(world.other_leader, world.rep, weekday=4,
                                      start=MEETING_DAY + timedelta(days=7))  # fmt: skip
    mine = series.meetings.get()
    status, _ = _api(world, "other_leader", "put", f"/api/one-on-ones/{mine.pk}/notes",
                     '{"shared": "Chris and Sam"}')  # fmt: skip
    assert status == 200
    assert _api(world, "leader", "get", f"/api/one-on-ones/{mine.pk}")[0] == 404
