"""Transcripts in the formats people export, read to one list of turns.

- **WebVTT** (Zoom, Teams, Meet): cues with settings (``align:start``) and styling tags (``<b>``,
  ``<c.loud>``), the speaker as a voice tag (``<v Sam Patel>``) or a ``Name:`` prefix;
- **SRT**: numbered cues (numbers may skip, repeat or start anywhere), ``Name:`` prefixes;
- **text exports** (Gong, Otter): ``Name: text`` lines, optionally with a time
  (``[00:01:02] Name: text``, ``Name (1:02): text``) or a header line ``Name  1:02`` above the
  text; lines without a speaker continue the turn above.

Parsing is done by the kept libraries (``webvtt-py``, ``srt``); their errors are turned into
one :class:`TranscriptError` naming the file, the line and what is wrong. Consecutive cues of one
speaker are merged into one turn (a caption file cuts a monologue every few seconds).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, replace
from datetime import timedelta

UNKNOWN_SPEAKER = "Unknown speaker"
FORMATS = ("vtt", "srt", "txt")
# A speaker prefix: up to five words before a colon, not a time (12:30) nor a URL.
_PREFIX = re.compile(r"^\s*(?P<name>[^\W\d][\w.'’\- ]{0,60}?)\s*:\s+(?P<text>.*)$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-z][^>]*>|<\d[\d:.]*>", re.IGNORECASE)
_TIME = r"(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?:[.,](?P<f>\d{1,3}))?"
_TEXT_TIMED = re.compile(
    rf"^\s*\[?{_TIME}\]?\s*[-|]?\s*(?P<name>[^\W\d][\w.'’\- ]{{0,60}}?)\s*:\s+(?P<text>.*)$"
)
_TEXT_NAME_TIME = re.compile(
    rf"^\s*(?P<name>[^\W\d][\w.'’\- ]{{0,60}}?)\s*\(\s*{_TIME}\s*\)\s*:\s+(?P<text>.*)$"
)
# Otter: "Sam Patel  0:03" alone on a line, the words below it. Gong: "00:03 | Sam Patel".
_HEADER = re.compile(rf"^\s*(?P<name>[^\W\d][\w.'’\- ]{{0,60}}?)\s{{1,}}{_TIME}\s*$")
_HEADER_GONG = re.compile(rf"^\s*{_TIME}\s*\|\s*(?P<name>[^\W\d][\w.'’\- ]{{0,60}}?)\s*$")
_NOT_NAMES = {"http", "https", "note", "ps", "re"}
_SPACES = re.compile(r"\s+")
_STAMP = r"(\d+:)?\d{1,2}:\d{2}[.,]\d{3}"
_TIMING_LINE = re.compile(rf"^\s*{_STAMP}\s*-->\s*{_STAMP}(\s|$)")


class TranscriptError(ValueError):
    """A transcript that cannot be read: names the file, the line (1-based) and the reason."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file, self.line, self.reason = file, line, reason
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Turn:
    """One speaker's uninterrupted words; times in seconds from the start, when known."""

    speaker: str
    text: str
    start: float | None = None
    end: float | None = None


def detect_format(name: str, text: str) -> str:
    """``vtt``, ``srt`` or ``txt``, from the file's extension, else from its first line."""
    lower = name.lower()
    for fmt in FORMATS:
        if lower.endswith("." + fmt):
            return fmt
    first = text.lstrip("\ufeff").lstrip().split("\n", 1)[0]
    if first.startswith("WEBVTT"):
        return "vtt"
    if re.match(r"^\d+\s*$", first) and "-->" in text[:500]:
        return "srt"
    return "txt"


def parse_transcript(name: str, text: str, fmt: str | None = None) -> list[Turn]:
    """The turns of transcript ``text`` (file ``name``), in order, one speaker's cues merged."""
    # NUL characters are dropped: no format has them and PostgreSQL's text refuses them.
    text = text.lstrip("\ufeff").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    fmt = fmt or detect_format(name, text)
    if fmt not in FORMATS:
        raise TranscriptError(name, None, f"unknown format {fmt!r} (one of {', '.join(FORMATS)})")
    if not text.strip():
        raise TranscriptError(name, None, "the file is empty")
    reader = {"vtt": _read_vtt, "srt": _read_srt, "txt": _read_text}[fmt]
    turns = merge_turns(t for t in reader(name, text) if t.text)
    if not turns:
        raise TranscriptError(name, None, "no spoken text found")
    return turns


def merge_turns(turns: object) -> list[Turn]:
    """Consecutive turns of one speaker become one (times: the first start, the last end)."""
    out: list[Turn] = []
    for t in turns:  # type: ignore[attr-defined]
        if out and out[-1].speaker == t.speaker:
            last = out[-1]
            out[-1] = replace(last, text=f"{last.text} {t.text}", end=t.end or last.end)
        else:
            out.append(t)
    return out


def _split_speaker(text: str, default: str) -> tuple[str, str]:
    m = _PREFIX.match(text)
    if m and len(m["name"].split()) <= 5 and m["name"].strip().lower() not in _NOT_NAMES:
        return m["name"].strip(), m["text"].strip()
    return default, text.strip()


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _TAG.sub("", text) if "<" in text else text).strip()


