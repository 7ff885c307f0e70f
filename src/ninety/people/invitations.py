"""Invitations: give a person imported from a roster a login, from the product.

The org admin's page (``/people/invitations/``) and ``ninety invite NAME`` create the person's
login without a usable password and a one-time link (``/account/invitation/<token>/``): opening
it, the person chooses a password and is signed in. The token is 256 random bits; only its
SHA-256 is stored (:class:`~ninety.people.models.Invitation`), so the link is shown and e-mailed
once. It works once, for ``INVITATION_DAYS`` days, and not after the admin revokes it or invites
the person again.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ninety.core.dates import when_text
from ninety.people.models import Invitation, Org, Person

INVITATION_DAYS = 3
DUMMY_MAIL = "django.core.mail.backends.dummy.EmailBackend"
CONSOLE_MAIL = "django.core.mail.backends.console.EmailBackend"


def _hash(token: str) -> str:
    # 256 random bits need no slow hash: the digest cannot be reversed or brute-forced.
    return hashlib.sha256(token.encode()).hexdigest()


def invite(
    person: Person, username: str = "", *, by: Person | None = None
) -> tuple[Invitation, str]:
    """A new invitation of ``person`` and its link's path (their login created when missing).

    A pending invitation of the same person is revoked: only the newest link works.
    """
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        if person.user is None:
            person.user = get_user_model().objects.create_user(
                username=username or _free_username(person), email=person.email, password=None
            )
            person.save(update_fields=["user"])
        pending(person.org).filter(person=person).update(revoked_at=now)
        record = Invitation.objects.create(
            org=person.org,
            person=person,
            created_by=by,
            token_hash=_hash(token),
            expires_at=now + timedelta(days=INVITATION_DAYS),
        )
    return record, reverse("invitation", kwargs={"token": token})


def pending(org: Org) -> QuerySet[Invitation]:
    """The org's invitations whose link still works."""
    return Invitation.objects.filter(
        org=org, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def without_login(org: Org) -> QuerySet[Person]:
    """Active people of ``org`` who cannot sign in yet: no login, or one whose password was
    never chosen (invited, link not used)."""
    no_password = Q(user__password__startswith="!")  # Django's unusable password
    return (
        Person.objects.filter(org=org, is_active=True)
        .filter(Q(user__isnull=True) | no_password)
        .select_related("team")
        .order_by("name")
    )


def for_token(token: str) -> Invitation | None:
    """The pending invitation of this link, or None (unknown, used, revoked, expired)."""
    if not token or len(token) > 100:
        return None
    record = (
        Invitation.objects.select_related("person", "person__user")
        .filter(token_hash=_hash(token))
        .first()
    )
    if record is None or record.status() != Invitation.Status.PENDING:
        return None
    if record.person.user is None or not record.person.is_active:
        return None
    return record


def accept(invitation: Invitation, user: AbstractBaseUser) -> bool:
    """Mark ``invitation`` used (once: False when another request used it first) and save the
    password set on ``user``, in one transaction."""
    with transaction.atomic():
        used = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not used:
            return False
        user.save()
    return True


def revoke(org: Org, invitation_id: int) -> bool:
    """Revoke one of ``org``'s pending invitations; False when there is no such one."""
    return pending(org).filter(pk=invitation_id).update(revoked_at=timezone.now()) == 1


def mail_configured() -> bool:
    """Mail reaches people: not the dummy backend, and not the console one (no
    ``NINETY_EMAIL_HOST``: development prints each mail on the server's console)."""
    return settings.EMAIL_BACKEND not in (DUMMY_MAIL, CONSOLE_MAIL)


def send_invitation(invitation: Invitation, link: str) -> bool:
    """E-mail ``link`` to the invited person (through Django's e-mail framework); False when
    they have no address or no mail server is configured."""
    person = invitation.person
    if not person.email or settings.EMAIL_BACKEND == DUMMY_MAIL:
        return False
    assert person.user is not None
    inviter = invitation.created_by.name if invitation.created_by else "Your admin"
    until = when_text(invitation.expires_at.astimezone(UTC))
    send_mail(
        subject=f"Your Ninety login for {person.org.name}",
        message=(
            f"Hello {person.name},\n\n{inviter} invited you to Ninety ({person.org.name}).\n"
            f"Your sign-in name is {person.user.get_username()}. Choose your password here "
            f"(the link works once, until {until} UTC):\n\n"
            f"{link}\n"
        ),
        from_email=None,  # DEFAULT_FROM_EMAIL
        recipient_list=[person.email],
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_to=person.email)
    invitation.sent_to = person.email
    return True


def _free_username(person: Person) -> str:
    base = (person.email.split("@")[0] if person.email else slugify(person.name)) or "user"
    base = base.lower()[:140]
    users = get_user_model().objects
    name, n = base, 1
    while users.filter(username=name).exists():
        n += 1
        name = f"{base}{n}"
    return name
