"""The Django admin is the operators' tool, not an org admin's.

An org admin (RevOps) manages their org through the product, where every read goes through the
permission gate. The Django admin is not scoped to an org, so only an *operator* may open it: a
Django superuser created by ``ninety createoperator``, with no Person in any org. A login that
belongs to an org is refused even if someone set its staff or superuser flag by hand.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from ninety.people.models import Person


def is_operator(user: object) -> bool:
    """An active superuser that belongs to no org."""
    if not getattr(user, "is_active", False) or not getattr(user, "is_superuser", False):
        return False
    return not Person.objects.filter(user_id=user.pk).exists()  # type: ignore[attr-defined]


class OperatorAdminSite(admin.AdminSite):
    site_header = "Ninety operators"
    site_title = "Ninety operators"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_operator(request.user)
