"""A leader hands a one-on-one to a high-potential rep, who then holds it."""

from __future__ import annotations

from django.utils import timezone

from ninety.coaching.models import OneOnOne
from ninety.coaching.queries import due_for
from ninety.coaching.services import create_meeting
from tests.conftest import World


def test_a_delegate_holds_the_meeting_the_leader_handed_over(world: World, client_for) -> None:
    meeting = create_meeting(
        world.leader, world.rep, scheduled_at=timezone.now() + timezone.timedelta(days=1)
    )
    leader = client_for(world.leader)
    prep = leader.get(f"/one-on-ones/{meeting.pk}/prep/").content.decode()
    assert 'data-testid="delegate-form"' in prep and world.teammate.name in prep
    # Grace is neither a leader nor high-potential: not offered, and refused if posted.
    assert world.other_rep.name not in prep.split('data-testid="delegate-form"')[1]
    refused = leader.post(f"/one-on-ones/{meeting.pk}/delegate/", {"delegate": world.other_rep.pk})
    assert refused.status_code == 404

    leader.post(f"/one-on-ones/{meeting.pk}/delegate/", {"delegate": world.teammate.pk})
    meeting.refresh_from_db()
    assert meeting.held_by == world.teammate
    # Alex now runs it: the meeting is on his list of what is due, and he can open it.
    assert [m.meeting_id for m in due_for(world.teammate, timezone.localdate())] == [meeting.pk]
    alex = client_for(world.teammate)
    opened = alex.post(f"/one-on-ones/{meeting.pk}/open/")
    assert opened.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == OneOnOne.Status.IN_PROGRESS

    # Taking it back.
    leader.post(f"/one-on-ones/{meeting.pk}/delegate/", {"delegate": ""})
    meeting.refresh_from_db()
    assert meeting.held_by is None


def test_a_rep_holding_the_meeting_reads_no_pooled_experiment_result(
    world: World, client_for
) -> None:
    """The prep sheet is built for the leader: its experiments' sentences carry every subject's
    numbers. The high-potential rep who holds the meeting reads their titles, not the pooled
    result (the hostile review of 3 Dec); the leader still reads it."""
    from ninety.api.services import create_token
    from ninety.coaching.prep import build_prep

    meeting = create_meeting(
        world.leader, world.rep, scheduled_at=timezone.now() + timezone.timedelta(days=1)
    )
    client_for(world.leader).post(
        f"/one-on-ones/{meeting.pk}/delegate/", {"delegate": world.teammate.pk}
    )
    sheet = build_prep(meeting, timezone.localdate())
    pooled = "Sam and Grace: 38% to 46% of 522 tries"
    entry = {"id": 1, "title": "Local reference", "url": "/experiments/1/", "start": "2026-11-20"}
    sheet["experiments"] = [entry | {"sentence": pooled, "p_improved": 0.93}]
    OneOnOne.objects.filter(pk=meeting.pk).update(prep=sheet)
    for who, sees in ((world.leader, True), (world.teammate, False)):
        page = client_for(who).get(f"/one-on-ones/{meeting.pk}/prep/").content.decode()
        assert "Local reference" in page and (pooled in page) is sees, who.name
        _, token = create_token(who, "test")
        api = client_for(None).get(
            f"/api/one-on-ones/{meeting.pk}/prep", HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        (e,) = api.json()["experiments"]
        assert (e["sentence"] == pooled, e["p_improved"] is not None) == (sees, sees), who.name
