"""Read an ``.ics`` export (Google Calendar, Outlook) into expanded, UTC calendar events.

No Django here: the parsing is done by ``icalendar`` (RFC 5545) and the expansion of recurring
events — RRULE, RDATE, EXDATE, occurrences moved with RECURRENCE-ID, VTIMEZONE and
X-WR-TIMEZONE, Outlook's Windows time-zone names — by ``recurring-ical-events``. Both are
well-kept libraries; hand-written RRULE expansion is where calendar importers go wrong.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import icalendar
import recurring_ical_events
from dateutil.rrule import rrule

from ninety.conf import today
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
# dateutil walks a rule from its DTSTART, period by period, until past the window; a rule that
# (almost) never matches (FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30) is walked to the year 9999. The
# walk is metered per month (per period for MONTHLY and YEARLY) at about its cost in µs: one
# calendar may walk some 0.3 s worth (a year of an hourly rule costs 24,000, of a daily 360).
MAX_EXPANSION_WORK = 300_000
_WORK_PER_STEP = {"YEARLY": 25, "MONTHLY": 8, "WEEKLY": 30, "DAILY": 30, "HOURLY": 2000}


class CalendarError(ValueError):
    """The file is not a calendar we can read; the message says where and why."""


class _Meter:
    """The expansion's budget, shared by every rule of one calendar."""

    def __init__(self) -> None:
        self.left = MAX_EXPANSION_WORK

    def spend(self, rule: _MeteredRule) -> None:
        self.left -= rule.work_per_step
        if self.left < 0:
            raise CalendarError(
                f"{rule.what}: its RRULE ({rule.text}) takes too long to expand: it repeats "
                "very often, or hardly ever (no occurrence for years); check the rule and its "
                "DTSTART"
            )


class _MeteredRule(rrule):
    """A dateutil rule that spends from a :class:`_Meter` as it walks.

    dateutil reads ``_byeaster`` once each time it moves to a new month (a new period for
    MONTHLY and YEARLY): the one place to see a walk that yields nothing for years.
    """

    meter: _Meter
    work_per_step: int
    what: str
    text: str

    @property
    def _byeaster(self) -> Any:
        self.meter.spend(self)
        return self.__dict__["_byeaster"]

    @_byeaster.setter
    def _byeaster(self, value: Any) -> None:
        self.__dict__["_byeaster"] = value


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
    day = today()  # the served day (NINETY_TODAY), as every page reads it
    first = min(starts, default=day)
    last = max(starts, default=first)
    until = until or (max(last, day) + timedelta(days=8))
    since = since or first
    if (until - since).days > MAX_SPAN_DAYS:
        since = until - timedelta(days=MAX_SPAN_DAYS)
    return since, until


def _bounded_occurrences(cal: icalendar.Calendar, start: date, stop: date) -> list[Any]:
    """The library's ``between()``, walked lazily series by series so that a rule expanding to
    more than ``MAX_OCCURRENCES`` (BYSECOND lists, say) stops at the cap instead of filling
    memory; rules start near the window (:func:`_rebase`) and their walk is metered."""
    moved = _rebase(cal, start)
    try:
        query = recurring_ical_events.of(cal)
        span_start, span_stop = query.to_datetime(start), query.to_datetime(stop)
        meter = _Meter()
        titles = {
            str(e.get("UID")): str(e.get("SUMMARY") or "").strip() for e in cal.walk("VEVENT")
        }
        out: list[Any] = []
        for series in query.series:
            _meter_series(series, meter, titles.get(str(series.uid)) or str(series.uid))
            for occurrence in series.between(span_start, span_stop):
                out.append(occurrence.as_component(query.keep_recurrence_attributes))
                if len(out) > MAX_OCCURRENCES:
                    raise CalendarError(
                        f"the calendar expands to more than {MAX_OCCURRENCES:,} occurrences "
                        f"between {start} and {stop}: export a shorter range"
                    )
        return out
    finally:
        for prop, value in moved:  # the caller's calendar is left as it came
            prop.dt = value


