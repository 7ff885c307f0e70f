"""The one-on-one pages: the rep's self-report, the prep sheet, the meeting, the summary."""

from __future__ import annotations

from typing import Any

from ninety.coaching import services
from ninety.coaching.models import OneOnOne, PrivateNote
from ninety.playbook.models import Behavior, Way
from tests.coaching.conftest import AS_OF
from tests.conftest import World

SECRET = "Sam seems distracted by something at home"


def _open(world: World, meeting: OneOnOne, client_for: Any) -> Any:
    leader = client_for(world.leader)
    response = leader.post(f"/one-on-ones/{meeting.pk}/open/", {"as_of": AS_OF.isoformat()})
    assert response.status_code == 302
    assert response["Location"] == f"/one-on-ones/{meeting.pk}/prep/"
    return leader


def _greeting(meeting: OneOnOne) -> Behavior:
    return Behavior.objects.get(stage__playbook__org_id=meeting.org_id, stage__key="conversation")


def test_the_rep_prefills_the_self_report(world: World, meeting, client_for) -> None:
    sam = client_for(world.rep)
    page = sam.get(f"/one-on-ones/{meeting.pk}/")
    assert b"My self-report" in page.content
    sam.post(f"/one-on-ones/{meeting.pk}/self-report/",
             {"results": "Projecting down 15%", "behaviors": "People hang up early"})  # fmt: skip
    meeting.refresh_from_db()
    assert meeting.self_results == "Projecting down 15%"
    assert (
        b"Projecting down 15%"
        in client_for(world.leader).get(f"/one-on-ones/{meeting.pk}/").content
    )


def test_the_rep_cannot_read_the_prep_sheet_or_run_the_meeting(world, meeting, client_for):
    sam = client_for(world.rep)
    assert sam.get(f"/one-on-ones/{meeting.pk}/prep/").status_code == 403
    assert sam.post(f"/one-on-ones/{meeting.pk}/open/").status_code == 403
    assert sam.post(f"/one-on-ones/{meeting.pk}/save/", {"private": "x"}).status_code == 403
    assert not PrivateNote.objects.exists()


def test_a_whole_meeting_by_form(world: World, meeting: OneOnOne, client_for) -> None:
    leader = _open(world, meeting, client_for)
    prep = leader.get(f"/one-on-ones/{meeting.pk}/prep/")
    assert b"1. Behavior and process review" in prep.content
    page = leader.get(f"/one-on-ones/{meeting.pk}/")
    assert b"Recite the ways" in page.content and b"talk-share" in page.content
    behavior = _greeting(meeting)
    ways = list(behavior.ways.filter(status=Way.Status.APPROVED))
    question = behavior.questions.first()
    response = leader.post(f"/one-on-ones/{meeting.pk}/save/", {
        f"q-{question.pk}-holds": "yes", f"q-{question.pk}-note": "rushed opening",
        "recital-behavior": str(behavior.pk), "recited": [str(ways[0].pk), str(ways[1].pk)],
        "new-ways": "Mention the neighbour who switched", "values": "Owns the misses",
        "shared": "Slow down the first 10 seconds", "private": SECRET,
        "rep_seconds": "300", "leader_seconds": "200",
    })  # fmt: skip
    assert response.status_code == 302
    leader.post(f"/one-on-ones/{meeting.pk}/commitments/",
                {"kind": "behavior_change", "text": "Use way 3 on every call",
                 "way": str(ways[2].pk), "behavior": str(behavior.pk)})  # fmt: skip
    leader.post(f"/one-on-ones/{meeting.pk}/save/", {"summary": "Greeting first.", "close": "1"})
    meeting.refresh_from_db()
    assert meeting.status == OneOnOne.Status.DONE and meeting.talk_share == 0.6
    assert meeting.commitments.get().way == ways[2]
    assert meeting.answers.get().holds is True

    mine = leader.get(f"/one-on-ones/{meeting.pk}/summary/").content.decode()
    assert SECRET in mine and "Greeting first." in mine and "2 of " in mine
    for who in (world.rep, world.director, world.admin):
        page = client_for(who).get(f"/one-on-ones/{meeting.pk}/summary/")
        assert page.status_code == 200
        body = page.content.decode()
        assert "Slow down the first 10 seconds" in body and "Greeting first." in body
        assert SECRET not in body, who.name
    # After the meeting the rep's link leads to the summary.
    assert (
        client_for(world.rep).get(f"/one-on-ones/{meeting.pk}/")["Location"].endswith("/summary/")
    )


def test_the_talk_timer_posts_totals(world: World, meeting, client_for) -> None:
    leader = _open(world, meeting, client_for)
    response = leader.post(f"/one-on-ones/{meeting.pk}/talk/",
                           {"rep_seconds": "62", "leader_seconds": "38"},
                           HTTP_ACCEPT="application/json")  # fmt: skip
    assert response.json() == {"rep_seconds": 62, "leader_seconds": 38, "share": 0.62}
    leader.post(f"/one-on-ones/{meeting.pk}/talk/", {"rep_minutes": "5", "leader_minutes": "2.5"})
    meeting.refresh_from_db()
    assert (meeting.talk_rep_seconds, meeting.talk_leader_seconds) == (300, 150)
    bad = leader.post(f"/one-on-ones/{meeting.pk}/talk/", {"rep_seconds": "-3"},
                      HTTP_ACCEPT="application/json")  # fmt: skip
    assert bad.status_code == 422


