"""Private notes: only their author ever reads them — by page, summary, list or API."""

from __future__ import annotations

import pytest

from ninety.api.services import create_token
from ninety.coaching import services
from ninety.coaching.models import OneOnOne
from tests.coaching.conftest import AS_OF
from tests.conftest import World

SECRET = "private: ask HR about the schedule change"
OTHERS = ("rep", "teammate", "other_leader", "director", "admin", "outsider")


@pytest.fixture
def noted(world: World, meeting: OneOnOne) -> OneOnOne:
    services.open_meeting(meeting, by=world.leader, as_of=AS_OF)
    services.save_notes(meeting, by=world.leader, shared="shared words", private=SECRET)
    services.close_meeting(meeting, by=world.leader, summary="summary words")
    return meeting


def _api(world: World, persona: str, client_for, path: str):
    _, token = create_token(world.persona(persona), "t")
    return client_for(None).get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.mark.parametrize("persona", OTHERS)
def test_nobody_but_the_author_reads_the_private_note(world, noted, client_for, persona) -> None:
    client = client_for(world.persona(persona))
    for path in (f"/one-on-ones/{noted.pk}/summary/", f"/one-on-ones/{noted.pk}/",
                 f"/one-on-ones/{noted.pk}/prep/", "/one-on-ones/"):  # fmt: skip
        response = client.get(path, follow=True)
        assert SECRET.encode() not in response.content, (persona, path)
    for path in (f"/api/one-on-ones/{noted.pk}", "/api/one-on-ones",
                 f"/api/one-on-ones/{noted.pk}/private-note"):  # fmt: skip
        response = _api(world, persona, client_for, path)
        assert SECRET.encode() not in response.content, (persona, path)
    assert (
        _api(world, persona, client_for, f"/api/one-on-ones/{noted.pk}/private-note").status_code
        == 404
    )


def test_the_author_reads_it_by_page_and_api(world: World, noted, client_for) -> None:
    assert (
        SECRET.encode() in client_for(world.leader).get(f"/one-on-ones/{noted.pk}/summary/").content
    )
    response = _api(world, "leader", client_for, f"/api/one-on-ones/{noted.pk}/private-note")
    assert response.json() == {"text": SECRET}
    meeting = _api(world, "leader", client_for, f"/api/one-on-ones/{noted.pk}")
    assert SECRET.encode() not in meeting.content  # never in the meeting's own schema


def test_outsiders_get_404_everywhere(world: World, noted, client_for) -> None:
    client = client_for(world.outsider)
    for path in ("/", "/summary/", "/prep/", ".ics"):
        url = f"/one-on-ones/{noted.pk}{path}" if path != "/" else f"/one-on-ones/{noted.pk}/"
        assert client.get(url).status_code == 404, url
    assert _api(world, "outsider", client_for, f"/api/one-on-ones/{noted.pk}").status_code == 404


def test_the_printable_summary_never_carries_it(world: World, noted, client_for) -> None:
    leader = client_for(world.leader)
    on_screen = leader.get(f"/one-on-ones/{noted.pk}/summary/").content.decode()
    assert SECRET in on_screen and 'class="card private no-print"' in on_screen
    printable = leader.get(f"/one-on-ones/{noted.pk}/summary/?print=1").content.decode()
    assert SECRET not in printable and "summary words" in printable and "shared words" in printable


def test_the_meeting_autosave_answers_json(world: World, meeting, client_for) -> None:
    services.open_meeting(meeting, by=world.leader, as_of=AS_OF)
    leader = client_for(world.leader)
    response = leader.post(
        f"/one-on-ones/{meeting.pk}/save/",
        {"shared": "typed", "private": SECRET, "results": "down 15%", "close": "1"},
        HTTP_ACCEPT="application/json",
    )
    assert response.json()["saved"] is True and SECRET not in response.content.decode()
    meeting.refresh_from_db()
    # An autosave never closes the meeting, even if the close button's value came along.
    assert meeting.status == OneOnOne.Status.IN_PROGRESS
    assert (meeting.shared_notes, meeting.self_results) == ("typed", "down 15%")
    rep = client_for(world.rep).post(
        f"/one-on-ones/{meeting.pk}/save/", {"shared": "x"}, HTTP_ACCEPT="application/json"
    )
    assert rep.status_code == 403
