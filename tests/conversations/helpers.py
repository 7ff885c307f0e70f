"""Calls for the conversation tests and the permission matrix (made inside each test's world)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ninety.activity.models import Activity
from ninety.conversations.models import Conversation
from ninety.conversations.services import CallFile, import_call
from ninety.core.conversations.detect import LexicalEmbedder
from tests.conftest import World
from tests.playbook.matrix_helpers import acme_playbook

DATA = Path(__file__).resolve().parents[1] / "core" / "data" / "conversations"
WHEN = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
SAM_CALL = (
    "WEBVTT\n\n00:00.000 --> 00:04.000\n<v Sam>Hi, this is Sam from Sunny Solar.</v>\n\n"
    "00:04.000 --> 00:09.000\n<v Sam>Could I have thirty seconds to say why I called?</v>\n\n"
    "00:10.000 --> 00:12.000\n<v Jo>Go on then.</v>\n\n"
    "00:12.500 --> 00:20.000\n<v Sam>Great. What did your last bill come to?</v>\n"
)
SAM_CALL_TXT = "Sam: Hello, it's Sam.\nCaller: Hi?\nSam: Is now a good time?\n"


def sams_call(w: World, text: str = SAM_CALL, name: str = "sam.vtt") -> Conversation:
    acme_playbook(w)
    return import_call(
        w.leader, CallFile(name, text, rep=w.rep, occurred_at=WHEN), LexicalEmbedder()
    )


def sams_call_id(w: World) -> int:
    return sams_call(w).pk


def no_call_imported(w: World) -> bool:
    return (
        not Conversation.objects.exists()
        and not Activity.objects.filter(source="transcript").exists()
    )
