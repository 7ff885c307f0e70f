"""Importing a transcript: analyse it (the core), then write the call, its turns, its activity
(attached by external id, or created) and the way found, in one transaction: a file that does
not read, or a speaker that cannot be told, writes nothing."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ninety.activity import versions
from ninety.activity.models import Activity, ActivityRollup
from ninety.activity.rollups import add_to_week
from ninety.conversations.models import Conversation, Turn
from ninety.conversations.permissions import can_import_for, importable_people
from ninety.core.conversations.analysis import (
    CallAnalysis,
    analyse_call,
    no_way_lines,
    way_texts,
)
from ninety.core.conversations.detect import Detection, Embedder, WayIndex, opening
from ninety.core.conversations.minilm import load_embedder
from ninety.core.conversations.roles import RoleError
from ninety.core.conversations.tone import ToneUnavailable, analyse_recording
from ninety.core.conversations.transcript import TranscriptError
from ninety.people.models import Person
from ninety.playbook.models import Behavior, Stage, Way
from ninety.playbook.services import current_playbook

SOURCE = "transcript"
#: The activity type of a call imported without an activity to attach to: a connect is the
#: greeting stage's attempt, so the way the opening used is that stage's evidence.
DEFAULT_TYPE = "connect"


class ImportError_(ValueError):
    """A transcript that cannot be imported: the message names the file and the reason."""


@cache
def embedder() -> tuple[Embedder, str | None]:
    """The sentence model if its extra is installed, else the lexical fallback (and why)."""
    return load_embedder()


@dataclass(frozen=True)
class CallFile:
    """What one import names: the file, whose call it is and which activity it was."""

    name: str
    text: str
    rep: Person | None = None
    activity_external_id: str = ""
    occurred_at: datetime | None = None
    mapping: dict[str, str] | None = None
    activity_type: str = DEFAULT_TYPE
    outcome: str = ""
    recording: Path | None = None


def external_id(call: CallFile) -> str:
    """The activity's external id: the one given, else one from the file's content (so that
    importing the same file again is refused, not doubled)."""
    digest = hashlib.sha256(call.text.encode()).hexdigest()[:16]
    return call.activity_external_id or f"call-{digest}"


def _activity_for(importer: Person, call: CallFile) -> tuple[Activity | None, Person]:
    """The existing activity named by the file (or None) and the rep whose call it is.

    Only activities of people the importer may import for are looked at: another team's
    activity is answered as an unknown id, not with its owner's name."""
    found = (Activity.objects.filter(org_id=importer.org_id, external_id=external_id(call),
                                     person__in=importable_people(importer))
             .select_related("person").first())  # fmt: skip
    rep = found.person if found else call.rep
    if rep is None:
        raise ImportError_(f"{call.name}: name the rep, or an activity id that exists")
    if not can_import_for(importer, rep):
        raise ImportError_(f"{call.name}: you may not import calls of {rep.name}")
    if found and hasattr(found, "conversation"):
        raise ImportError_(f"{call.name}: activity {external_id(call)!r} already has a transcript")
    if found is None and call.occurred_at is None:
        raise ImportError_(f"{call.name}: a new call needs its date and time")
    return found, rep


def _stage_of(rep: Person, activity_type: str) -> Stage | None:
    """The current playbook's stage whose attempts are ``activity_type`` activities."""
    playbook = current_playbook(rep.org)
    if playbook is None:
        return None
    return playbook.stages.filter(entry_type=activity_type).prefetch_related("behaviors").first()


def _detect(
    analysis: CallAnalysis, stage: Stage | None, emb: Embedder
) -> tuple[Behavior | None, Way | None, Detection | None]:
    """The best detection over the stage's behaviors: (behavior, way, detection) or Nones."""
    best: tuple[Behavior | None, Way | None, Detection | None] = (None, None, None)
    sentences = opening(analysis.turns, analysis.roles)
    if stage is None:
        return best
    for behavior in stage.behaviors.all():
        ways = list(behavior.ways.filter(status=Way.Status.APPROVED))
        if not ways:
            continue
        index = WayIndex(way_texts([(w.key, w.text) for w in ways]), emb, no_way_lines())
        found = index.detect(sentences)
        if best[2] is None or found.score > best[2].score:
            way = next((w for w in ways if w.key == found.way_key), None)
            best = (behavior, way, found)
    return best


def _local_day(at: datetime):  # type: ignore[no-untyped-def]
    # The importer's rule: a day is the server zone's (ingest.rows._local_day).
    return timezone.localtime(at, ZoneInfo(settings.TIME_ZONE)).date()


