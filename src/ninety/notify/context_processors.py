from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ninety.notify.services import unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """The unread count beside "Inbox" in the top bar (one count query, signed-in pages only)."""
    person = getattr(request, "person", None)
    return {"inbox_unread": unread_count(person) if person is not None else 0}
