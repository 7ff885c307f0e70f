"""Forms of the one-on-one pages. The meeting page posts one form with every part of the
meeting (answers, recital, commitments reviewed, notes), so a leader talking with a rep saves
everything with one button; this module turns that POST into calls of the services."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.db import transaction
from django.http import QueryDict

from ninety.coaching import services
from ninety.coaching.models import Cadence, Commitment, OneOnOne
from ninety.coaching.queries import open_commitments
from ninety.people.models import Person
from ninety.playbook.models import Behavior, DiagnosticQuestion, Way

WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"),
            (5, "Saturday"), (6, "Sunday")]  # fmt: skip
TRI = {"yes": True, "no": False}


class ScheduleForm(forms.Form):
    rep = forms.ModelChoiceField(queryset=Person.objects.none())
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.WEEKLY)
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, initial=0)
    at = forms.TimeField(initial=time(10, 0), label="Time",
                         widget=forms.TimeInput(attrs={"type": "time"}))  # fmt: skip
    start = forms.DateField(required=False, label="From",
                            widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    duration_minutes = forms.IntegerField(min_value=5, max_value=240, initial=30, label="Minutes")

    def __init__(self, *args: Any, reps: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reps is not None:
            self.fields["rep"].queryset = reps


class SelfReportForm(forms.Form):
    results = forms.CharField(
        required=False,
        label="My results and projection",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "e.g. Projecting down 15% …"}),
    )
    behaviors = forms.CharField(
        required=False,
        label="The behaviors and processes that produced them",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CommitmentForm(forms.Form):
    kind = forms.ChoiceField(choices=Commitment.Kind.choices)
    text = forms.CharField(max_length=2000)
    way = forms.ModelChoiceField(queryset=Way.objects.none(), required=False)
    behavior = forms.ModelChoiceField(queryset=Behavior.objects.none(), required=False)

    def __init__(self, *args: Any, meeting: OneOnOne, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_ways = Way.objects.filter(
            behavior__stage__playbook__org_id=meeting.org_id,
            behavior__stage__playbook__status="published",
            status=Way.Status.APPROVED,
        )
        self.fields["way"].queryset = org_ways.select_related("behavior")
        self.fields["behavior"].queryset = Behavior.objects.filter(
            stage__playbook__org_id=meeting.org_id, stage__playbook__status="published"
        )


class TalkForm(forms.Form):
    """Totals in seconds (the timer) or, without JavaScript, in minutes."""

    rep_seconds = forms.IntegerField(min_value=0, required=False)
    leader_seconds = forms.IntegerField(min_value=0, required=False)
    rep_minutes = forms.FloatField(min_value=0, required=False)
    leader_minutes = forms.FloatField(min_value=0, required=False)

    def totals(self) -> tuple[int, int]:
        d = self.cleaned_data
        if d.get("rep_seconds") is not None or d.get("leader_seconds") is not None:
            return d.get("rep_seconds") or 0, d.get("leader_seconds") or 0
        return round(60 * (d.get("rep_minutes") or 0)), round(60 * (d.get("leader_minutes") or 0))


def _ids(post: QueryDict, prefix: str, suffix: str) -> list[int]:
    out = []
    for key in post:
        if key.startswith(prefix) and key.endswith(suffix):
            middle = key[len(prefix) : len(key) - len(suffix)]
            if middle.isdigit():
                out.append(int(middle))
    return out


@transaction.atomic
def save_meeting(meeting: OneOnOne, by: Person, post: QueryDict) -> None:
    """Apply the meeting page's form: every part present in the POST is saved, nothing else."""
    question_ids = _ids(post, "q-", "-holds")
    questions = DiagnosticQuestion.objects.filter(
        pk__in=question_ids, behavior__stage__playbook__org_id=meeting.org_id
    ).select_related("behavior__stage__playbook")
    for q in questions:
        services.answer_question(
            meeting, by=by, question=q, holds=TRI.get(post.get(f"q-{q.pk}-holds", "")),
            note=post.get(f"q-{q.pk}-note", ""),
        )  # fmt: skip
    if post.get("recital-behavior", "").isdigit():
        behavior = (
            Behavior.objects.select_related("stage__playbook")
            .filter(pk=int(post["recital-behavior"]), stage__playbook__org_id=meeting.org_id)
            .first()
        )
        if behavior is None:
            raise services.CoachingError("That behavior is not in your playbook.")
        recited = Way.objects.filter(
            behavior=behavior, pk__in=[int(v) for v in post.getlist("recited") if v.isdigit()]
        )
        new_ways = [line for line in post.get("new-ways", "").splitlines() if line.strip()]
        services.record_recital(
            meeting, by=by, behavior=behavior, recited=recited, new_ways=new_ways
        )
    talk = TalkForm(post)
    if talk.is_valid() and post.get("rep_seconds", "") != "":
        rep_s, leader_s = talk.totals()
        services.record_talk_time(meeting, by=by, rep_seconds=rep_s, leader_seconds=leader_s)
    reviewable = {c.pk: c for c in open_commitments(meeting)}
    for cid in _ids(post, "kept-", ""):
        if cid in reviewable:
            services.review_commitment(
                reviewable[cid], by=by, meeting=meeting, kept=TRI.get(post[f"kept-{cid}"])
            )
    if "results" in post or "behaviors" in post:
        services.save_self_report(
            meeting, by=by, results=post.get("results", meeting.self_results),
            behaviors=post.get("behaviors", meeting.self_behaviors),
        )  # fmt: skip
    services.save_notes(
        meeting, by=by, values=post.get("values"), shared=post.get("shared"),
        private=post.get("private"), summary=post.get("summary"),
    )  # fmt: skip
