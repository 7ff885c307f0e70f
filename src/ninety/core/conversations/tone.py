"""Tone and inflection from a recording: pitch range and variability, energy variation, rate.

The pitch and intensity tracks come from Praat (``praat-parselmouth``, the ``audio`` extra),
which reads WAV, and MP3 where Praat's decoder handles it. The figures from the tracks are plain
NumPy, so they are tested on tracks the tests make:

- **pitch range**: the 10th to 90th percentile of the voiced pitch, in semitones (a range that
  does not depend on how high the voice is);
- **pitch variability**: the spread of the voiced pitch in semitones (robust: 1.4826 times the
  median absolute deviation, after folding the tracker's octave errors back); below
  :data:`MONOTONE_SEMITONES` the voice reads as **flat** (monotone);
- **energy variation**: the standard deviation of the voiced frames' intensity, in dB;
- **rate**: syllable nuclei per second of speech, as peaks of the intensity contour in voiced
  stretches (after de Jong and Wempe, 2009, "Praat script to detect syllable nuclei").
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from scipy.signal import find_peaks

#: Below this pitch spread (semitones) a voice reads as flat: midway between the flat (0.2-0.6)
#: and varied (1.45-3.7) espeak-ng voices of bench_conversations; lively speech is 2-5.
MONOTONE_SEMITONES = 1.0
#: Frames further than this from the median pitch (semitones) are taken as octave errors.
OCTAVE_FOLD = 9.0
AUDIO_HINT = "tone needs the audio extra: pip install 'ninety[audio]' (praat-parselmouth)"
AUDIO_SUFFIXES = (".wav", ".mp3", ".flac", ".aiff", ".aif")


class ToneUnavailable(RuntimeError):
    """The ``audio`` extra is not installed, or the recording cannot be decoded."""


@dataclass(frozen=True)
class Tone:
    pitch_median_hz: float | None
    pitch_range_semitones: float | None
    pitch_sd_semitones: float | None
    energy_sd_db: float | None
    syllables_per_second: float | None
    voiced_seconds: float
    monotone: bool | None

    def as_dict(self) -> dict[str, float | bool | None]:
        return asdict(self)


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def tone_from_tracks(pitch_hz: np.ndarray, intensity_db: np.ndarray, step: float) -> Tone:
    """The tone figures from a pitch track (Hz; 0 or NaN where unvoiced) and an intensity
    track (dB) sampled every ``step`` seconds on the same frames."""
    pitch = np.asarray(pitch_hz, dtype=float)
    level = np.asarray(intensity_db, dtype=float)
    n = min(len(pitch), len(level))
    pitch, level = pitch[:n], level[:n]
    voiced = np.isfinite(pitch) & (pitch > 0)
    voiced_seconds = float(voiced.sum() * step)
    if voiced.sum() < 10:
        return Tone(None, None, None, None, None, voiced_seconds, None)
    st = 12 * np.log2(pitch[voiced] / np.median(pitch[voiced]))
    # A pitch tracker's octave errors (a frame at half or double the pitch) are folded back,
    # and the spread is the robust one (1.4826 x the median absolute deviation, the standard
    # deviation for normal data), so that a few wrong frames do not make a flat voice varied.
    st = np.where(st > OCTAVE_FOLD, st - 12, np.where(st < -OCTAVE_FOLD, st + 12, st))
    p10, p90 = np.percentile(st, [10, 90])
    sd = float(1.4826 * np.median(np.abs(st - np.median(st))))
    return Tone(
        pitch_median_hz=float(np.median(pitch[voiced])),
        pitch_range_semitones=float(p90 - p10),
        pitch_sd_semitones=sd,
        energy_sd_db=_finite(float(np.std(level[voiced]))),
        syllables_per_second=_syllable_rate(level, voiced, step),
        voiced_seconds=voiced_seconds,
        monotone=sd < MONOTONE_SEMITONES,
    )


def _syllable_rate(level: np.ndarray, voiced: np.ndarray, step: float) -> float | None:
    """Intensity peaks at least 2 dB above their surroundings, in voiced frames, at most one
    per 0.1 s, per second of the speaking time (first to last voiced frame)."""
    idx = np.flatnonzero(voiced)
    if len(idx) < 2:
        return None
    smooth = np.convolve(np.nan_to_num(level, nan=float(np.nanmin(level))), np.ones(3) / 3, "same")
    peaks, _ = find_peaks(smooth, prominence=2.0, distance=max(int(0.1 / step), 1))
    peaks = peaks[voiced[peaks]]
    span = (idx[-1] - idx[0] + 1) * step
    return float(len(peaks) / span) if span > 0 else None


def analyse_recording(path: str | Path, floor_hz: float = 50, ceiling_hz: float = 500) -> Tone:
    """The tone of the recording at ``path``; :class:`ToneUnavailable` without the extra or
    when the file cannot be decoded (the message names the file)."""
    try:
        import parselmouth
    except ImportError as e:
        raise ToneUnavailable(AUDIO_HINT) from e
    try:
        sound = parselmouth.Sound(str(path))
    except parselmouth.PraatError as e:
        raise ToneUnavailable(f"{Path(path).name}: cannot decode this recording") from e
    if sound.n_channels > 1:
        sound = sound.convert_to_mono()
    step = 0.01
    pitch = sound.to_pitch(time_step=step, pitch_floor=floor_hz, pitch_ceiling=ceiling_hz)
    intensity = sound.to_intensity(minimum_pitch=floor_hz, time_step=step)
    times = pitch.xs()
    f0 = pitch.selected_array["frequency"]
    level = np.interp(times, intensity.xs(), intensity.values[0])
    return tone_from_tracks(f0, level, step)