def _meter_series(series: Any, meter: _Meter, title: str) -> None:
    """Make the series' dateutil rules spend from ``meter`` as they walk."""
    recurrence = series.recurrence
    if not getattr(recurrence, "has_core", False):
        return
    for rule in recurrence.rrules:
        if type(rule) is rrule:
            rule.__class__ = _MeteredRule
            assert isinstance(rule, _MeteredRule)
            freq = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")[min(rule._freq, 4)]
            rule.meter, rule.work_per_step = meter, _WORK_PER_STEP[freq]
            rule.what = f"event {title!r}"
            rule.text = getattr(rule, "string", "") or freq


def _rebase(cal: icalendar.Calendar, since: date) -> list[tuple[Any, Any]]:
    """Move the DTSTART of open-ended series that start long before ``since`` forward by whole
    periods of their rule, so that the walk to the window is short whatever DTSTART says.

    The occurrences from the new start on are the same (a rule's periods are aligned on its
    start, and the shift is a whole number of them); the new start itself, always an
    occurrence, ends before the window. Rules with COUNT count from the real start, and stay.
    Returns (property, old value) pairs to put back.
    """
    # An occurrence that a RECURRENCE-ID names stays on the walk, however old.
    named: dict[str, date] = {}
    for event in cal.walk("VEVENT"):
        if event.get("RECURRENCE-ID") is not None:
            rid = event.decoded("RECURRENCE-ID")
            day = rid.date() if isinstance(rid, datetime) else rid
            uid = str(event.get("UID"))
            named[uid] = min(named.get(uid, day), day)
    moved: list[tuple[Any, Any]] = []
    for event in cal.walk("VEVENT"):
        rules = event.get("RRULE")
        if isinstance(rules, list):
            rules = rules[0] if len(rules) == 1 else None
        if rules is None or event.get("RECURRENCE-ID") is not None or rules.get("COUNT"):
            continue
        dtstart, dtend = event.get("DTSTART"), event.get("DTEND")
        upto = min(since, named.get(str(event.get("UID")), since) - timedelta(days=1))
        try:
            new = _rebased_start(rules, dtstart.dt, _length(event), upto)
            if new is None:
                continue
            delta = new - dtstart.dt
            if dtend is not None:
                moved.append((dtend, dtend.dt))
                dtend.dt = dtend.dt + delta
        except (ArithmeticError, TypeError, ValueError):
            continue  # an odd rule or date: expanded from where it is, metered
        moved.append((dtstart, dtstart.dt))
        dtstart.dt = new
    return moved


def _length(event: Any) -> timedelta:
    if event.get("DTEND") is not None:
        return event.decoded("DTEND") - event.decoded("DTSTART")
    if event.get("DURATION") is not None:
        return event.decoded("DURATION")
    return timedelta(days=1)


def _rebased_start(
    rule: Any, start: date | datetime, length: timedelta, since: date
) -> date | datetime | None:
    """``start`` moved forward by whole periods to just before ``since`` (None: no need, or
    the rule is not one to move)."""
    freq = str((rule.get("FREQ") or [""])[0]).upper()
    k = int((rule.get("INTERVAL") or [1])[0])
    if k < 1 or length > timedelta(days=MAX_SPAN_DAYS):
        return None
    day = start.date() if isinstance(start, datetime) else start
    limit = since - length - timedelta(days=2)  # the new start's occurrence ends before since
    if day >= limit:
        return None
    if freq in ("DAILY", "WEEKLY"):
        step = k * (7 if freq == "WEEKLY" else 1)
        return start + timedelta(days=(limit - day).days // step * step)
    if freq == "HOURLY" and isinstance(start, datetime):
        return start + timedelta(hours=(limit - day).days * 24 // k * k)
    if freq == "MONTHLY" and day.day <= 28:
        months = ((limit.year - day.year) * 12 + limit.month - day.month - 1) // k * k
        year, month = divmod(day.month - 1 + months, 12)
        return start.replace(year=day.year + year, month=month + 1)
    if freq == "YEARLY":
        years = (limit.year - day.year - 1) // k * k
        if (day.month, day.day) == (2, 29):  # only to a leap year, within a few tries
            tries = [y for y in range(years, 0, -k)[:400] if calendar.isleap(day.year + y)]
            years = tries[0] if tries else 0
        return start.replace(year=day.year + years) if years > 0 else None
    return None


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
        reason = str(exc) or type(exc).__name__
        raise CalendarError(f"cannot expand recurring events: {reason}") from exc
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
