"""The org admin's audit log: every tracked change to the org's playbooks, quotas, people (and
roles), teams, one-on-ones and private notes (who and when, never a private note's text)."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import CharField, Model, Q, QuerySet
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ninety.activity.models import Quota
from ninety.coaching.models import OneOnOne, PrivateNote
from ninety.people.listing import Filter, ListSpec, Sort, listing
from ninety.people.models import Invitation, Org, Person, Team
from ninety.people.permissions import can_read_audit
from ninety.people.views import viewer_of
from ninety.playbook.models import Behavior, Playbook, Stage, Way

#: Each tracked model and the path from it to its org.
ORG_PATHS: dict[type[Model], str] = {
    Playbook: "org",
    Stage: "playbook__org",
    Behavior: "stage__playbook__org",
    Way: "behavior__stage__playbook__org",
    Quota: "person__org",
    Person: "org",
    Invitation: "org",
    Team: "org",
    OneOnOne: "org",
    PrivateNote: "meeting__org",
}
SHOWN = 200
AUDIT = ListSpec(
    sorts={
        "when": Sort("When", ("timestamp",)),
        "who": Sort("Who", ("actor__username", "timestamp")),
        "what": Sort("What", ("action", "timestamp")),
        "object": Sort("Object", ("content_type__model", "object_repr")),
    },
    default="-when",
    search=("object_repr", "actor__username"),
    filters={
        "kind": Filter(
            "Kind",
            "content_type__model",
            tuple((m._meta.model_name, m._meta.verbose_name) for m in ORG_PATHS),
        ),
        "action": Filter(
            "What", "action", tuple((str(v), str(name)) for v, name in LogEntry.Action.choices)
        ),
    },
    search_label="Object or login",
)


def org_entries(org: Org) -> QuerySet[LogEntry]:
    """The org's log: changes made by its people, and changes to objects that are still its own
    (by whoever made them: an import, an operator)."""
    q = Q(actor__person__org=org)
    for model, path in ORG_PATHS.items():
        ids = model.objects.filter(**{path: org}).annotate(pk_text=Cast("pk", CharField()))
        kind = ContentType.objects.get_for_model(model)
        q |= Q(content_type=kind, object_pk__in=ids.values("pk_text"))
    return LogEntry.objects.filter(q).select_related("actor", "content_type").order_by("-timestamp")


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    if not can_read_audit(viewer):
        raise PermissionDenied("The audit log is for the org's admins.")
    entries = listing(request, org_entries(viewer.org), AUDIT, limit=SHOWN)
    return render(request, "home/audit.html", {"entries": entries, "shown": SHOWN})
