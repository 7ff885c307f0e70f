"""What the playbook tells people: a way proposed (to the proposer's leader, or the org's admins
when nobody leads them), and the decision on it (to its author)."""

from __future__ import annotations

from django.urls import reverse

from ninety.notify.models import Kind
from ninety.notify.services import Message, notify
from ninety.people.models import Person, Role
from ninety.playbook.models import Way


def _deciders(author: Person) -> list[Person]:
    manager = author.manager
    if manager is not None:
        return [manager]
    return list(Person.objects.filter(org_id=author.org_id, role=Role.ADMIN, is_active=True))


def way_proposed(way: Way, author: Person) -> None:
    notify(
        Kind.WAY_PROPOSED, _deciders(author), org_id=author.org_id,
        key=f"way_proposed:{way.pk}",
        message=Message(
            f"{author.name} proposed a way for “{way.behavior.name}”",
            f"“{way.text[:200]}” — approve it or decline it with a reason.",
            reverse("playbook") + f"#way-{way.pk}",
        ),
    )  # fmt: skip


def way_decided(way: Way, *, approved: bool, reason: str = "") -> None:
    if way.author_id is None:
        return
    word = "approved" if approved else "declined"
    notify(
        Kind.WAY_DECIDED, [way.author], org_id=way.author.org_id,
        key=f"way_decided:{way.pk}:{word}",
        message=Message(
            f"Your way for “{way.behavior.name}” was {word}",
            f"“{way.text[:200]}”" + (f" — {reason}" if reason else ""),
            reverse("playbook"),
        ),
    )  # fmt: skip
