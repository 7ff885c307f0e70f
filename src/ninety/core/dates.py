"""The one way Ninety writes a day and a moment for people to read: "Thu 3 Dec 2026" and
"Thu 3 Dec 2026, 10:00". Pages (the ``day`` and ``when`` template filters and Django's own
date formats), e-mails, calendar texts and sentences the analytics write all use these; the
API, CSV and Excel downloads keep ISO 8601.

Plain Python: English month and weekday names whatever the process's locale.
"""

from __future__ import annotations

from datetime import date, datetime

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: The same formats in Django's date-format letters (templates, settings).
DJANGO_DAY = "D j M Y"  # Thu 3 Dec 2026
DJANGO_WHEN = "D j M Y, H:i"  # Thu 3 Dec 2026, 10:00


def day_text(day: date) -> str:
    """'Thu 3 Dec 2026' (a datetime: its own wall-clock day; convert it to the zone first)."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def when_text(moment: datetime) -> str:
    """'Thu 3 Dec 2026, 10:00' on ``moment``'s own wall clock."""
    return f"{day_text(moment)}, {moment:%H:%M}"


def week_text(monday: date) -> str:
    """'week of Mon 30 Nov 2026'."""
    return f"week of {day_text(monday)}"
