"""Conversation metrics of one call, and of a rep's calls against the team's.

- **talk share**: the rep's share of the talking, by time when every turn has times, else by
  words;
- **longest monologue**: the rep's longest uninterrupted turn (seconds, and words);
- **questions**: the rep's sentences that end in a question mark;
- **interactivity**: speaker switches per minute of the call;
- **pace**: the rep's words per minute of their own talking;
- **patience**: the mean pause between the prospect's last word and the rep's answer (only
  where both have times; overlaps count as no pause).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields

from ninety.core.conversations.roles import REP
from ninety.core.conversations.transcript import Turn

_WORD = re.compile(r"[\w'’]+")
_STOP = re.compile(r"[.!]")


def words(text: str) -> int:
    return len(_WORD.findall(text))


def questions(text: str) -> int:
    """Sentences ending in '?' ("Is that right?? OK." counts once): the words between each '?'
    and the '.', '!' or '?' before it. (Split, not a regular expression for the sentence: that
    one rescans a long sentence without a '?' from each of its characters.)"""
    if "?" not in text:
        return 0
    return sum(1 for q in text.split("?")[:-1] if _WORD.search(_STOP.split(q)[-1]))


@dataclass(frozen=True)
class CallMetrics:
    duration_seconds: float | None
    timed: bool
    rep_words: int
    prospect_words: int
    talk_share: float | None
    longest_monologue_seconds: float | None
    longest_monologue_words: int
    questions: int
    interactivity: float | None
    words_per_minute: float | None
    patience_seconds: float | None

    def as_dict(self) -> dict[str, float | int | bool | None]:
        return asdict(self)


def _span(t: Turn) -> float | None:
    if t.start is None or t.end is None:
        return None
    return max(t.end - t.start, 0.0)


def call_metrics(turns: Sequence[Turn], roles: Mapping[str, str]) -> CallMetrics:
    """The metrics of one call whose speakers have ``roles`` (label → rep/prospect)."""
    is_rep = [roles.get(t.speaker) == REP for t in turns]
    counts = [words(t.text) for t in turns]
    spans = [_span(t) for t in turns]
    timed = bool(turns) and all(s is not None for s in spans)
    rep_words = sum(c for c, r in zip(counts, is_rep, strict=True) if r)
    other_words = sum(counts) - rep_words
    starts = [t.start for t in turns if t.start is not None]
    ends = [t.end for t in turns if t.end is not None]
    duration = (max(ends) - min(starts)) if starts and ends else None
    rep_secs = sum(s for s, r in zip(spans, is_rep, strict=True) if r and s) if timed else None
    if timed:
        total = sum(s for s in spans if s)
        share = rep_secs / total if total else None
    else:
        share = rep_words / (rep_words + other_words) if rep_words + other_words else None
    switches = sum(1 for a, b in itertools.pairwise(turns) if a.speaker != b.speaker)
    return CallMetrics(
        duration_seconds=duration,
        timed=timed,
        rep_words=rep_words,
        prospect_words=other_words,
        talk_share=share,
        longest_monologue_seconds=max(
            (s for s, r in zip(spans, is_rep, strict=True) if r and s is not None), default=None
        ),
        longest_monologue_words=max(
            (c for c, r in zip(counts, is_rep, strict=True) if r), default=0
        ),
        questions=sum(questions(t.text) for t, r in zip(turns, is_rep, strict=True) if r),
        interactivity=switches / (duration / 60) if duration else None,
        words_per_minute=rep_words / (rep_secs / 60) if rep_secs else None,
        patience_seconds=_patience(turns, is_rep),
    )


def _patience(turns: Sequence[Turn], is_rep: Sequence[bool]) -> float | None:
    pauses = [
        max(b.start - a.end, 0.0)
        for a, b, ra, rb in zip(turns, turns[1:], is_rep, is_rep[1:], strict=False)
        if not ra and rb and a.end is not None and b.start is not None
    ]
    return sum(pauses) / len(pauses) if pauses else None


#: The metrics averaged over calls, with the direction a coach reads them in.
SUMMARY_FIELDS = (
    "talk_share",
    "longest_monologue_seconds",
    "questions",
    "interactivity",
    "words_per_minute",
    "patience_seconds",
)


def summarise(calls: Iterable[CallMetrics]) -> dict[str, float | None]:
    """The mean of each summary metric over ``calls`` (calls without a value left out), and
    the number of calls."""
    calls = list(calls)
    out: dict[str, float | None] = {"calls": float(len(calls))}
    for name in SUMMARY_FIELDS:
        values = [v for c in calls if (v := getattr(c, name)) is not None and math.isfinite(v)]
        out[name] = sum(values) / len(values) if values else None
    return out


def from_dict(data: Mapping[str, object]) -> CallMetrics:
    """A :class:`CallMetrics` back from :meth:`CallMetrics.as_dict` (stored as JSON)."""
    names = {f.name for f in fields(CallMetrics)}
    return CallMetrics(**{k: v for k, v in data.items() if k in names})  # type: ignore[arg-type]
