"""Behavior experiments: difference in differences, P(improved), always-valid p-values, verdict.

Pure Python + NumPy/SciPy (no Django). Build the data with :meth:`RateCounts.of`,
:meth:`VolumeCounts.of` or :meth:`DealSizes.of`, describe the plan with :class:`ExperimentPlan`,
then call :func:`analyse` (the verdict now) or :func:`cumulative` (one :class:`Look` per
business day, for the effect-over-time chart). See ``docs/experiments.md``.
"""

from __future__ import annotations

from ninety.core.experiments.analysis import (
    COLLECTING,
    IMPROVED,
    NO_CHANGE,
    VERDICTS,
    WORSE,
    DealSizes,
    DidArrays,
    ExperimentPlan,
    ExperimentResult,
    Look,
    RateCounts,
    VolumeCounts,
    analyse,
    cumulative,
    format_level,
    leader_sentence,
    practical_log_odds,
    rate_did,
    rate_expected_variance,
    verdict_codes,
    volume_did,
)
from ninety.core.experiments.sequential import (
    always_valid_p_value,
    confidence_sequence_halfwidth,
    mixture_p_value,
    mixture_variance,
    tuning_constant,
)

__all__ = [
    "COLLECTING",
    "IMPROVED",
    "NO_CHANGE",
    "VERDICTS",
    "WORSE",
    "DealSizes",
    "DidArrays",
    "ExperimentPlan",
    "ExperimentResult",
    "Look",
    "RateCounts",
    "VolumeCounts",
    "always_valid_p_value",
    "analyse",
    "confidence_sequence_halfwidth",
    "cumulative",
    "format_level",
    "leader_sentence",
    "mixture_p_value",
    "mixture_variance",
    "practical_log_odds",
    "rate_did",
    "rate_expected_variance",
    "tuning_constant",
    "verdict_codes",
    "volume_did",
]