def test_the_invitation_is_an_ics_file(world: World, meeting, client_for) -> None:
    response = client_for(world.rep).get(f"/one-on-ones/{meeting.pk}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261127T150000Z\r\n" in body and "DTEND:20261127T153000Z\r\n" in body
    assert "SUMMARY:One-on-one: Sam with Dana\r\n" in body
    assert 'ATTENDEE;CN="Sam":mailto:sam@example.com' in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_the_list_page_schedules_a_series(world: World, client_for) -> None:
    leader = client_for(world.leader)
    assert b"Schedule a series" in leader.get("/one-on-ones/").content
    form = {"rep": world.teammate.pk, "cadence": "biweekly", "weekday": "2", "at": "09:30",
            "start": "2026-12-01", "duration_minutes": "45"}  # fmt: skip
    leader.post("/one-on-ones/schedule/", form)
    m = OneOnOne.objects.get(rep=world.teammate)
    assert m.scheduled_at.isoformat() == "2026-12-02T09:30:00+00:00" and m.duration_minutes == 45
    assert b"Schedule a series" not in client_for(world.rep).get("/one-on-ones/").content


def test_a_delegated_meeting_is_run_by_the_delegate(world: World, meeting, client_for) -> None:
    services.delegate_meeting(meeting, by=world.leader, delegate=world.teammate)
    alex = client_for(world.teammate)
    assert alex.post(f"/one-on-ones/{meeting.pk}/open/").status_code == 302
    assert alex.get(f"/one-on-ones/{meeting.pk}/prep/").status_code == 200


def test_the_list_page_takes_a_fixed_number_of_queries(world: World, client_for) -> None:
    from datetime import UTC, datetime

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    leader = client_for(world.leader)
    services.create_meeting(world.leader, world.rep, scheduled_at=datetime(2026, 12, 1, tzinfo=UTC))
    leader.get("/one-on-ones/")
    with CaptureQueriesContext(connection) as one:
        leader.get("/one-on-ones/")
    for day in range(2, 8):
        services.create_meeting(world.leader, world.teammate,
                                scheduled_at=datetime(2026, 12, day, tzinfo=UTC))  # fmt: skip
    with CaptureQueriesContext(connection) as many:
        leader.get("/one-on-ones/")
    assert len(many) == len(one)


def test_the_invitation_carries_the_leaders_zone(world: World, meeting, client_for) -> None:
    world.leader.time_zone = "Europe/Berlin"
    world.leader.save(update_fields=["time_zone"])
    body = client_for(world.rep).get(f"/one-on-ones/{meeting.pk}.ics").content.decode()
    # 15:00 UTC is 16:00 in Berlin in November; the VTIMEZONE tells the calendar the rules.
    assert "DTSTART;TZID=Europe/Berlin:20261127T160000\r\n" in body
    assert "DTEND;TZID=Europe/Berlin:20261127T163000\r\n" in body
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" in body and "TZOFFSETTO:+0100" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_a_series_is_scheduled_at_the_leaders_wall_clock(world: World, client_for) -> None:
    world.leader.time_zone = "America/Los_Angeles"
    world.leader.save(update_fields=["time_zone"])
    form = {"rep": world.teammate.pk, "cadence": "weekly", "weekday": "2", "at": "09:30",
            "start": "2026-12-01", "duration_minutes": "30"}  # fmt: skip
    client_for(world.leader).post("/one-on-ones/schedule/", form)
    m = OneOnOne.objects.get(rep=world.teammate)
    assert m.scheduled_at.isoformat() == "2026-12-02T17:30:00+00:00"  # 09:30 PST
    page = client_for(world.leader).get("/one-on-ones/").content.decode()
    assert "Wed 2 Dec 2026, 09:30" in page


def test_an_experiment_from_a_commitment_keeps_its_words_and_names_its_metric(
    world: World, meeting, client_for
) -> None:
    services.open_meeting(meeting, by=world.leader, as_of=AS_OF)
    greeting = Behavior.objects.get(
        stage__playbook__org=world.org, stage__playbook__status="published",
        stage__key="conversation", key="compelling-reason-to-speak",
    )  # fmt: skip
    way = greeting.ways.filter(status=Way.Status.APPROVED).first()
    words = "Open every call by naming a neighbour who switched, never the price"
    c = services.add_commitment(meeting, by=world.leader, kind="behavior_change", text=words,
                                behavior=greeting, way=way)  # fmt: skip
    leader = client_for(world.leader)
    before = leader.get(f"/one-on-ones/{meeting.pk}/").content.decode()
    assert "it would watch Greeting: connect→conversation" in before
    leader.post(f"/one-on-ones/{meeting.pk}/commitments/{c.pk}/experiment/")
    c.refresh_from_db()
    page = leader.get(f"/experiments/{c.experiment_id}/").content.decode()
    assert f"Sam: {words}" in page and way.text != words
    watches = page.split('data-testid="watches">')[1].split("</p>")[0]
    assert watches.startswith("Watches <strong>") and "connect" in watches, watches
    assert "commitment " + str(c.pk) not in page  # no raw ids
    after = leader.get(f"/one-on-ones/{meeting.pk}/").content.decode()
    assert "watches Greeting: connect→conversation" in after


def test_the_list_offers_a_summary_only_for_held_meetings(
    world: World, meeting: OneOnOne, client_for
) -> None:
    # A meeting still to come has no summary to read ("No summary written yet").
    leader = client_for(world.leader)
    summary = f'href="/one-on-ones/{meeting.pk}/summary/"'
    assert meeting.status == OneOnOne.Status.SCHEDULED
    assert summary not in leader.get("/one-on-ones/").content.decode()
    for status in (OneOnOne.Status.DONE, OneOnOne.Status.CANCELLED):
        OneOnOne.objects.filter(pk=meeting.pk).update(status=status)
        assert summary in leader.get("/one-on-ones/").content.decode(), status
