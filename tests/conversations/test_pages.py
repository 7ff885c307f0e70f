"""The call page, the rep page's call list, the prep sheet's evidence, the import page, the
API and the command, as their users see them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from ninety.api.services import create_token
from ninety.coaching.models import OneOnOne
from ninety.coaching.prep import build_prep
from ninety.coaching.services import close_meeting, create_meeting, open_meeting
from ninety.conversations.models import Conversation
from ninety.conversations.services import CallFile, import_call
from ninety.core.conversations.detect import LexicalEmbedder
from tests.coaching import matrix_helpers as oo
from tests.conftest import World
from tests.conversations.helpers import DATA, SAM_CALL, WHEN, no_call_imported, sams_call
from tests.playbook.matrix_helpers import acme_playbook


def test_call_page_highlights_the_way_and_shows_metrics(world: World, client_for: Any) -> None:
    conv = sams_call(world)
    html = client_for(world.leader).get(f"/calls/{conv.pk}/").content.decode()
    assert '<mark data-testid="way-sentence">Could I have thirty seconds' in html
    assert "Ask for 30 seconds to say why you called, then stop talking." in html
    assert "detected, score" in html and "lexical match" in html
    assert "Rep talk share" in html and "No recording was imported" in html


def test_rep_page_lists_the_calls(world: World, client_for: Any) -> None:
    conv = sams_call(world)
    html = client_for(world.rep).get(f"/reps/{world.rep.pk}/").content.decode()
    assert f'href="/calls/{conv.pk}/"' in html and 'data-testid="call-list"' in html
    assert "Import a call transcript" not in html  # a rep does not import
    leader = client_for(world.leader).get(f"/reps/{world.rep.pk}/").content.decode()
    assert "Import a call transcript" in leader


def test_prep_sheet_brings_the_calls_as_evidence(world: World, client_for: Any) -> None:
    sams_call(world)
    meeting = oo.meeting(world)
    response = client_for(world.leader).get(f"/one-on-ones/{meeting}/prep/?as_of=2026-11-27")
    html = response.content.decode()
    assert 'data-testid="call-evidence"' in html and "Tone or inflection?" in html
    prep = build_prep(OneOnOne.objects.get(pk=meeting), WHEN.date())
    assert prep["calls"]["calls"] == 1
    assert prep["calls"]["ways"] == [
        {"text": "Ask for 30 seconds to say why you called, then stop talking.", "calls": 1}
    ]


def test_import_page_imports_and_shows_errors(world: World, client_for: Any) -> None:
    acme_playbook(world)
    client = client_for(world.leader)
    bad = client.post(
        "/calls/import/",
        {
            "transcript": SimpleUploadedFile("bad.vtt", (DATA / "bad_timing.vtt").read_bytes()),
            "rep": str(world.rep.pk),
            "occurred_at": "2026-11-20 10:00",
        },
    )
    assert bad.status_code == 200 and "bad.vtt, line 8" in bad.content.decode()
    assert no_call_imported(world)
    binary = client.post(
        "/calls/import/",
        {"transcript": SimpleUploadedFile("x.vtt", b"\x00\x01binary"), "rep": str(world.rep.pk)},
    )
    assert "not a text file" in binary.content.decode()
    ok = client.post(
        "/calls/import/",
        {
            "transcript": SimpleUploadedFile("sam.vtt", SAM_CALL.encode()),
            "rep": str(world.rep.pk),
            "occurred_at": "2026-11-20 10:00",
            "recording": SimpleUploadedFile("sam.wav", b"RIFF not audio"),
        },
    )
    conv = Conversation.objects.get()
    assert ok.status_code == 302 and ok["Location"] == f"/calls/{conv.pk}/"
    assert conv.tone is None and conv.tone_note  # the recording did not decode: said, not fatal


def test_api_import_and_read(world: World, client_for: Any) -> None:
    _, token = create_token(world.leader, "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    client = client_for(None)
    bad = client.post(
        "/api/conversations",
        {
            "file_name": "x.srt",
            "text": "1\nno timing\n",
            "person": "ext-sam",
            "occurred_at": "2026-11-20T10:00:00Z",
        },
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422 and "x.srt, line 1" in bad.json()["detail"]
    ok = client.post(
        "/api/conversations",
        {
            "file_name": "a.txt",
            "text": "Agent: Hi?\nJo: Yes\n",
            "person": world.rep.pk,
            "occurred_at": "2026-11-20T10:00:00Z",
            "speakers": {"Agent": "rep"},
        },
        content_type="application/json",
        **auth,
    )
    assert ok.status_code == 201, ok.content
    body = client.get(f"/api/conversations/{ok.json()['id']}", **auth).json()
    assert [t["role"] for t in body["turns"]] == ["rep", "prospect"]
    assert body["metrics"]["questions"] == 1


def test_command_imports_files_and_reports_failures(world: World) -> None:
    out = io.StringIO()
    call_command(
        "import_calls",
        str(DATA / "zoom.vtt"),
        "--org",
        "acme",
        "--rep",
        "ext-sam",
        "--at",
        "2026-11-20T10:00:00Z",
        "--speakers",
        "Sam Patel=rep",
        stdout=out,
    )
    assert "zoom.vtt: call" in out.getvalue() and "ways detection:" in out.getvalue()
    assert Conversation.objects.count() == 1
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 of 1 files not imported"):
        call_command(
            "import_calls",
            str(DATA / "no_header.vtt"),
            "--org",
            "acme",
            "--rep",
            "ext-sam",
            "--at",
            "2026-11-20T10:00:00Z",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert "no_header.vtt, line 1" in err.getvalue()


def _listed(client: Any, rep_id: int, query: str) -> set[int]:
    html = client.get(f"/reps/{rep_id}/?{query}").content.decode()
    section = html.split('data-testid="call-list"', 1)[1].split("</section>", 1)[0]
    return {c.pk for c in Conversation.objects.all() if f'href="/calls/{c.pk}/"' in section}


def test_a_finished_periods_call_list_holds_only_its_calls(world: World, client_for: Any) -> None:
    acme_playbook(world)
    made = {}
    for day in ("2026-10-30", "2026-11-20", "2026-12-01"):
        when = WHEN.replace(month=int(day[5:7]), day=int(day[8:]), year=int(day[:4]))
        text = SAM_CALL + f"\n00:21.000 --> 00:23.000\n<v Jo>Call of {day}.</v>\n"
        call = CallFile(f"{day}.vtt", text, rep=world.rep, occurred_at=when)
        made[day] = import_call(world.leader, call, LexicalEmbedder()).pk
    client = client_for(world.leader)
    # November read on 2 December: final, so its own calls only (not October's nor December's).
    assert _listed(client, world.rep.pk, "period=2026-11&as_of=2026-12-02") == {made["2026-11-20"]}
    # A running month lists the latest calls up to the day it is read as of, none after it.
    running = _listed(client, world.rep.pk, "period=2026-11&as_of=2026-11-25")
    assert running == {made["2026-10-30"], made["2026-11-20"]}
    # The trailing 30 days are a finished window too: 2 Nov to 1 Dec.
    trailing = _listed(client, world.rep.pk, "period=last-30&as_of=2026-12-01")
    assert trailing == {made["2026-11-20"], made["2026-12-01"]}


def test_a_finished_periods_one_on_ones_are_its_own(world: World, client_for: Any) -> None:
    acme_playbook(world)
    held = {}
    for day in ("2026-10-30", "2026-11-20", "2026-12-01"):
        m = create_meeting(world.leader, world.rep, scheduled_at=WHEN.replace(
            year=int(day[:4]), month=int(day[5:7]), day=int(day[8:])))  # fmt: skip
        open_meeting(m, by=world.leader, as_of=WHEN.date())
        held[day] = close_meeting(m, by=world.leader, summary=day).pk
    html = client_for(world.leader).get(f"/reps/{world.rep.pk}/?period=2026-11&as_of=2026-12-02")
    section = html.content.decode().split('data-testid="one-on-one-history"', 1)[1]
    section = section.split("</section>", 1)[0]
    shown = {pk for pk in held.values() if f"/one-on-ones/{pk}/summary/" in section}
    assert shown == {held["2026-11-20"]}


def test_a_finished_periods_lists_keep_the_periods_days_whatever_the_viewers_zone(
    world: World, client_for: Any
) -> None:
    # The period's figures count a call and a one-on-one on the server zone's day (UTC here):
    # 30 Nov 20:00 UTC is November's, though it is 1 Dec 09:00 for a leader in Auckland.
    acme_playbook(world)
    world.leader.time_zone = "Pacific/Auckland"
    world.leader.save(update_fields=["time_zone"])
    late = WHEN.replace(day=30, hour=20)
    text = SAM_CALL + "\n00:21.000 --> 00:23.000\n<v Jo>The last call of November.</v>\n"
    call = import_call(
        world.leader, CallFile("late.vtt", text, rep=world.rep, occurred_at=late), LexicalEmbedder()
    )
    m = create_meeting(world.leader, world.rep, scheduled_at=late)
    open_meeting(m, by=world.leader, as_of=WHEN.date())
    close_meeting(m, by=world.leader, summary="late")
    client = client_for(world.leader)
    assert _listed(client, world.rep.pk, "period=2026-11&as_of=2026-12-05") == {call.pk}
    assert _listed(client, world.rep.pk, "period=2026-12&as_of=2027-01-02") == set()
    html = client.get(f"/reps/{world.rep.pk}/?period=2026-11&as_of=2026-12-05").content.decode()
    section = html.split('data-testid="one-on-one-history"', 1)[1].split("</section>", 1)[0]
    assert f"/one-on-ones/{m.pk}/summary/" in section
