"""Transcripts of the formats people export, read to turns; malformed files name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from ninety.core.conversations.transcript import (
    TranscriptError,
    Turn,
    detect_format,
    parse_transcript,
)

DATA = Path(__file__).parent / "data" / "conversations"


def read(name: str) -> list[Turn]:
    return parse_transcript(name, (DATA / name).read_text())


def test_vtt_with_cue_settings_voice_and_styling_tags() -> None:
    turns = read("zoom.vtt")
    assert [t.speaker for t in turns] == ["Sam Patel", "Jo Lee", "Sam Patel", "Jo Lee"]
    # The two first cues of Sam are one turn; tags and cue settings are gone.
    assert turns[0].text == (
        "Hi Mrs Lee, this is Sam from Sunny Solar. We just put panels on two houses on your street."
    )
    assert turns[1].text == "Oh, the Hendersons? What did that cost them?"
    assert (turns[0].start, turns[0].end) == (0.5, 8.25)
    # A cue without hours (00:21.000) and a multi-line cue.
    assert turns[3].start == 21.0
    assert turns[2].text.endswith("Can I ask what your last bill was?")


def test_vtt_with_name_prefixes() -> None:
    turns = read("zoom_prefix.vtt")
    assert [(t.speaker, t.start) for t in turns] == [
        ("Sam Patel", 1.0), ("Jo Lee", 3.5), ("Sam Patel", 5.2)
    ]  # fmt: skip
    assert turns[2].text.startswith("Great. Could I have")


def test_srt_with_odd_numbering() -> None:
    turns = read("odd_numbering.srt")
    assert [t.speaker for t in turns] == ["Sam", "Customer", "Sam", "Customer"]
    assert turns[2].text == "Thanks! How much was your last bill? Roughly?"
    assert turns[2].start == pytest.approx(8.4)


def test_otter_export_with_an_unknown_speaker() -> None:
    turns = read("otter.txt")
    assert [t.speaker for t in turns] == ["Sam Patel", "Unknown Speaker", "Sam Patel"]
    assert turns[1].start == 9.0 and turns[0].end == 9.0
    # The last turn ends after its words at 150 a minute.
    assert turns[2].end == pytest.approx(12.0 + 8 / 2.5)


def test_gong_export_with_continuation_lines() -> None:
    turns = read("gong.txt")
    assert [t.speaker for t in turns] == ["Sam", "Speaker 2", "Sam"]
    assert turns[0].text.endswith("tired of high winter bills.")
    assert turns[1].start == 9.0


def test_plain_speaker_lines_without_times() -> None:
    turns = parse_transcript("call.txt", "Sam: Hi.\nJo: Hello?\nJo: Who is it\nSam: Sam here.\n")
    assert [(t.speaker, t.text, t.start) for t in turns] == [
        ("Sam", "Hi.", None), ("Jo", "Hello? Who is it", None), ("Sam", "Sam here.", None)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "line", "words"),
    [
        ("bad_timing.vtt", 8, "cannot read the cue timing"),
        ("no_header.vtt", 1, "starts with 'WEBVTT'"),
        ("bad_cue.srt", 5, "no timing line"),
        ("no_speaker.txt", 1, "names no speaker"),
    ],
)
def test_malformed_files_name_file_line_and_reason(name: str, line: int, words: str) -> None:
    with pytest.raises(TranscriptError) as e:
        read(name)
    assert e.value.file == name and e.value.line == line
    assert words in str(e.value) and str(e.value).startswith(f"{name}, line {line}: ")


def test_empty_and_silent_files_are_errors() -> None:
    with pytest.raises(TranscriptError, match="empty"):
        parse_transcript("x.vtt", "  \n")
    with pytest.raises(TranscriptError, match="no spoken text"):
        parse_transcript("x.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<b></b>\n")
    with pytest.raises(TranscriptError, match="unknown format"):
        parse_transcript("x.doc", "Sam: hi", fmt="doc")


def test_format_from_extension_or_first_line() -> None:
    assert detect_format("a.VTT", "") == "vtt"
    assert detect_format("a", "WEBVTT\n") == "vtt"
    assert detect_format("a", "1\n00:00:01,000 --> 00:00:02,000\nhi\n") == "srt"
    assert detect_format("a", "Sam: hi") == "txt"
