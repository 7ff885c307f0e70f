"""Permission-matrix rows of the inbox, its settings and the calendar feed."""

from __future__ import annotations

from typing import Any

from ninety.notify.models import Kind, Notification
from ninety.notify.services import Message, notify, reset_feed
from tests.conftest import World

LOGIN = 302
PERSONAS = ("anon", "rep", "teammate", "leader", "other_leader", "director", "admin", "outsider")


def danas_notification(w: World) -> int:
    """A notification in Dana's inbox (about Sam, whom she leads)."""
    existing = Notification.objects.filter(recipient=w.leader).first()
    if existing is not None:
        return existing.pk
    made = notify(Kind.SELF_REPORT_WRITTEN, [w.leader], org_id=w.org.pk, key="matrix:1",
                  message=Message("Sam wrote the self-report"), about=[w.rep])  # fmt: skip
    return made[0].pk


def danas_still_unread(w: World) -> bool:
    return Notification.objects.filter(recipient=w.leader, read_at__isnull=True).exists()


def sams_feed(w: World) -> str:
    return reset_feed(w.rep)


def page_cases(case: Any) -> dict[str, list[Any]]:
    signed_in = {p: 200 for p in PERSONAS} | {"anon": LOGIN}
    redirect = {p: 302 for p in PERSONAS}
    return {
        "inbox": [case("get", lambda w: "/inbox/", signed_in)],
        "inbox-settings": [case("get", lambda w: "/inbox/settings/", signed_in)],
        "inbox-read-all": [case("post", lambda w: "/inbox/read-all/", redirect)],
        # Only the recipient opens (and so marks read) a notification; for anyone else it is
        # not there.
        "inbox-open": [
            case("post", lambda w: f"/inbox/{danas_notification(w)}/open/",
                 {p: 404 for p in PERSONAS} | {"anon": LOGIN, "leader": 302},
                 unchanged=danas_still_unread)
        ],
        "calendar-feed-reset": [case("post", lambda w: "/inbox/calendar/reset/", signed_in)],
        "calendar-feed-revoke": [case("post", lambda w: "/inbox/calendar/revoke/", redirect)],
        # The secret address is the only key (calendar apps send no cookie): whoever holds it
        # reads Sam's feed, a wrong one opens nothing for anybody.
        "calendar-feed": [
            case("get", lambda w: f"/calendar/{sams_feed(w)}.ics", {p: 200 for p in PERSONAS}),
            case("get", lambda w: (sams_feed(w), "/calendar/1-wrong.ics")[1],
                 {p: 404 for p in PERSONAS}),
        ],
    }  # fmt: skip
