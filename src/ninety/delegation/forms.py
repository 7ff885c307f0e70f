"""Form parsing for the delegation and attention pages (objects are resolved by the views)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from ninety.core import attention
from ninety.delegation.models import AttentionCategory, CalendarRule, Recurrence, TaskCategory


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=TaskCategory.choices)
    due = forms.DateField(required=False)
    recurrence = forms.ChoiceField(choices=Recurrence.choices, required=False)
    estimated_minutes = forms.IntegerField(min_value=0, max_value=10_000, required=False)


class DelegateForm(forms.Form):
    delegate = forms.IntegerField(required=False)
    coachee = forms.IntegerField(required=False)
    focus_stage = forms.IntegerField(required=False)
    behaviors = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    process_steps = forms.CharField(required=False, max_length=3000)

    def __init__(self, *args: Any, behavior_ids: Sequence[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["behaviors"].choices = [(i, str(i)) for i in behavior_ids]  # type: ignore[attr-defined]


class TimeEntryForm(forms.Form):
    start = forms.DateTimeField()
    minutes = forms.IntegerField(min_value=1, max_value=24 * 60)
    category = forms.ChoiceField(choices=AttentionCategory.choices)
    title = forms.CharField(max_length=300, required=False)


class RuleForm(forms.Form):
    # In words ("report or expenses"); title_pattern stays for a regular expression.
    title_words = forms.CharField(max_length=200, required=False)
    title_pattern = forms.CharField(max_length=200, required=False)
    calendar_category = forms.CharField(max_length=100, required=False)
    attendee = forms.CharField(max_length=200, required=False)
    category = forms.ChoiceField(choices=CalendarRule.Target.choices)
    all_day_minutes = forms.IntegerField(min_value=0, max_value=24 * 60, required=False)
    org_wide = forms.BooleanField(required=False)

    def clean_title_pattern(self) -> str:
        pattern = self.cleaned_data["title_pattern"]
        try:
            attention.Rule(attention.TACTICAL, title=pattern)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return pattern

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        words = data.get("title_words", "").strip()
        if words and not data.get("title_pattern"):
            data["title_pattern"] = attention.words_to_pattern(words)
        return data


class ImportForm(forms.Form):
    file = forms.FileField()


def first_error(form: forms.Form) -> str:
    """'field: message' for the first error, to show as a message."""
    for field, errors in form.errors.items():
        return f"{field}: {errors[0]}" if field != "__all__" else str(errors[0])
    return "invalid input"