def _bad_timing_line(text: str) -> tuple[int, str] | None:
    """The first line with an arrow whose times do not read, for the error message."""
    for n, line in enumerate(text.split("\n"), 1):
        if "-->" in line and not _TIMING_LINE.match(line):
            return n, f"cannot read the cue timing {line.strip()[:60]!r}"
    return None


def _cue_without_timing(text: str) -> tuple[int, str] | None:
    """An SRT block (lines between blank lines) whose first or second line is not its timing:
    the ``srt`` library would fold it into the cue above."""
    lines = text.split("\n")
    n = 0
    while n < len(lines):
        if not lines[n].strip():
            n += 1
            continue
        start = n
        while n < len(lines) and lines[n].strip():
            n += 1
        head = lines[start : start + 2]
        if not any("-->" in line for line in head):
            return (
                start + 1,
                f"cue {head[0].strip()[:30]!r} has no timing line (00:00:01,000 --> ...)",
            )
    return None


def _read_vtt(name: str, text: str) -> list[Turn]:
    import webvtt
    from webvtt.errors import MalformedFileError

    if not text.startswith("WEBVTT"):
        raise TranscriptError(name, 1, "a WebVTT file starts with 'WEBVTT'")
    if bad := _bad_timing_line(text):
        raise TranscriptError(name, *bad)
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except MalformedFileError as e:
        raise TranscriptError(name, None, f"not a valid WebVTT file ({e})") from e
    turns = []
    speaker = UNKNOWN_SPEAKER
    for cue in captions:
        raw = cue.raw_text
        voice = _VOICE.search(raw)
        if voice:
            speaker = voice.group(1).strip()
            body = _clean(raw)
        else:
            speaker, body = _split_speaker(_clean(raw), speaker)
        turns.append(Turn(speaker, body, cue.start_in_seconds + _ms(cue.start),
                          cue.end_in_seconds + _ms(cue.end)))  # fmt: skip
    return turns


def _ms(stamp: str) -> float:
    """webvtt-py's ``*_in_seconds`` are whole seconds: add the milliseconds back."""
    return int(stamp.rsplit(".", 1)[1]) / 1000 if "." in stamp else 0.0


def _read_srt(name: str, text: str) -> list[Turn]:
    import srt

    if bad := _bad_timing_line(text) or _cue_without_timing(text):
        raise TranscriptError(name, *bad)
    # Cue numbers may skip or repeat (exports that were cut and re-joined): read them as given.
    try:
        subs = list(srt.parse(text, ignore_errors=False))
    except srt.SRTParseError as e:
        line = text.count("\n", 0, e.expected_start) + 1
        raise TranscriptError(name, line, "not a valid SRT cue (number, timing, text)") from e
    turns = []
    speaker = UNKNOWN_SPEAKER
    for sub in subs:
        speaker, body = _split_speaker(_clean(sub.content), speaker)
        turns.append(Turn(speaker, body, _secs(sub.start), _secs(sub.end)))
    return turns


def _secs(d: timedelta) -> float:
    return d.total_seconds()


def _stamp(m: re.Match[str]) -> float:
    frac = m["f"] or ""
    return (int(m["h"] or 0) * 3600 + int(m["m"]) * 60 + int(m["s"])
            + (int(frac) / 10 ** len(frac) if frac else 0.0))  # fmt: skip


def _read_text(name: str, text: str) -> list[Turn]:
    turns: list[Turn] = []
    pending: tuple[str, float | None] | None = None  # a header line's speaker and time
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        if "-->" in line:
            raise TranscriptError(name, n, "a cue timing in a text export: is this VTT or SRT?")
        m = _TEXT_TIMED.match(line) or _TEXT_NAME_TIME.match(line)
        if m:
            turns.append(Turn(m["name"].strip(), _clean(m["text"]), _stamp(m)))
            pending = None
            continue
        h = _HEADER_GONG.match(line) or _HEADER.match(line)
        if h and len(h["name"].split()) <= 5:
            pending = (h["name"].strip(), _stamp(h))
            continue
        if pending is not None:
            turns.append(Turn(pending[0], _clean(line), pending[1]))
            pending = None
            continue
        speaker, body = _split_speaker(line, "")
        if speaker:
            turns.append(Turn(speaker, _clean(body)))
        elif turns:
            last = turns[-1]
            turns[-1] = replace(last, text=f"{last.text} {_clean(body)}")
        else:
            raise TranscriptError(name, n, "the first line names no speaker ('Name: text')")
    return _with_ends(turns)


#: Words per second of the last turn of a text export, whose end no line gives (150 a minute).
LAST_TURN_WORDS_PER_SECOND = 2.5


def _with_ends(turns: list[Turn]) -> list[Turn]:
    """A text export gives start times only: a turn ends where the next one starts, the last
    one after its words at an ordinary pace."""
    out = []
    for i, t in enumerate(turns):
        if t.start is None:
            out.append(t)
            continue
        nxt = turns[i + 1].start if i + 1 < len(turns) else None
        if nxt is None and i + 1 == len(turns):
            nxt = t.start + max(len(t.text.split()), 1) / LAST_TURN_WORDS_PER_SECOND
        out.append(replace(t, end=nxt) if nxt is not None else t)
    return out
