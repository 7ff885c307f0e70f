"""The throughput work on the analysis (#22) keeps its outputs identical: a digest of every
figure ``analyse_call`` gives for generated calls in the three formats (pinned before the
speed-ups), and the faster question count against the plain regular expression it replaced."""

from __future__ import annotations

import hashlib
import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ninety.core.conversations.analysis import analyse_call
from ninety.core.conversations.detect import LexicalEmbedder, WayIndex, WayText
from ninety.core.conversations.metrics import questions
from ninety.core.playbook_spec import default_playbook

_WORD_TEXT = """energy bill roof winter saving neighbour price month rate family warranty thirty
seconds why called cold honest panels street save money"""
WORDS = _WORD_TEXT.split()
EXAMPLE = "We just did the panels on the roof of your neighbour's house."
NO_WAY = ("Thanks for taking my call.", "Is this a good moment?")
ENDS = ("", ".", "?", "!", "??", "?!", ". ", "...")


def generated_call(k: int, rng: np.random.Generator) -> tuple[str, str]:
    """A short call in VTT, SRT or text (in turn), with punctuation of every kind."""
    t, turns = 0.0, []
    for i in range(int(rng.integers(4, 30))):
        who = "Sam Patel" if i % 2 == 0 else "Jo Lee"
        parts = [" ".join(rng.choice(WORDS, int(rng.integers(1, 12)))) + str(rng.choice(ENDS))
                 for _ in range(int(rng.integers(1, 4)))]  # fmt: skip
        span = float(rng.uniform(0.5, 20))
        turns.append((who, t, t + span, " ".join(parts).strip() or "ok"))
        t += span + float(rng.uniform(0, 3))

    def ts(s: float, sep: str) -> str:
        return f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}:{s % 60:06.3f}".replace(".", sep)

    fmt = ("vtt", "srt", "txt")[k % 3]
    if fmt == "vtt":
        body = ["WEBVTT", ""] + [f"{ts(a, '.')} --> {ts(b, '.')}\n<v {w}>{x}</v>\n"
                                 for w, a, b, x in turns]  # fmt: skip
    elif fmt == "srt":
        body = [f"{i}\n{ts(a, ',')} --> {ts(b, ',')}\n{w}: {x}\n"
                for i, (w, a, b, x) in enumerate(turns, 1)]  # fmt: skip
    else:
        body = [f"[{ts(a, '.')[:8]}] {w}: {x}" for w, a, _, x in turns]
    return f"call-{k}.{fmt}", "\n".join(body) + "\n"


def test_analysis_outputs_are_those_pinned_before_the_speed_ups() -> None:
    # The ways' own texts and fixed lines, not way_examples.yaml: the digest pins the code.
    stage = next(s for s in default_playbook().stages if s.key == "conversation")
    ways = [
        WayText(w.key, w.text, (EXAMPLE,) * (i == 0)) for i, w in enumerate(stage.behaviors[0].ways)
    ]
    index = WayIndex(ways, LexicalEmbedder(), NO_WAY)
    rng = np.random.default_rng(22)
    digest = hashlib.sha256()
    for k in range(90):
        a = analyse_call(*generated_call(k, rng), "Sam Patel", ways=index)
        d = a.detection
        digest.update(repr((a.turns, sorted(a.roles.items()), a.metrics, d.way_key,
                            round(d.score, 6), d.sentence, d.turn_index,
                            sorted(d.scores.items()))).encode())  # fmt: skip
    assert digest.hexdigest() == PINNED


PINNED = "8e50bdcbf3af981d199b70ef26433cb9fb4d6c27756af9d67968866d222f2eab"

_OLD_QUESTION = re.compile(r"[^.!?]*\?")


def _old_questions(text: str) -> int:
    return sum(1 for q in _OLD_QUESTION.findall(text) if re.search(r"[\w'’]+", q))


@given(st.text(alphabet="ab ?.!'’\n", max_size=60))
def test_the_question_count_is_the_regular_expressions(text: str) -> None:
    assert questions(text) == _old_questions(text)
