"""Read an ``.ics`` export (Google Calendar, Outlook) into expanded, UTC calendar events.

No Django here: the parsing is done by ``icalendar`` (RFC 5545) and the expansion of recurring
events — RRULE, RDATE, EXDATE, occurrences moved with RECURRENCE-ID, VTIMEZONE and
X-WR-TIMEZONE, Outlook's Windows time-zone names — by ``recurring-ical-events``. Both are
well-kept libraries; hand-written RRULE expansion is where calendar importers go wrong.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import icalendar
import recurring_ical_events

from ninety.core.attention import UNTITLED, CalendarEvent

# An open-ended RRULE has no last occurrence: expansion stops at this many days after the
# export's latest explicit start (or after ``until`` when the caller gives one).
MAX_SPAN_DAYS = 400
# One calendar may expand to at most this many occurrences (a year of a busy leader's calendar is
# a few thousand); a rule that would make more is refused, not expanded.
MAX_OCCURRENCES = 20_000
# No calendar program offers these, and each makes tens of thousands of occurrences a day.
REFUSED_FREQUENCIES = ("SECONDLY", "MINUTELY")
# A year of a busy Google or Outlook calendar exports to a few MiB.
MAX_ICS_BYTES = 20 << 20


class CalendarError(ValueError):
    """The file is not a calendar we can read; the message says where and why."""


def parse_calendar(data: bytes | str) -> icalendar.Calendar:
    """Parse and check an ``.ics`` file; raise :class:`CalendarError` with a clear message."""
    if len(data) > MAX_ICS_BYTES:
        raise CalendarError(f"the file is over {MAX_ICS_BYTES >> 20} MiB: export a shorter range")
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CalendarError(
                f"not UTF-8 text (byte {exc.start}): is this an .ics file?"
            ) from exc
    if "BEGIN:VCALENDAR" not in data[:2000].upper():
        raise CalendarError("not an iCalendar file: it does not start with BEGIN:VCALENDAR")
    if "END:VCALENDAR" not in data.upper():
        raise CalendarError("the file is cut short: END:VCALENDAR is missing")
    try:
        cal = icalendar.Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError) as exc:
        raise CalendarError(f"cannot parse the calendar: {exc}") from exc
    if isinstance(cal, list):  # several VCALENDARs concatenated: read the first one only
        cal = cal[0]
    for n, event in enumerate(cal.walk("VEVENT"), start=1):
        what = f"event {n} ({event.get('SUMMARY') or event.get('UID') or 'no title'})"
        if event.errors:
            prop, message = event.errors[0]
            raise CalendarError(f"{what}: bad {prop}: {message}")
        if event.get("DTSTART") is None:
            raise CalendarError(f"{what}: DTSTART is missing")
        for prop in ("DTSTART", "DTEND", "RECURRENCE-ID", "DURATION"):
            value = event.get(prop)
            if value is not None and not hasattr(value, "dt"):
                raise CalendarError(f"{what}: {prop} {value!r} is not a date or time")
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND") if event.get("DTEND") is not None else None
        if end is not None and type(start) is not type(end):
            raise CalendarError(f"{what}: DTSTART and DTEND mix a date and a date-time")
        if end is not None and end < start:
            raise CalendarError(f"{what}: DTEND {end} is before DTSTART {start}")
        rules = event.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
            freq = [str(f).upper() for f in rule.get("FREQ", [])]
            if any(f in REFUSED_FREQUENCIES for f in freq):
                raise CalendarError(f"{what}: RRULE FREQ={freq[0]} repeats too often to import")
    return cal


def _to_utc(value: date | datetime, default_tz: tzinfo) -> datetime:
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:  # a "floating" time: the leader's own time zone
        value = value.replace(tzinfo=default_tz)
    return value.astimezone(UTC)


def _texts(value: Any) -> list[str]:
    """CATEGORIES and ATTENDEE come as one value, a list, or vCategory objects."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        cats = getattr(item, "cats", None)
        if cats is not None:
            out.extend(str(c) for c in cats)
        else:
            out.append(str(item))
    return [t.strip() for t in out if str(t).strip()]


