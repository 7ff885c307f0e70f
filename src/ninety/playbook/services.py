"""Writes to the playbook go through these functions."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ninety.core.playbook_spec import BehaviorSpec, PlaybookSpec, StageSpec, WaySpec
from ninety.people.models import Org
from ninety.playbook.models import Behavior, DiagnosticQuestion, Playbook, Stage, Way


@transaction.atomic
def install_playbook(org: Org, spec: PlaybookSpec, *, publish: bool = True) -> Playbook:
    """Store ``spec`` as the org's next playbook version (published by default)."""
    last = Playbook.objects.filter(org=org).order_by("-version").first()
    version = (last.version + 1) if last else max(spec.version, 1)
    playbook = Playbook.objects.create(
        org=org,
        name=spec.name,
        version=version,
        status=Playbook.Status.PUBLISHED if publish else Playbook.Status.DRAFT,
        published_at=timezone.now() if publish else None,
    )
    if publish:
        Playbook.objects.filter(org=org, status=Playbook.Status.PUBLISHED).exclude(
            pk=playbook.pk
        ).update(status=Playbook.Status.ARCHIVED)
    for s_order, s in enumerate(spec.stages):
        stage = Stage.objects.create(
            playbook=playbook,
            key=s.key,
            name=s.name,
            order=s_order,
            entry_type=s.entry,
            exit_type=s.exit,
        )
        for b_order, b in enumerate(s.behaviors):
            behavior = Behavior.objects.create(stage=stage, key=b.key, name=b.name, order=b_order)
            Way.objects.bulk_create(
                Way(
                    behavior=behavior,
                    key=w.key,
                    text=w.text,
                    order=w_order,
                    source=w.source,
                    status=w.status,
                )
                for w_order, w in enumerate(b.ways)
            )
            DiagnosticQuestion.objects.bulk_create(
                DiagnosticQuestion(behavior=behavior, text=q, order=q_order)
                for q_order, q in enumerate(b.questions)
            )
    return playbook


def current_playbook(org: Org) -> Playbook | None:
    """The org's published playbook (the newest published version)."""
    return (
        Playbook.objects.filter(org=org, status=Playbook.Status.PUBLISHED)
        .order_by("-version")
        .first()
    )


def playbook_spec(playbook: Playbook) -> PlaybookSpec:
    """Read a stored playbook back into plain data (4 queries)."""
    stages = list(playbook.stages.order_by("order"))
    behaviors = list(
        Behavior.objects.filter(stage__playbook=playbook).order_by("stage__order", "order")
    )
    ways = list(Way.objects.filter(behavior__stage__playbook=playbook).order_by("order"))
    questions = list(
        DiagnosticQuestion.objects.filter(behavior__stage__playbook=playbook).order_by("order")
    )
    return PlaybookSpec(
        name=playbook.name,
        version=playbook.version,
        stages=tuple(
            StageSpec(
                key=s.key,
                name=s.name,
                entry=s.entry_type,
                exit=s.exit_type,
                behaviors=tuple(
                    BehaviorSpec(
                        key=b.key,
                        name=b.name,
                        questions=tuple(q.text for q in questions if q.behavior_id == b.pk),
                        ways=tuple(
                            WaySpec(key=w.key, text=w.text, source=w.source, status=w.status)
                            for w in ways
                            if w.behavior_id == b.pk
                        ),
                    )
                    for b in behaviors
                    if b.stage_id == s.pk
                ),
            )
            for s in stages
        ),
    )
