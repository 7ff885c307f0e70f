"""The import form: a transcript, whose call it is, and optionally its recording."""

from __future__ import annotations

from typing import Any

from django import forms

from ninety.core.conversations.roles import RoleError, parse_mapping
from ninety.people.models import Person

MAX_TRANSCRIPT_BYTES = 5 << 20  # a ten-minute call is ~15 KB; an hour of captions ~200 KB
MAX_RECORDING_BYTES = 50 << 20


def decode(name: str, data: bytes) -> str:
    """A transcript's text (UTF-8, else Windows-1252); a binary file is a clear error."""
    if b"\x00" in data[:4096]:
        raise forms.ValidationError(f"{name}: this is not a text file (VTT, SRT or TXT)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


class ImportCallForm(forms.Form):
    transcript = forms.FileField(help_text="WebVTT (.vtt), SubRip (.srt) or a text export (.txt)")
    rep = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        help_text="Whose call; not needed when the activity exists",
    )
    activity = forms.CharField(max_length=100, required=False, label="Activity external id",
                               help_text="Attach to this CRM activity (or create it)")  # fmt: skip
    occurred_at = forms.DateTimeField(required=False, label="When (for a new activity)")
    outcome = forms.CharField(
        max_length=50, required=False, help_text="For a new activity: e.g. conversation"
    )
    speakers = forms.CharField(max_length=500, required=False, label="Speaker mapping",
                               help_text="e.g. 'Agent 1=rep, Caller=prospect'; default: the "
                               "speaker with the rep's name is the rep")  # fmt: skip
    recording = forms.FileField(required=False, help_text="WAV or MP3, for tone and inflection")

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["rep"].queryset = people

    def clean_transcript(self) -> tuple[str, str]:
        f = self.cleaned_data["transcript"]
        if f.size > MAX_TRANSCRIPT_BYTES:
            raise forms.ValidationError(f"{f.name}: larger than 5 MB")
        return f.name, decode(f.name, f.read())

    def clean_speakers(self) -> dict[str, str] | None:
        try:
            return parse_mapping(self.cleaned_data["speakers"]) or None
        except RoleError as e:
            raise forms.ValidationError(str(e)) from e

    def clean_recording(self) -> Any:
        f = self.cleaned_data.get("recording")
        if f and f.size > MAX_RECORDING_BYTES:
            raise forms.ValidationError(f"{f.name}: larger than 50 MB")
        return f
