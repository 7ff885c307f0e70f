"""An iCalendar (RFC 5545) invitation for one meeting.

Written by hand: one VEVENT needs only text escaping (§3.3.11) and line folding at 75 octets
(§3.1); only the VTIMEZONE of a zone's rules comes from the icalendar library.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Timezone

# Control characters other than the line breaks TEXT escapes: RFC 5545 allows none of them, and
# a raw CR or LF would start a new property (an extra attendee, an alarm).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_EMAIL = re.compile(r"[^\s\"':;,<>\\]+@[^\s\"':;,<>\\]+")


def escape(text: str) -> str:
    """TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("", _LINE_BREAK.sub("\\\\n", text))


def clean(text: str) -> str:
    """Text for the icalendar library (which escapes line breaks itself): no control
    characters, line breaks kept as such, so nothing a person typed becomes a property."""
    return _CONTROL.sub("", _LINE_BREAK.sub("\n", text))


def param_value(text: str) -> str:
    """A quoted parameter value (``CN="…"``): no DQUOTE and no control characters (§3.1)."""
    return _CONTROL.sub(" ", _LINE_BREAK.sub(" ", text)).replace('"', "'")


def fold(line: str) -> str:
    """Fold a content line into chunks of at most 75 octets, continuation lines start with a
    space (RFC 5545 §3.1); never split inside a UTF-8 character."""
    out: list[str] = []
    current, size = "", 0
    for ch in line:
        n = len(ch.encode())
        limit = 75 if not out else 74  # continuation lines carry the leading space
        if size + n > limit:
            out.append(current)
            current, size = "", 0
        current += ch
        size += n
    out.append(current)
    return "\r\n ".join(out)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def invitation(
    *,
    uid: str,
    start: datetime,
    minutes: int,
    summary: str,
    description: str,
    url: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
    stamp: datetime,
    zone: str = "UTC",
) -> str:
    """A calendar with one event; ``organizer``/``attendee`` are (name, email).

    With a ``zone`` other than UTC the times are the leader's wall-clock times with that TZID
    and its VTIMEZONE, so a calendar shows the meeting where it was planned.
    """
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ninety//One-on-ones//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    end = start + timedelta(minutes=minutes)
    if zone == "UTC":
        when = [f"DTSTART:{_utc(start)}", f"DTEND:{_utc(end)}"]
    else:
        tz = ZoneInfo(zone)
        vtimezone = Timezone.from_tzid(
            zone, first_date=date(start.year - 1, 1, 1), last_date=date(start.year + 1, 12, 31)
        )
        lines += vtimezone.to_ical().decode().replace("\r\n ", "").splitlines()
        when = [
            f"DTSTART;TZID={zone}:{start.astimezone(tz):%Y%m%dT%H%M%S}",
            f"DTEND;TZID={zone}:{end.astimezone(tz):%Y%m%dT%H%M%S}",
        ]
    lines += [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_utc(stamp)}",
        *when,
        f"SUMMARY:{escape(summary)}",
        f"DESCRIPTION:{escape(description)}",
        f"URL:{url}",
    ]
    for prop, (name, email) in (("ORGANIZER", organizer), ("ATTENDEE", attendee)):
        # An address that is not one plain token is left out rather than written raw.
        if email and _EMAIL.fullmatch(email):
            lines.append(f'{prop};CN="{param_value(name)}":mailto:{email}')
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
