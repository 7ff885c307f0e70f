"""Write notifications once, to the people who may see what they are about, and e-mail them.

Feature apps call :func:`notify` when something happens (a self-report written, a delegate
reporting back, an experiment's verdict, a way proposed, an import ending); periodic checks
(:mod:`ninety.notify.periodic`) call it for what is due. This module knows no feature app: the
caller says who the object is about (``about``: the recipient must be allowed to see each of
those people through the permission gate) and, where its own app has a narrower rule, passes
that rule's check (``may_see``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from ninety.notify.models import DEFAULT_MODES, CalendarFeed, Mode, Notification, Preference
from ninety.notify.tasks import send_notification
from ninety.people.models import Person
from ninety.people.permissions import visible_people


@dataclass(frozen=True)
class Message:
    """What a notification says: a title, a line or two, and the page it links to."""

    title: str
    body: str = ""
    url: str = ""


def modes_for(person: Person) -> dict[str, str]:
    """Every kind's mode for ``person``: their choices over the defaults."""
    chosen = dict(Preference.objects.filter(person=person).values_list("kind", "mode"))
    return {kind: chosen.get(kind, mode) for kind, mode in DEFAULT_MODES.items()}


def set_modes(person: Person, modes: dict[str, str]) -> None:
    """Save ``person``'s choices (unknown kinds or modes are refused by the form before)."""
    with transaction.atomic():
        for kind, mode in modes.items():
            Preference.objects.update_or_create(person=person, kind=kind, defaults={"mode": mode})


def _allowed(
    recipient: Person, org_id: int, about: list[Person], may_see: Callable[[Person], bool] | None
) -> bool:
    if not recipient.is_active or recipient.org_id != org_id:
        return False
    if any(p.org_id != org_id for p in about):
        return False
    ids = {p.pk for p in about}
    if ids and visible_people(recipient).filter(pk__in=ids).count() != len(ids):
        return False
    return may_see is None or may_see(recipient)


def notify(
    kind: str,
    recipients: Iterable[Person | None],
    *,
    org_id: int,
    key: str,
    message: Message,
    about: Iterable[Person] = (),
    may_see: Callable[[Person], bool] | None = None,
) -> list[Notification]:
    """Write one notification of ``kind`` per allowed recipient, unless ``key`` already reached
    them; e-mail at once those who chose so (on the task queue). Returns the new ones.

    A recipient is allowed when they are an active member of ``org_id``, the gate lets them see
    every person in ``about``, and ``may_see`` (the object's own app's check) says yes. ``about``
    is kept with the notification: the inbox and the digest check it again when they are read.
    """
    about = list(about)
    seen: set[int] = set()
    created: list[Notification] = []
    for r in recipients:
        if r is None or r.pk in seen:
            continue
        seen.add(r.pk)
        # Already written (an hourly check run again) is the common case: one cheap query.
        if Notification.objects.filter(recipient=r, key=key[:200]).exists():
            continue
        mode = modes_for(r)[kind]
        if mode == Mode.OFF or not _allowed(r, org_id, about, may_see):
            continue
        try:
            with transaction.atomic():
                n = Notification.objects.create(
                    org_id=r.org_id, recipient=r, kind=kind, key=key[:200],
                    title=message.title[:300], body=message.body, url=message.url[:500],
                    delivery=mode,
                )  # fmt: skip
                if about:
                    n.about.set(about)
        except IntegrityError:  # the same event written meanwhile by another process
            continue
        created.append(n)
        if mode == Mode.IMMEDIATE:
            _queue_email(n.pk)
    return created


def _queue_email(notification_id: int) -> None:
    if isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend):
        send_notification.enqueue(notification_id)  # tests: here and now
    else:
        transaction.on_commit(lambda: send_notification.enqueue(notification_id))


def inbox_of(person: Person) -> QuerySet[Notification]:
    """``person``'s notifications, less those about someone the gate no longer lets them see:
    one written about a rep who has since moved to another team leaves the old leader's inbox."""
    unseen = Person.objects.exclude(pk__in=visible_people(person).values("pk"))
    return Notification.objects.filter(recipient=person).exclude(about__in=unseen)


def unread_count(person: Person) -> int:
    return inbox_of(person).filter(read_at__isnull=True).count()


def mark_read(person: Person, notification_id: int | None = None) -> int:
    """Mark one (or every) unread notification of ``person`` read; returns how many."""
    qs = Notification.objects.filter(recipient=person, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


# Calendar feeds -------------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def reset_feed(person: Person) -> str:
    """A new secret address token for ``person``'s feed (the old one stops at once)."""
    secret = secrets.token_urlsafe(32)
    feed, _ = CalendarFeed.objects.update_or_create(
        person=person, defaults={"token_hash": _digest(secret), "last_fetched_at": None}
    )
    return f"{feed.pk}-{secret}"


def revoke_feed(person: Person) -> bool:
    return CalendarFeed.objects.filter(person=person).delete()[0] > 0


def feed_owner(token: str) -> Person | None:
    """The person whose feed ``token`` opens, or None. The secret is compared in constant time
    against the stored hash, so timing tells nothing of it; the id only says which row."""
    feed_id, _, secret = token.partition("-")
    if not feed_id.isdigit() or not secret or len(token) > 100:
        return None
    feed = CalendarFeed.objects.select_related("person").filter(pk=int(feed_id)).first()
    expected = feed.token_hash if feed else _digest("no feed: compare all the same")
    ok = hmac.compare_digest(expected, _digest(secret))
    if feed is None or not ok or not feed.person.is_active:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=timezone.now())
    return feed.person
