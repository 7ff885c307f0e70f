from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def current_person(request: HttpRequest) -> dict[str, Any]:
    return {"me": getattr(request, "person", None)}
