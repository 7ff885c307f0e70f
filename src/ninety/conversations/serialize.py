"""A call as JSON (the API's answer)."""

from __future__ import annotations

from typing import Any

from ninety.conversations.models import Conversation


def call_json(call: Conversation, turns: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": call.pk,
        "person": call.person_id,
        "activity": call.activity.external_id,
        "occurred_at": call.occurred_at.isoformat(),
        "file_name": call.file_name,
        "stage": call.stage_key or None,
        "metrics": call.metrics,
        "way": (
            {
                "id": call.detected_way_id,
                "key": call.detected_way.key,
                "text": call.detected_way.text,
            }
            if call.detected_way
            else None
        ),
        "way_score": call.way_score,
        "way_method": call.way_method or None,
        "way_sentence": call.way_sentence or None,
        "way_note": call.way_note or None,
        "tone": call.tone,
        "tone_note": call.tone_note or None,
    }
    if turns:
        out["turns"] = [
            {"speaker": t.speaker, "role": t.role, "start": t.start, "end": t.end, "text": t.text}
            for t in call.turns.all()
        ]
    return out
