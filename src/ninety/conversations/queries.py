"""Reads other apps show: a rep's calls, their metrics against the team's, the evidence for the
one-on-one's diagnostic questions."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, FloatField, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from ninety.conversations.models import Conversation
from ninety.core.conversations.metrics import SUMMARY_FIELDS, from_dict, summarise
from ninety.people.listing import Filter, ListSpec, Sort
from ninety.people.models import Person

#: The window of calls a rep's figures are read over.
WINDOW_DAYS = 90
CALLS_SHOWN = 10

LABELS = {
    "talk_share": "Rep talk share",
    "longest_monologue_seconds": "Longest monologue (s)",
    "questions": "Questions asked",
    "interactivity": "Speaker switches / min",
    "words_per_minute": "Words per minute",
    "patience_seconds": "Patience: pause before answering (s)",
}
TONE_FIELDS = ("pitch_range_semitones", "pitch_sd_semitones", "energy_sd_db",
               "syllables_per_second")  # fmt: skip
TONE_LABELS = {
    "pitch_range_semitones": "Pitch range (semitones)",
    "pitch_sd_semitones": "Pitch variability (semitones)",
    "energy_sd_db": "Energy variation (dB)",
    "syllables_per_second": "Rate (syllables / s)",
}


def calls_for(rep: Person, limit: int = CALLS_SHOWN) -> list[Conversation]:
    return list(calls_of(rep).order_by("-occurred_at", "-pk")[:limit])


def _number(key: str) -> Cast:
    # The metric as a number, SQL NULL when missing or JSON null (sorts last on both databases).
    return Cast(KT(f"metrics__{key}"), FloatField())


def calls_of(
    rep: Person, *, since: date | None = None, until: date | None = None
) -> QuerySet[Conversation]:
    """The rep's calls (those on the days ``since`` … ``until``, inclusive, when given) with the
    figures their list sorts by (talk share, duration). The days are the server zone's, as the
    periods' figures count them (not the viewer's zone, which the page shows times in)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    days: dict[str, datetime] = {}
    if since is not None:
        days["occurred_at__gte"] = datetime.combine(since, time.min, zone)
    if until is not None:
        days["occurred_at__lt"] = datetime.combine(until + timedelta(days=1), time.min, zone)
    return (
        Conversation.objects.filter(person=rep, **days)
        .select_related("detected_way")
        .annotate(talk=_number("talk_share"), duration=_number("duration_seconds"),
                  way_text=F("detected_way__text"))
    )  # fmt: skip


def way_choices(calls: QuerySet[Conversation]) -> list[tuple[int, str]]:
    """The ways found in ``calls`` (from :func:`calls_of`), for the list's filter."""
    found = calls.exclude(detected_way=None).values_list("detected_way", "way_text")
    short = {(pk, text if len(text) <= 50 else f"{text[:48]}…") for pk, text in found}
    return sorted(short, key=lambda w: w[1].casefold())


#: The rep page's call list (``calls_`` parameters: the page has other lists).
CALLS = ListSpec(
    sorts={
        "when": Sort("When", ("occurred_at",)),
        "way": Sort("Way found", ("way_text", "occurred_at")),
        "talk": Sort("Talk share", ("talk", "occurred_at")),
        "duration": Sort("Duration", ("duration", "occurred_at")),
    },
    default="-when",
    filters={
        "way": Filter("Way found", "detected_way"),
        "recording": Filter(
            "Recording",
            "tone__isnull",
            (("yes", "with a recording"), ("no", "without")),
            values={"yes": False, "no": True},
        ),
    },
    prefix="calls_",
)


def _window(people: list[int], as_of: date) -> list[Conversation]:
    since = as_of - timedelta(days=WINDOW_DAYS)
    return list(
        Conversation.objects.filter(
            person_id__in=people, occurred_at__date__gt=since, occurred_at__date__lte=as_of
        ).select_related("detected_way")
    )


def _tone_mean(calls: list[Conversation]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name in TONE_FIELDS:
        values = [c.tone[name] for c in calls if c.tone and c.tone.get(name) is not None]
        out[name] = sum(values) / len(values) if values else None
    out["recordings"] = float(sum(1 for c in calls if c.tone))
    out["monotone"] = float(sum(1 for c in calls if c.tone and c.tone.get("monotone")))
    return out


def team_of(rep: Person) -> list[int]:
    """The rep's teammates (the rep included): the comparison for every figure."""
    if rep.team_id is None:
        return [rep.pk]
    return list(Person.objects.filter(team_id=rep.team_id).values_list("pk", flat=True))


def evidence(rep: Person, as_of: date) -> dict[str, Any]:
    """The rep's calls of the last :data:`WINDOW_DAYS` against the team's: metrics, tone, the
    ways found in openings. ``calls`` 0: no transcript yet."""
    team = _window(team_of(rep), as_of)
    mine = [c for c in team if c.person_id == rep.pk]
    me = summarise(from_dict(c.metrics) for c in mine)
    them = summarise(from_dict(c.metrics) for c in team)
    ways = Counter(c.detected_way.text if c.detected_way else None for c in mine
                   if c.way_method)  # fmt: skip
    tone_me, tone_team = _tone_mean(mine), _tone_mean(team)
    return {
        "calls": len(mine),
        "team_calls": len(team),
        "window_days": WINDOW_DAYS,
        "metrics": [
            {"key": k, "label": LABELS[k], "rep": me[k], "team": them[k]} for k in SUMMARY_FIELDS
        ],
        "tone": [
            {"key": k, "label": TONE_LABELS[k], "rep": tone_me[k], "team": tone_team[k]}
            for k in TONE_FIELDS
        ],
        "recordings": int(tone_me["recordings"] or 0),
        "monotone": int(tone_me["monotone"] or 0),
        "ways": [{"text": t or "No way found", "calls": n} for t, n in ways.most_common()],
        "methods": sorted({c.way_method for c in mine if c.way_method}),
    }
