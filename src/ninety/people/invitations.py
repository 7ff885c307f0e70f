"""Invitations: give a person imported from a roster a login, from the product.

``ninety invite NAME`` (or an e-mail / external id) creates the person's login without a usable
password and prints a one-time link; opening it, they choose their password and are signed in.
The link is Django's password-reset token (signed with the secret key, tied to the login's
current password and last sign-in, so it works once, and expires after
``PASSWORD_RESET_TIMEOUT``, three days by default).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from ninety.people.models import Person


def invite(person: Person, username: str = "") -> str:
    """The path of ``person``'s set-your-password link (their login created when missing)."""
    user = person.user
    if user is None:
        user = get_user_model().objects.create_user(
            username=username or _free_username(person), email=person.email, password=None
        )
        person.user = user
        person.save(update_fields=["user"])
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("invitation", kwargs={"uidb64": uid, "token": token})


def _free_username(person: Person) -> str:
    base = (person.email.split("@")[0] if person.email else slugify(person.name)) or "user"
    base = base.lower()[:140]
    users = get_user_model().objects
    name, n = base, 1
    while users.filter(username=name).exists():
        n += 1
        name = f"{base}{n}"
    return name
