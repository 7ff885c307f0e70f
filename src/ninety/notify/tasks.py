"""E-mail on the background task queue (django-tasks, like imports): one notification at once,
or each person's daily digest of what they chose to read once a day."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django_tasks import task

from ninety.notify.models import Mode, Notification
from ninety.people.permissions import visible_people


def absolute(url: str) -> str:
    """A link in an e-mail: the page's path on NINETY_BASE_URL."""
    return settings.NINETY_BASE_URL.rstrip("/") + url if url.startswith("/") else url


def _text(items: list[Notification]) -> str:
    lines = []
    for n in items:
        lines.append(f"• {n.title}")
        if n.body:
            lines.append(f"  {n.body}")
        if n.url:
            lines.append(f"  {absolute(n.url)}")
    lines.append("")
    lines.append(f"Your inbox and your choices: {absolute('/inbox/')}")
    return "\n".join(lines)


@task()
def send_notification(notification_id: int) -> bool:
    """E-mail one notification, once: the row is claimed before sending, so a retried task does
    not send it again. No address, no e-mail (the inbox still has it)."""
    n = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if n is None or not n.recipient.email:
        return False
    claimed = Notification.objects.filter(pk=n.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    EmailMessage(
        subject=f"Ninety: {n.title}"[:200],
        body=_text([n]),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[n.recipient.email],
    ).send()
    return True


def _still_theirs(items: list[Notification]) -> list[Notification]:
    """One person's lines less those about someone they no longer see (as the inbox shows)."""
    about = {p.pk for n in items for p in n.about.all()}
    if not about:
        return items
    seen = set(visible_people(items[0].recipient).filter(pk__in=about).values_list("pk", flat=True))
    return [n for n in items if all(p.pk in seen for p in n.about.all())]


def build_digests(now: datetime | None = None) -> list[EmailMessage]:
    """Each person's digest of unsent digest notifications, claimed (``emailed_at``) in the same
    step: two runs never send the same line twice. Three queries and one update, and for each
    person with lines about someone, a look through the gate."""
    now = now or timezone.now()
    pending = list(
        Notification.objects.filter(delivery=Mode.DIGEST, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .select_related("recipient")
        .prefetch_related("about")
        .order_by("recipient_id", "created_at", "pk")
    )
    grouped: dict[int, list[Notification]] = defaultdict(list)
    for n in pending:
        grouped[n.recipient_id].append(n)
    # Lines no longer theirs are claimed too, unsent: they are not mailed on a later day.
    Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
    by_person = {pk: kept for pk, items in grouped.items() if (kept := _still_theirs(items))}
    return [
        EmailMessage(
            subject=f"Ninety: your day ({len(items)} new)",
            body=_text(items),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[items[0].recipient.email],
        )
        for items in by_person.values()
    ]


@task()
def send_digests() -> int:
    """Build and send every digest over one connection; returns how many e-mails went out."""
    messages = build_digests()
    if not messages:
        return 0
    return get_connection().send_messages(messages) or 0
