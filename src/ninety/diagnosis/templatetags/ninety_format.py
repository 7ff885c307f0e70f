from __future__ import annotations

import math
from datetime import date, datetime

from django import template
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import format_html
from django.utils.timezone import template_localtime

from ninety.core import dates, glossary
from ninety.core.compare import signed

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 0) -> str:
    """0.453 -> '45%'."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{100 * value:.{digits}f}%"


@register.filter
def certainty(value: float | None) -> str:
    """A probability as a certainty: never '100%' or '0%' (0.9996 -> '>99%')."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if value > 0.99:
        return ">99%"
    if value < 0.01:
        return "<1%"
    return f"{100 * value:.0f}%"


@register.filter
def signed_pct(value: float | None) -> str:
    """-15.2 -> '−15%' (value already in percent)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    sign = "+" if value > 0.5 else "−" if value < -0.5 else "±"
    return f"{sign}{abs(value):.0f}%"


@register.filter
def money(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if abs(value) >= 10_000:
        return f"${value / 1000:,.0f}k"
    return f"${value:,.0f}"


@register.filter
def points(value: float | None) -> str:
    """Log points -> signed percentage points ('−19')."""
    if value is None or not math.isfinite(value):
        return "–"
    v = 100 * value
    return "0" if abs(v) < 0.5 else f"{v:+.0f}".replace("-", "−")


@register.filter
def signed_points(value: float | None) -> str:
    """A number already in points, signed with a real minus sign: 5 -> '+5', -51.2 -> '−51'."""
    if value is None or not math.isfinite(value):
        return "–"
    return signed(value)


@register.filter
def absolute(value: int | float) -> int | float:
    return abs(value)


# One date format on every page, in the viewer's zone (ninety.core.dates; the date filter
# converts aware times). ISO text (a prep sheet kept as JSON) reads as the same day.
DAY_FORMAT = dates.DJANGO_DAY  # Fri 27 Nov 2026
WHEN_FORMAT = dates.DJANGO_WHEN  # Fri 27 Nov 2026, 16:00


def _parsed(value: object) -> object:
    if isinstance(value, str):
        try:
            if "T" not in value:
                return date.fromisoformat(value)
            return template_localtime(datetime.fromisoformat(value))
        except ValueError:
            return None
    return value


@register.filter(expects_localtime=True)
def day(value: object) -> str:
    value = _parsed(value)
    return date_filter(value, DAY_FORMAT) if value else ""


@register.filter(expects_localtime=True)
def when(value: object) -> str:
    value = _parsed(value)
    return date_filter(value, WHEN_FORMAT) if value else ""


@register.filter
def week_of(value: object) -> str:
    """A week by its Monday: 'week of Mon 30 Nov 2026' (an ISO day or a date)."""
    value = _parsed(value)
    return dates.week_text(value) if isinstance(value, date) else ""


@register.filter
def minutes(seconds: float | None) -> str:
    """A call's length as ``m:ss`` (``–`` when the transcript had no times)."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


@register.filter
def label_at(columns: list[tuple[str, str]], index: int) -> str:
    """The label of the ``index``-th (key, label) column: cells and headers side by side."""
    try:
        return columns[int(index)][1]
    except (IndexError, TypeError, ValueError):
        return ""


@register.simple_tag
def term(key: str, shown: str = "") -> str:
    """A statistical term with its plain-words help on hover and focus, linked to the glossary."""
    t = glossary.term(key)
    return format_html(
        '<a class="term" href="{}#{}" data-help="{}">{}</a>',
        reverse("glossary"), t.key, t.plain, shown or t.name,
    )  # fmt: skip
