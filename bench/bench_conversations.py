"""Benchmark of conversation evidence (#22): ways detection, tone, throughput.

Run ``.venv/bin/python bench/bench_conversations.py`` (``--small`` for CI: 100 transcripts and
a few recordings). It prints:

1. **Ways detection** on two labelled sets of openings (each written line after two neutral
   greetings; >= 200 openings each, some using no way): the *tuning* set
   ``bench/data/openings.yaml``, on which the thresholds and example lines were set, and the
   *held-out* set ``bench/data/openings_heldout.yaml``, written apart and never tuned on (the
   figure to quote). Precision and recall of the sentence model (the ``embeddings`` extra), of
   the static model (Model2Vec kind, when its package is installed) and of the lexical fallback
   on each. Precision: of the openings given a way, the share given the right one; recall: of
   the openings that use a way, the share found. The models' settings were chosen by
   ``bench/tune_ways.py`` (cross-validation on the tuning set only).
2. **Tone**: espeak-ng recordings synthesised flat (SSML prosody range x-low) and varied
   (x-high) at several pitches, speeds and sentences, told apart by the monotone rule.
3. **Throughput**: 1,000 ten-minute transcripts (WebVTT, SRT and text exports in turn) parsed,
   roles assigned, measured and their opening's way detected, without the model; and the model
   path's rate (transcripts per second); wall and CPU seconds.

A part whose extra or tool is absent prints NOT RUN and why.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

from _machine import machine  # bench/ is on sys.path when a bench runs
from ninety.core.conversations.analysis import analyse_call, no_way_lines, way_texts
from ninety.core.conversations.detect import Embedder, LexicalEmbedder, WayIndex, opening
from ninety.core.conversations.minilm import MiniLMEmbedder, ModelUnavailable
from ninety.core.conversations.roles import PROSPECT, REP
from ninety.core.conversations.static import StaticEmbedder
from ninety.core.conversations.tone import ToneUnavailable, analyse_recording
from ninety.core.conversations.transcript import Turn
from ninety.core.playbook_spec import default_playbook

DATA = Path(__file__).parent / "data"
SETS = (
    ("tuning set", DATA / "openings.yaml"),
    ("held-out set", DATA / "openings_heldout.yaml"),
)


def greeting_ways() -> list:
    stage = next(s for s in default_playbook().stages if s.key == "conversation")
    return way_texts([(w.key, w.text) for w in stage.behaviors[0].ways])


def labelled(path: Path) -> list[tuple[str, str]]:
    """(opening, way key or "none") for each written line after each greeting of ``path``."""
    data = yaml.safe_load(path.read_text())
    return [(f"{g} {line}", key) for key, lines in data["openings"].items()
            for line in lines for g in data["greetings"]]  # fmt: skip


def precision_recall(embedder: Embedder, items: list[tuple[str, str]]) -> tuple[float, ...]:
    index = WayIndex(greeting_ways(), embedder, no_way_lines())
    tp = fp = fn = 0
    start = time.perf_counter()
    for text, key in items:
        found = index.detect(opening([Turn("Rep", text, 0.0, 5.0)], {"Rep": REP})).way_key
        tp += found is not None and found == key
        fp += found is not None and found != key
        fn += key != "none" and found != key
    seconds = time.perf_counter() - start
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), len(items) / seconds


def load_models() -> list[tuple[str, Embedder | None, str]]:
    """(label, embedder or None, why not) of the sentence model and the static model."""
    out: list[tuple[str, Embedder | None, str]] = []
    kinds = (
        ("sentence model (all-MiniLM-L6-v2, NumPy)", MiniLMEmbedder),
        ("static model (Model2Vec kind, 10k x 64 int8, NumPy)", StaticEmbedder),
    )
    for label, cls in kinds:
        try:
            out.append((label, cls.load(), ""))
        except ModelUnavailable as e:
            out.append((label, None, str(e)))
    return out


def ways_part() -> MiniLMEmbedder | None:
    models = load_models()
    for label, path in SETS:
        items = labelled(path)
        uses = sum(1 for _, k in items if k != "none")
        print(f"ways detection, {label} ({path.name}): {len(items)} openings ({uses} use one "
              f"of 10 ways, {len(items) - uses} none)")  # fmt: skip
        p, r, rate = precision_recall(LexicalEmbedder(), items)
        print(f"  lexical fallback: precision {p:.3f}  recall {r:.3f}  ({rate:,.0f} openings/s)")
        for name, model, missing in models:
            if model is None:
                print(f"  {name}: NOT RUN ({missing})")
                continue
            p, r, rate = precision_recall(model, items)
            verdict = "meets" if min(p, r) >= 0.8 else "MISSES"
            print(f"  {name}: precision {p:.3f}  recall {r:.3f}  ({rate:,.1f} openings/s) — "
                  f"{verdict} the 0.8 target")  # fmt: skip
    model = models[0][1]
    return model if isinstance(model, MiniLMEmbedder) else None


SENTENCES = (
    "Hello, this is Sam from Sunny Solar, and I am calling about your energy bill.",
    "We installed panels for one of your neighbours last week, and they love them.",
    "Could I have thirty seconds to tell you why I called, and then you decide?",
    "Most families like yours save a lot of money every winter with us.",
    "I will be honest with you, this is a cold call, so feel free to say no.",
    "There is a rate change coming next month, which is why I wanted to reach you.",
)


def tone_part(small: bool) -> None:
    if shutil.which("espeak-ng") is None:
        print("tone: NOT RUN (espeak-ng is missing: scripts/install-espeak.sh)")
        return
    pitches, speeds = ((35, 65), (150, 200)) if small else ((25, 40, 55, 70), (130, 170, 210))
    sentences = SENTENCES[:2] if small else SENTENCES
    right = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, text in enumerate(sentences):
            for pitch in pitches:
                for speed in speeds:
                    for label, rng in (("flat", "x-low"), ("varied", "x-high")):
                        wav = Path(tmp) / f"{i}-{pitch}-{speed}-{label}.wav"
                        ssml = f'<speak><prosody range="{rng}">{text}</prosody></speak>'
                        subprocess.run(["espeak-ng", "-m", "-p", str(pitch), "-s", str(speed),
                                        "-w", str(wav), ssml], check=True)  # fmt: skip
                        try:
                            tone = analyse_recording(wav)
                        except ToneUnavailable as e:
                            print(f"tone: NOT RUN ({e})")
                            return
                        right += tone.monotone == (label == "flat")
                        total += 1
    verdict = "meets" if right / total >= 0.95 else "MISSES"
    print(f"tone: {right}/{total} espeak-ng recordings told apart flat vs varied "
          f"({100 * right / total:.1f}%; pitches {pitches}, speeds {speeds} wpm, "
          f"{len(sentences)} sentences) — {verdict} the 95% target")  # fmt: skip


WORDS = [
    "energy",
    "bill",
    "panel",
    "roof",
    "winter",
    "saving",
    "install",
    "neighbour",
    "price",
    "month",
    "rate",
    "family",
    "warranty",
    "finance",
    "visit",
    "question",
    "morning",
    "weekend",
    "contract",
    "meter",
]


def ten_minute_call(k: int, rng: np.random.Generator) -> tuple[str, str]:
    """A ten-minute call as a VTT, SRT or text export (one in three each)."""
    t, lines, turns = 0.0, [], []
    opener = "Hi, this is Sam from Sunny Solar. We just installed panels for your neighbour."
    while t < 600:
        who = "Sam Patel" if len(turns) % 2 == 0 else "Jo Lee"
        n = int(rng.integers(5, 40))
        text = opener if not turns else " ".join(rng.choice(WORDS, n)) + "?" * (n % 3 == 0)
        span = max(len(text.split()) / 2.6, 1.0)
        turns.append((who, t, t + span, text))
        t += span + float(rng.uniform(0.2, 1.5))

    def ts(s: float, sep: str) -> str:
        return f"{int(s // 3600):02d}:{int(s % 3600 // 60):02d}:{s % 60:06.3f}".replace(".", sep)

    fmt = ("vtt", "srt", "txt")[k % 3]
    if fmt == "vtt":
        lines = ["WEBVTT", ""] + [f"{ts(a, '.')} --> {ts(b, '.')} align:start\n<v {w}>{x}</v>\n"
                                  for w, a, b, x in turns]  # fmt: skip
    elif fmt == "srt":
        lines = [f"{i}\n{ts(a, ',')} --> {ts(b, ',')}\n{w}: {x}\n"
                 for i, (w, a, b, x) in enumerate(turns, 1)]  # fmt: skip
    else:
        lines = [f"[{ts(a, '.')[:8]}] {w}: {x}" for w, a, _, x in turns]
    return f"call-{k}.{fmt}", "\n".join(lines) + "\n"


def throughput_part(small: bool, model: MiniLMEmbedder | None) -> None:
    n = 100 if small else 1000
    rng = np.random.default_rng(7)
    calls = [ten_minute_call(k, rng) for k in range(n)]
    size = sum(len(text) for _, text in calls)
    index = WayIndex(greeting_ways(), LexicalEmbedder(), no_way_lines())
    start, cpu = time.perf_counter(), time.process_time()
    turns = 0
    for name, text in calls:
        turns += len(analyse_call(name, text, "Sam Patel", ways=index).turns)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    scaled = seconds * 1000 / n
    verdict = "meets" if scaled <= 60 else "MISSES"
    # CPU seconds beside wall: on a shared machine the wall time is the load's as much as ours.
    print(f"throughput: {n} ten-minute transcripts ({size / 1e6:.1f} MB, {turns:,} turns) "
          f"analysed in {seconds:.1f} s wall ({cpu:.1f} s CPU) without the model; "
          f"{scaled:.1f} s wall per 1,000 — {verdict} the 60 s target")  # fmt: skip
    if model is None:
        print("  model path: NOT RUN (the sentence model is not installed)")
        return
    sample = calls[: min(n, 100)]
    mindex = WayIndex(greeting_ways(), model, no_way_lines())
    start, cpu = time.perf_counter(), time.process_time()
    for name, text in sample:
        analyse_call(name, text, "Sam Patel", {"Sam Patel": REP, "Jo Lee": PROSPECT}, mindex)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    rate = len(sample) / seconds
    print(f"  model path: {rate:.1f} transcripts/s ({len(sample)} timed in {seconds:.1f} s wall, "
          f"{cpu:.1f} s CPU; 1,000 would take {1000 / rate:.0f} s)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="CI sizes")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    model = ways_part()
    tone_part(args.small)
    throughput_part(args.small, model)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