def _rollup_add(activity: Activity, way_id: int | None, n: int, advanced: int) -> None:
    """Add ``n`` attempts (``advanced`` of them advanced) to the activity's rollup row."""
    key = {"person_id": activity.person_id, "day": _local_day(activity.occurred_at),
           "type": activity.type, "way_id": way_id}  # fmt: skip
    pending = n if not activity.outcome else 0
    dur = (activity.duration_seconds or 0) * n
    updated = ActivityRollup.objects.filter(**key).update(
        count=F("count") + n, advanced=F("advanced") + advanced, pending=F("pending") + pending,
        duration_seconds=F("duration_seconds") + dur,
    )  # fmt: skip
    if not updated and n > 0:
        ActivityRollup.objects.create(**key, count=n, advanced=advanced, pending=pending,
                                      duration_seconds=dur)  # fmt: skip
    elif n < 0:
        ActivityRollup.objects.filter(**key, count__lte=0).delete()
    add_to_week(activity.person_id, key["day"], activity.type, (n, advanced, pending, dur))
    versions.bump_days(activity.org_id, [key["day"]])


def _advanced(activity: Activity, stage: Stage | None) -> int:
    return int(stage is not None and activity.outcome == stage.exit_type)


def _tone(call: CallFile) -> tuple[dict | None, str]:
    if call.recording is None:
        return None, ""
    try:
        return analyse_recording(call.recording).as_dict(), ""
    except ToneUnavailable as e:
        return None, str(e)


def import_call(importer: Person, call: CallFile, emb: Embedder | None = None) -> Conversation:
    """Import one transcript; :class:`ImportError_` (nothing written) when it cannot be."""
    call = _clean(call)
    activity, rep = _activity_for(importer, call)
    activity_type = activity.type if activity else call.activity_type
    stage = _stage_of(rep, activity_type)
    emb, note = (emb, None) if emb is not None else embedder()
    try:
        analysis = analyse_call(call.name, call.text, rep.name, call.mapping)
    except (TranscriptError, RoleError) as e:
        msg = str(e) if isinstance(e, TranscriptError) else f"{call.name}: {e}"
        raise ImportError_(msg) from e
    behavior, way, found = _detect(analysis, stage, emb)
    tone, tone_note = _tone(call)
    with transaction.atomic():
        if activity is None:
            try:
                with transaction.atomic():
                    activity = _new_activity(rep, call, analysis, way, stage)
            except IntegrityError as exc:  # the id is a transcript of someone the importer
                raise ImportError_(  # may not see: taken, whose it is stays unsaid
                    f"{call.name}: the activity id {external_id(call)!r} is taken; give another"
                ) from exc
        elif way is not None and activity.way_id is None:
            # The detected way becomes the activity's: it moves from "no way" to the way.
            adv = _advanced(activity, stage)
            _rollup_add(activity, None, -1, -adv)
            _rollup_add(activity, way.pk, 1, adv)
            activity.way = way
            activity.save(update_fields=["way"])
        conv = Conversation.objects.create(
            org_id=rep.org_id, person=rep, activity=activity, occurred_at=activity.occurred_at,
            file_name=call.name[:255], format=call.name.rsplit(".", 1)[-1][:4].lower(),
            stage_key=stage.key if stage else "", behavior=behavior,
            metrics=analysis.metrics.as_dict(), detected_way=way,
            way_score=found.score if found else None, way_method=found.method if found else "",
            way_sentence=found.sentence if found else "",
            way_turn=found.turn_index if found else None, way_note=(note or "")[:300],
            tone=tone, tone_note=tone_note[:300], imported_by=importer,
        )  # fmt: skip
        Turn.objects.bulk_create(
            Turn(conversation=conv, index=i, speaker=t.speaker[:100],
                 role=analysis.roles.get(t.speaker, ""), start=t.start, end=t.end, text=t.text)
            for i, t in enumerate(analysis.turns)
        )  # fmt: skip
    return conv


def _clean(call: CallFile) -> CallFile:
    """No NUL characters in what is stored or looked up (PostgreSQL's text refuses them); a
    time without a zone is the server's."""
    at = call.occurred_at
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at, ZoneInfo(settings.TIME_ZONE))
    return replace(call, occurred_at=at, name=call.name.replace("\x00", "") or "transcript",
                   activity_external_id=call.activity_external_id.replace("\x00", ""),
                   activity_type=call.activity_type.replace("\x00", "")[:32],
                   outcome=call.outcome.replace("\x00", "")[:50])  # fmt: skip


def _new_activity(
    rep: Person, call: CallFile, analysis: CallAnalysis, way: Way | None, stage: Stage | None
) -> Activity:
    duration = analysis.metrics.duration_seconds
    activity = Activity.objects.create(
        org_id=rep.org_id, person=rep, occurred_at=call.occurred_at, type=call.activity_type,
        outcome=call.outcome, duration_seconds=int(duration) if duration else None,
        source=SOURCE, external_id=external_id(call), way=way,
    )  # fmt: skip
    _rollup_add(activity, activity.way_id, 1, _advanced(activity, stage))
    return activity
