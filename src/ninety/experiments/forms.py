"""Forms for starting and concluding an experiment; choices come from what the leader may see."""

from __future__ import annotations

from typing import Any

from django import forms

from ninety.core.playbook_spec import PlaybookSpec
from ninety.experiments.models import Experiment
from ninety.experiments.services import metric_choices
from ninety.people.models import Person, Role
from ninety.people.permissions import managed_people, visible_people, visible_teams
from ninety.playbook.models import Playbook, Way


class WayChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Way) -> str:  # type: ignore[override]
        return f"{obj.behavior.stage.name} · {obj.behavior.name}: {obj.text}"


class ExperimentForm(forms.Form):
    hypothesis = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What should change, and why — e.g. “a local reference gets people talking”.",
    )
    # Ticks rather than a multi-select: nobody has to know about ctrl-click.
    subjects = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), required=False, help_text="One rep or several.",
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    team = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="—", help_text="…or a whole team's reps."
    )
    way = WayChoice(queryset=Way.objects.none(), required=False, empty_label="— none —",
                    help_text="The way being tried, from the playbook.")  # fmt: skip
    metric = forms.ChoiceField(choices=())
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    planned_end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    control = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty for the rest of the team over the same dates.",
    )  # fmt: skip

    def __init__(self, *args: Any, leader: Person, spec: PlaybookSpec, **kw: Any) -> None:
        super().__init__(*args, **kw)
        reps = Person.objects.filter(role=Role.REP, is_active=True).order_by("name")
        self.fields["subjects"].queryset = reps.filter(pk__in=managed_people(leader).values("pk"))
        self.fields["control"].queryset = reps.filter(pk__in=visible_people(leader).values("pk"))
        self.fields["team"].queryset = visible_teams(leader).order_by("name")  # type: ignore[attr-defined]
        self.fields["way"].queryset = (
            Way.objects.filter(
                behavior__stage__playbook__org_id=leader.org_id,
                behavior__stage__playbook__status=Playbook.Status.PUBLISHED,
            )
            .exclude(status=Way.Status.RETIRED)
            .select_related("behavior__stage")
            .order_by("behavior__stage__order", "behavior__order", "order")
        )
        self.fields["metric"].choices = metric_choices(spec)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("subjects") and not data.get("team"):
            self.add_error("subjects", "Choose at least one rep, or a team.")
        return data


class ConcludeForm(forms.Form):
    conclusion = forms.ChoiceField(choices=Experiment.Conclusion.choices,
                                   widget=forms.RadioSelect)  # fmt: skip
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What you decided and why; the rep's history keeps it.",
    )  # fmt: skip
