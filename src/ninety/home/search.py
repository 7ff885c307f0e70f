"""One search box (``/search/?q=``): people, ways, one-on-ones, experiments and tasks, each
through its app's gate, so a result is always something the viewer may open."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from ninety.coaching.permissions import visible_meetings
from ninety.core.dates import when_text
from ninety.delegation.access import visible_tasks
from ninety.experiments.queries import results_shown, visible_experiments, with_people
from ninety.people.listing import Filter, ListSpec, Sort, listing
from ninety.people.models import Person
from ninety.people.permissions import visible_people
from ninety.people.views import viewer_of
from ninety.playbook.models import Playbook, Way

#: Results per kind (the page says when there are more).
LIMIT = 20
MIN_LENGTH = 2


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    detail: str
    url: str
    order: int = 0  # the position in the default order: kinds as SOURCES, each as its source
    relevance: int = 0  # 0 the title is the words, 1 starts with them, 2 a word does, 3 inside


def relevance(title: str, q: str) -> int:
    """How closely ``title`` matches ``q``: lower is closer (the whole, its start, a word's start,
    anywhere; 4 when only another field matched, as an e-mail or a summary)."""
    title, q = title.casefold(), q.casefold()
    if title == q:
        return 0
    if title.startswith(q):
        return 1
    if any(word.startswith(q) for word in title.split()):
        return 2
    return 3 if q in title else 4


def _people(viewer: Person, q: str) -> list[Hit]:
    qs = visible_people(viewer).filter(Q(name__icontains=q) | Q(email__icontains=q))
    return [
        Hit("Person", p.name, p.get_role_display() + (f" · {p.team.name}" if p.team else ""),
            reverse("person", kwargs={"person_id": p.pk}))
        for p in qs.select_related("team").order_by("name")[:LIMIT]
    ]  # fmt: skip


def _ways(viewer: Person, q: str) -> list[Hit]:
    # The org's current playbook is everyone's in the org (the playbook page shows it).
    ways = Way.objects.filter(
        behavior__stage__playbook__org_id=viewer.org_id,
        behavior__stage__playbook__status=Playbook.Status.PUBLISHED,
        status=Way.Status.APPROVED, text__icontains=q,
    ).select_related("behavior__stage")  # fmt: skip
    return [
        Hit("Way", w.text, f"{w.behavior.stage.name} · {w.behavior.name}",
            reverse("playbook") + f"#way-{w.pk}")
        for w in ways.order_by("behavior__stage__order", "order")[:LIMIT]
    ]  # fmt: skip


def _meetings(viewer: Person, q: str) -> list[Hit]:
    qs = visible_meetings(viewer).filter(
        Q(rep__name__icontains=q) | Q(leader__name__icontains=q) | Q(summary__icontains=q)
        | Q(focus_label__icontains=q)
    )  # fmt: skip
    return [
        Hit("One-on-one", f"{m.rep.name} with {m.leader.name}",
            f"{when_text(timezone.localtime(m.scheduled_at))} · {m.get_status_display()}",
            reverse("one-on-one-summary", kwargs={"meeting_id": m.pk}))
        for m in qs.select_related("rep", "leader").order_by("-scheduled_at")[:LIMIT]
    ]  # fmt: skip


def _experiments(viewer: Person, q: str) -> list[Hit]:
    qs = visible_experiments(viewer).filter(Q(hypothesis__icontains=q) | Q(source__icontains=q))
    found = list(with_people(qs).order_by("-start")[:LIMIT])
    shown = results_shown(viewer, found)  # a rep: no pooled verdict that is not theirs to read
    return [
        Hit("Experiment", e.hypothesis[:120],
            (e.verdict if e.pk in shown else "") or e.get_status_display(), e.get_absolute_url())
        for e in found
    ]  # fmt: skip


def _tasks(viewer: Person, q: str) -> list[Hit]:
    qs = visible_tasks(viewer).filter(title__icontains=q).select_related("owner")
    return [
        Hit("Task", t.title, f"{t.owner.name} · {t.get_status_display()}", reverse("delegation"))
        for t in qs.order_by("-created_at")[:LIMIT]
    ]


SOURCES = (_people, _ways, _meetings, _experiments, _tasks)


def search(viewer: Person, q: str) -> list[Hit]:
    """Everything matching ``q`` that ``viewer`` may open (nothing for fewer than 2 letters)."""
    q = " ".join(q.split())[:100]
    if len(q) < MIN_LENGTH:
        return []
    found = [hit for source in SOURCES for hit in source(viewer, q)]
    return [replace(h, order=i, relevance=relevance(h.title, q)) for i, h in enumerate(found)]


KINDS = ("Person", "Way", "One-on-one", "Experiment", "Task")

#: The default keeps the order the results come in: kinds as SOURCES, each as its source sorts.
RESULTS = ListSpec(
    sorts={
        "kind": Sort("Kind", ("order",)),
        "name": Sort("Name", ("title", "order")),
        "relevance": Sort("Relevance", ("relevance", "order")),
    },
    default="kind",
    filters={"kind": Filter("Only", "kind", tuple((k, k) for k in KINDS))},
)


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    q = request.GET.get("q", "")
    found = search(viewer, q)
    present = {h.kind for h in found}
    hits = listing(request, found, RESULTS)
    # The box offers the kinds found (and the one chosen, even when none was).
    kinds = [k for k in KINDS if k in present or k == hits.chosen.get("kind")]
    context = {"q": q, "hits": hits, "kinds": kinds, "min_length": MIN_LENGTH}
    return render(request, "home/search.html", context)
