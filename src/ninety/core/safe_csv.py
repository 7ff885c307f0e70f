"""CSV cells a spreadsheet shows as text, never runs as a formula (OWASP CSV injection)."""

from __future__ import annotations


def safe_cell(value: object) -> str:
    """``value`` as text, with a leading quote when it starts like a formula (= + - @ tab CR)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
