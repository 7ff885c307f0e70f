"""Importing transcripts: attached to an activity by external id or created, the way found
fills the activity's way (and its rollup), malformed files and unknown speakers write nothing."""

from __future__ import annotations

import pytest

from ninety.activity.models import Activity, ActivityRollup, ActivityWeekRollup
from ninety.core.evidence import monday
from ninety.conversations import services
from ninety.conversations.models import Conversation
from ninety.conversations.services import CallFile, ImportError_, import_call
from ninety.core.conversations.detect import LexicalEmbedder
from tests.conftest import World
from tests.conversations.helpers import DATA, SAM_CALL, WHEN, no_call_imported, sams_call
from tests.playbook.matrix_helpers import acme_playbook


def test_a_new_call_becomes_a_connect_with_the_detected_way(world: World) -> None:
    conv = sams_call(world)
    activity = conv.activity
    assert (activity.type, activity.person_id, activity.source) == ("connect", world.rep.pk,
                                                                    "transcript")  # fmt: skip
    assert conv.detected_way is not None and conv.detected_way.key == "permission-opener"
    assert activity.way_id == conv.detected_way.pk and conv.way_method == "lexical"
    assert conv.way_sentence == "Could I have thirty seconds to say why I called?"
    assert conv.way_turn == 0 and conv.stage_key == "conversation"
    assert [t.role for t in conv.turns.all()] == ["rep", "prospect", "rep"]
    assert conv.metrics["questions"] == 2 and conv.metrics["timed"] is True
    # The rollup counts the attempt under its way: "which ways work" sees it.
    rollup = ActivityRollup.objects.get(person=world.rep, type="connect")
    assert (rollup.way_id, rollup.count, rollup.pending) == (conv.detected_way.pk, 1, 1)
    # … and its week, which the diagnosis reads for the weeks before the period.
    week = ActivityWeekRollup.objects.get(person=world.rep, type="connect")
    assert (week.week, week.count, week.pending) == (monday(rollup.day), 1, 1)


def test_a_call_attaches_to_its_activity_by_external_id(world: World) -> None:
    acme_playbook(world)
    activity = Activity.objects.create(org=world.org, person=world.rep, occurred_at=WHEN,
                                       type="connect", outcome="conversation",
                                       external_id="crm-77", source="salesforce")  # fmt: skip
    ActivityRollup.objects.create(person=world.rep, day=WHEN.date(), type="connect", count=1,
                                  advanced=1)  # fmt: skip
    conv = import_call(world.leader, CallFile("x.vtt", SAM_CALL, activity_external_id="crm-77"),
                       LexicalEmbedder())  # fmt: skip
    assert conv.activity_id == activity.pk and Activity.objects.count() == 1
    rows = {(r.way_id, r.count, r.advanced) for r in ActivityRollup.objects.all()}
    assert rows == {(conv.detected_way_id, 1, 1)}  # moved, not added
    with pytest.raises(ImportError_, match="already has a transcript"):
        import_call(world.leader, CallFile("x.vtt", SAM_CALL, activity_external_id="crm-77"),
                    LexicalEmbedder())  # fmt: skip


def test_the_same_file_twice_is_refused(world: World) -> None:
    sams_call(world)
    with pytest.raises(ImportError_, match="already has a transcript"):
        sams_call(world)
    assert Conversation.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "words"),
    [("bad_timing.vtt", "bad_timing.vtt, line 8: cannot read the cue timing"),
     ("bad_cue.srt", "bad_cue.srt, line 5: cue '2' has no timing line"),
     ("no_speaker.txt", "no_speaker.txt, line 1")],
)  # fmt: skip
def test_malformed_files_write_nothing(world: World, name: str, words: str) -> None:
    with pytest.raises(ImportError_) as e:
        sams_call(world, (DATA / name).read_text(), name)
    assert words in str(e.value)
    assert no_call_imported(world)


def test_no_speaker_is_the_rep_writes_nothing_and_asks_for_a_mapping(world: World) -> None:
    text = "Agent 1: Hello.\nCaller: Hi.\n"
    with pytest.raises(ImportError_, match="give a speaker mapping"):
        sams_call(world, text, "call.txt")
    assert no_call_imported(world)
    acme_playbook(world)
    mapped = CallFile("call.txt", text, rep=world.rep, occurred_at=WHEN, mapping={"Agent 1": "rep"})
    conv = import_call(world.leader, mapped, LexicalEmbedder())
    assert conv.turns.get(index=0).role == "rep"


def test_only_leaders_of_the_rep_and_admins_import(world: World) -> None:
    acme_playbook(world)
    for person in (world.rep, world.other_leader, world.outsider):
        with pytest.raises(ImportError_, match="may not import"):
            import_call(person, CallFile("x.vtt", SAM_CALL, rep=world.rep, occurred_at=WHEN),
                        LexicalEmbedder())  # fmt: skip
    assert no_call_imported(world)
    assert import_call(world.admin, CallFile("x.vtt", SAM_CALL, rep=world.rep, occurred_at=WHEN),
                       LexicalEmbedder()).person_id == world.rep.pk  # fmt: skip


def test_the_model_absent_is_said_on_the_call(world: World, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NINETY_EMBEDDING_MODEL", str(tmp_path))
    services.embedder.cache_clear()
    acme_playbook(world)
    try:
        conv = import_call(world.leader, CallFile("x.vtt", SAM_CALL, rep=world.rep,
                                                  occurred_at=WHEN))  # fmt: skip
    finally:
        services.embedder.cache_clear()
    assert conv.way_method == "lexical" and "lacks model.safetensors" in conv.way_note
    assert conv.detected_way is not None
