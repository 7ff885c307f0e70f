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