def _window(cal: icalendar.Calendar, since: date | None, until: date | None) -> tuple[date, date]:
    starts = []
    for event in cal.walk("VEVENT"):
        dt = event.decoded("DTSTART")
        starts.append(dt.date() if isinstance(dt, datetime) else dt)
    first = min(starts, default=date.today())
    last = max(starts, default=first)
    until = until or (max(last, date.today()) + timedelta(days=8))
    since = since or first
    if (until - since).days > MAX_SPAN_DAYS:
        since = until - timedelta(days=MAX_SPAN_DAYS)
    return since, until


def _bounded_occurrences(cal: icalendar.Calendar, start: date, stop: date) -> list[Any]:
    """The library's ``between()``, walked lazily series by series so that a rule expanding to
    more than ``MAX_OCCURRENCES`` (BYSECOND lists, say) stops at the cap instead of filling
    memory."""
    query = recurring_ical_events.of(cal)
    span_start, span_stop = query.to_datetime(start), query.to_datetime(stop)
    out: list[Any] = []
    for series in query.series:
        for occurrence in series.between(span_start, span_stop):
            out.append(occurrence.as_component(query.keep_recurrence_attributes))
            if len(out) > MAX_OCCURRENCES:
                raise CalendarError(
                    f"the calendar expands to more than {MAX_OCCURRENCES:,} occurrences "
                    f"between {start} and {stop}: export a shorter range"
                )
    return out


def expand_events(
    cal: icalendar.Calendar,
    *,
    default_tz: tzinfo = UTC,
    since: date | None = None,
    until: date | None = None,
) -> list[CalendarEvent]:
    """Every occurrence between ``since`` and ``until`` (inclusive dates), cancelled ones left out.

    Without a window: from the earliest start in the file to a week after the latest (or after
    today), at most ``MAX_SPAN_DAYS`` long.
    """
    since, until = _window(cal, since, until)
    try:
        occurrences = _bounded_occurrences(cal, since, until + timedelta(days=1))
    except CalendarError:
        raise
    except Exception as exc:  # the library raises several types for a broken RRULE or TZ
        raise CalendarError(f"cannot expand recurring events: {exc}") from exc
    # The library gives every occurrence a RECURRENCE-ID; a series is what has RRULE or RDATE.
    series_uids = {
        str(e.get("UID")) for e in cal.walk("VEVENT") if e.get("RRULE") or e.get("RDATE")
    }
    out: list[CalendarEvent] = []
    for occ in occurrences:
        if str(occ.get("STATUS", "")).upper() == "CANCELLED":
            continue
        raw_start = occ.decoded("DTSTART")
        all_day = not isinstance(raw_start, datetime)
        start = _to_utc(raw_start, default_tz)
        if occ.get("DTEND") is not None:
            end = _to_utc(occ.decoded("DTEND"), default_tz)
        elif occ.get("DURATION") is not None:
            end = start + occ.decoded("DURATION")
        else:
            end = start + (timedelta(days=1) if all_day else timedelta(0))
        minutes = round((end - start).total_seconds() / 60)
        if minutes <= 0:
            continue
        uid = str(occ.get("UID") or "")
        recurrence_id = occ.get("RECURRENCE-ID")
        original = _to_utc(recurrence_id.dt, default_tz) if recurrence_id is not None else start
        title = str(occ.get("SUMMARY") or "").strip() or UNTITLED
        key = f"{uid}/{original:%Y%m%dT%H%M%SZ}" if uid else f"{title}/{start:%Y%m%dT%H%M%SZ}"
        recurring = bool(uid) and uid in series_uids
        out.append(
            CalendarEvent(
                key=key[:400],
                series=uid or key,
                start=start,
                minutes=minutes,
                title=title[:300],
                all_day=all_day,
                recurring=recurring,
                categories=tuple(_texts(occ.get("CATEGORIES"))),
                attendees=tuple(
                    a.removeprefix("mailto:").removeprefix("MAILTO:")
                    for a in _texts(occ.get("ATTENDEE"))
                ),
            )
        )
    out.sort(key=lambda e: (e.start, e.key))
    return out


def read_ics(
    data: bytes | str,
    *,
    default_tz: tzinfo = UTC,
    since: date | None = None,
    until: date | None = None,
) -> list[CalendarEvent]:
    """Parse, check and expand an ``.ics`` export in one call."""
    return expand_events(parse_calendar(data), default_tz=default_tz, since=since, until=until)
