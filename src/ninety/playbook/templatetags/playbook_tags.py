"""Small template helpers for the playbook pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def lookup(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """``mapping|lookup:key`` — a dict value in a template (``None`` when absent)."""
    return (mapping or {}).get(key)


@register.filter
def pct(value: float | None, digits: int = 0) -> str:
    """A share as a percentage ("42%"); an em dash when unknown."""
    if value is None:
        return "—"
    return f"{100 * value:.{digits}f}%"
