"""Shapes a call for its page: the turns (the matching sentence marked), metrics vs team."""

from __future__ import annotations

from typing import Any

from ninety.conversations.models import Conversation
from ninety.conversations.queries import LABELS, TONE_LABELS, evidence
from ninety.core.conversations.metrics import SUMMARY_FIELDS


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


def _turns(call: Conversation) -> list[dict[str, Any]]:
    out = []
    for t in call.turns.all():
        before, mark, after = t.text, "", ""
        if call.detected_way_id and t.index == call.way_turn and call.way_sentence:
            at = t.text.find(call.way_sentence)
            if at >= 0:
                end = at + len(call.way_sentence)
                before, mark, after = t.text[:at], t.text[at:end], t.text[end:]
        out.append({"speaker": t.speaker, "role": t.role, "at": _clock(t.start),
                    "before": before, "mark": mark, "after": after})  # fmt: skip
    return out


def call_context(call: Conversation) -> dict[str, Any]:
    team = evidence(call.person, call.occurred_at.date())
    team_means = {m["key"]: m["team"] for m in team["metrics"]}
    metrics = [
        {"key": k, "label": LABELS[k], "call": call.metrics.get(k), "team": team_means.get(k)}
        for k in SUMMARY_FIELDS
    ]
    tone_team = {m["key"]: m["team"] for m in team["tone"]}
    tone = [
        {"label": label, "call": (call.tone or {}).get(k), "team": tone_team.get(k)}
        for k, label in TONE_LABELS.items()
    ]
    return {
        "call": call,
        "turns": _turns(call),
        "metrics": metrics,
        "timed": call.metrics.get("timed", False),
        "tone": tone if call.tone else [],
        "team_calls": team["team_calls"],
        "window_days": team["window_days"],
    }
