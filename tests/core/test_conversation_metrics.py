"""Speaker roles and the call metrics, on transcripts whose figures are worked out by hand."""

from __future__ import annotations

import pytest

from ninety.core.conversations.metrics import call_metrics, questions, summarise
from ninety.core.conversations.roles import (
    PROSPECT,
    REP,
    RoleError,
    assign_roles,
    parse_mapping,
)
from ninety.core.conversations.transcript import Turn


def test_the_rep_is_found_by_name() -> None:
    assert assign_roles(["Sam Patel", "Jo Lee"], "Sam Patel") == {
        "Sam Patel": REP, "Jo Lee": PROSPECT
    }  # fmt: skip
    assert assign_roles(["Sam", "Unknown Speaker"], "Sam Patel")["Sam"] == REP
    assert assign_roles(["Sam P.", "Speaker 2"], "Sam Patel")["Sam P."] == REP
    assert assign_roles(["José García", "Ana"], "Jose Garcia")["José García"] == REP


def test_no_or_several_matching_speakers_ask_for_a_mapping() -> None:
    with pytest.raises(RoleError, match="no speaker matches"):
        assign_roles(["Agent 1", "Caller"], "Sam Patel")
    with pytest.raises(RoleError, match="several speakers"):
        assign_roles(["Sam", "Sam P"], "Sam Patel")


def test_a_mapping_decides_roles() -> None:
    mapping = parse_mapping("Agent 1=rep, Caller = customer")
    assert mapping == {"Agent 1": REP, "Caller": PROSPECT}
    roles = assign_roles(["agent 1", "Caller", "Speaker 3"], "Sam Patel", mapping)
    assert roles == {"agent 1": REP, "Caller": PROSPECT, "Speaker 3": PROSPECT}
    with pytest.raises(RoleError, match="names no rep"):
        assign_roles(["Caller"], "Sam", {"Caller": "prospect"})
    with pytest.raises(RoleError, match="unknown role"):
        parse_mapping("Agent 1=boss")
    with pytest.raises(RoleError, match="speaker=role"):
        parse_mapping("Agent 1")


CALL = [
    Turn("Sam", "Hi, Sam from Sunny Solar. Do you have a minute?", 0.0, 6.0),  # 10 words, 6 s
    Turn("Jo", "Sure, go ahead.", 7.0, 9.0),  # 3 words, 2 s
    Turn("Sam", "Great. What was your last bill? And who pays it?", 10.5, 16.5),  # 10 words, 6 s
    Turn("Jo", "About two hundred, I pay it.", 16.0, 20.0),  # overlap: no pause, 4 s
]


def test_call_metrics_by_hand() -> None:
    m = call_metrics(CALL, {"Sam": REP, "Jo": PROSPECT})
    assert m.timed and m.duration_seconds == 20.0
    assert (m.rep_words, m.prospect_words) == (20, 9)
    assert m.talk_share == pytest.approx(12 / 18)
    assert m.longest_monologue_seconds == 6.0 and m.longest_monologue_words == 10
    assert m.questions == 3
    assert m.interactivity == pytest.approx(3 / (20 / 60))
    assert m.words_per_minute == pytest.approx(20 / (12 / 60))
    assert m.patience_seconds == pytest.approx(1.5)  # only Jo → Sam counts: 10.5 - 9.0


def test_untimed_call_shares_by_words_and_has_no_time_figures() -> None:
    turns = [Turn("Sam", "one two three"), Turn("Jo", "four"), Turn("Sam", "five?")]
    m = call_metrics(turns, {"Sam": REP, "Jo": PROSPECT})
    assert not m.timed and m.talk_share == pytest.approx(4 / 5)
    assert m.interactivity is None and m.words_per_minute is None and m.patience_seconds is None
    assert m.questions == 1


def test_questions_count_sentences() -> None:
    assert questions("Is it? Really?? OK. ?") == 2


def test_summary_averages_over_calls_with_a_value() -> None:
    timed = call_metrics(CALL, {"Sam": REP, "Jo": PROSPECT})
    plain = call_metrics([Turn("Sam", "a b"), Turn("Jo", "c d")], {"Sam": REP, "Jo": PROSPECT})
    s = summarise([timed, plain])
    assert s["calls"] == 2
    assert s["talk_share"] == pytest.approx((12 / 18 + 0.5) / 2)
    assert s["patience_seconds"] == pytest.approx(1.5)
    assert summarise([])["talk_share"] is None
