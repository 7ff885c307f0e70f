"""Tone from pitch and intensity tracks (made here), the audio extra's absence, and, where
espeak-ng and the extra are installed, a flat and a varied synthetic voice told apart."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from ninety.core.conversations.tone import (
    MONOTONE_SEMITONES,
    ToneUnavailable,
    analyse_recording,
    tone_from_tracks,
)

STEP = 0.01


def tracks(semitone_swing: float, syllables_per_second: float = 4.0) -> tuple[np.ndarray, ...]:
    t = np.arange(0, 5, STEP)
    pitch = 120 * 2 ** (semitone_swing * np.sin(2 * np.pi * 0.5 * t) / 12)
    level = 60 + 6 * np.sin(2 * np.pi * syllables_per_second * t)  # one peak per syllable
    pitch[(t % 1.0) > 0.9] = 0.0  # a pause each second: unvoiced
    return pitch, level


def test_flat_and_varied_tracks() -> None:
    flat = tone_from_tracks(*tracks(0.5), STEP)
    varied = tone_from_tracks(*tracks(6.0), STEP)
    assert flat.monotone is True and varied.monotone is False
    assert flat.pitch_sd_semitones < MONOTONE_SEMITONES < varied.pitch_sd_semitones
    assert varied.pitch_range_semitones == pytest.approx(2 * 6.0 * np.sin(0.4 * np.pi), rel=0.1)
    assert flat.pitch_median_hz == pytest.approx(120, rel=0.02)
    assert flat.voiced_seconds == pytest.approx(4.5, abs=0.05)
    assert flat.energy_sd_db == pytest.approx(6 / np.sqrt(2), rel=0.1)


def test_rate_counts_intensity_peaks() -> None:
    slow = tone_from_tracks(*tracks(3.0, 2.0), STEP)
    fast = tone_from_tracks(*tracks(3.0, 5.0), STEP)
    assert slow.syllables_per_second == pytest.approx(2.0 * 0.9, rel=0.25)
    assert fast.syllables_per_second == pytest.approx(5.0 * 0.9, rel=0.25)


def test_silence_has_no_tone() -> None:
    tone = tone_from_tracks(np.zeros(300), np.full(300, 30.0), STEP)
    assert tone.monotone is None and tone.pitch_sd_semitones is None and tone.voiced_seconds == 0


def test_without_the_audio_extra_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "parselmouth", None)  # import fails as if not installed
    with pytest.raises(ToneUnavailable, match=r"ninety\[audio\]"):
        analyse_recording(tmp_path / "call.wav")


def test_espeak_flat_and_varied_voices_when_installed(tmp_path: Path) -> None:
    if importlib.util.find_spec("parselmouth") is None:
        with pytest.raises(ToneUnavailable):
            analyse_recording(tmp_path / "x.wav")
        return
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not a wave")
    with pytest.raises(ToneUnavailable, match=r"broken\.wav: cannot decode"):
        analyse_recording(broken)
    if shutil.which("espeak-ng") is None:
        return  # scripts/install-espeak.sh brings it; the figure is bench_conversations' tone
    text = "Hello, this is Sam from Sunny Solar. Your neighbours just saved a lot. Got a minute?"
    tones = {}
    for name, rng in (("flat", "x-low"), ("varied", "x-high")):
        wav = tmp_path / f"{name}.wav"
        ssml = f'<speak><prosody range="{rng}">{text}</prosody></speak>'
        subprocess.run(["espeak-ng", "-m", "-w", str(wav), ssml], check=True)
        tones[name] = analyse_recording(wav)
    assert tones["flat"].monotone is True and tones["varied"].monotone is False
    assert tones["varied"].pitch_range_semitones > 2 * tones["flat"].pitch_range_semitones
