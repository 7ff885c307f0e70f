"""Writes to the playbook go through these functions.

A published playbook is what everyone follows. Leaders change it through a **draft**: a copy of
the published version (the next version number) that is edited and then published, archiving the
old one. Old versions are never edited, so activities keep the way, and so the version, they were
logged under. Reps propose ways on the published version; a leader approves or declines them
there (the open draft, if any, gets the same decision, so publishing it loses nothing).
"""

from __future__ import annotations

from importlib import resources

from django.db import transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.text import slugify

from ninety.core.playbook_spec import (
    BehaviorSpec,
    PlaybookSpec,
    StageSpec,
    WaySpec,
    load_playbook_yaml,
)
from ninety.people.models import Org, Person
from ninety.playbook.models import Behavior, DiagnosticQuestion, Playbook, Stage, Way
from ninety.playbook.notifications import way_decided, way_proposed

#: Templates an org without a playbook can start from: key -> (label, YAML file, summary).
TEMPLATES: dict[str, tuple[str, str, str]] = {
    "inside-sales-b2c": (
        "Inside sales (B2C)",
        "inside_sales_b2c.yaml",
        "The article's process: prospecting, greeting, discovery, proposal, close — phone-first "
        "selling to consumers. Ninety's default.",
    ),
    "b2b": (
        "B2B (discovery, demo, proposal, negotiation)",
        "b2b.yaml",
        "A longer cycle selling to companies: qualify in discovery, earn the proposal with a "
        "tailored demo, write a proposal they can forward, negotiate on value.",
    ),
}
#: The guidance of the article: 5 to 10 ways per behavior.
MIN_WAYS, MAX_WAYS = 5, 10


class PlaybookError(ValueError):
    """A playbook change that cannot be made; the message says why, for the person."""


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


# -- templates -----------------------------------------------------------------------------------


def template_spec(key: str) -> PlaybookSpec:
    """The playbook of template ``key`` (see :data:`TEMPLATES`)."""
    if key not in TEMPLATES:
        raise PlaybookError(f"Unknown template {key!r}; choose one of {', '.join(TEMPLATES)}.")
    text = resources.files("ninety.core.playbooks").joinpath(TEMPLATES[key][1]).read_text()
    return load_playbook_yaml(text)


def install_template(org: Org, key: str) -> Playbook:
    """Start an org that has no playbook yet from a template (published as version 1)."""
    if Playbook.objects.filter(org=org).exists():
        raise PlaybookError("This org already has a playbook; edit it through a draft instead.")
    return install_playbook(org, template_spec(key))


# -- ways proposed by reps -------------------------------------------------------------------------


def _unique_key(text: str, taken: set[str], fallback: str = "item") -> str:
    base = slugify(text)[:60].strip("-") or fallback
    key, i = base, 2
    while key in taken:
        key, i = f"{base}-{i}", i + 1
    return key


def _counterpart_in_draft(way: Way) -> Way | None:
    """The same way (same stage, behavior and way keys) in the org's open draft."""
    behavior = way.behavior
    playbook = behavior.stage.playbook
    if playbook.status == Playbook.Status.DRAFT:
        return None
    return Way.objects.filter(
        behavior__stage__playbook__org_id=playbook.org_id,
        behavior__stage__playbook__status=Playbook.Status.DRAFT,
        behavior__stage__key=behavior.stage.key,
        behavior__key=behavior.key,
        key=way.key,
    ).first()


@transaction.atomic
def propose_way(person: Person, behavior: Behavior, text: str) -> Way:
    """A rep (or anyone in the org) proposes a new way for ``behavior``; it awaits a leader."""
    text = " ".join(text.split())
    if not text:
        raise PlaybookError("Write the way in a sentence.")
    playbook = behavior.stage.playbook
    if playbook.status == Playbook.Status.ARCHIVED:
        raise PlaybookError("This version is archived; propose on the current playbook.")
    taken = set(
        Way.objects.filter(
            behavior__stage__playbook__org_id=playbook.org_id,
            behavior__stage__key=behavior.stage.key,
            behavior__key=behavior.key,
        ).values_list("key", flat=True)
    )
    fields = {
        "key": _unique_key(text, taken, "way"),
        "text": text,
        "source": Way.Source.REP if person.role == "rep" else Way.Source.LEADER,
        "status": Way.Status.PROPOSED,
        "author": person,
    }
    way = Way.objects.create(behavior=behavior, order=_next_order(behavior.ways), **fields)
    if playbook.status == Playbook.Status.PUBLISHED:
        draft = Behavior.objects.filter(
            stage__playbook__org_id=playbook.org_id,
            stage__playbook__status=Playbook.Status.DRAFT,
            stage__key=behavior.stage.key,
            key=behavior.key,
        ).first()
        if draft is not None:
            Way.objects.create(behavior=draft, order=_next_order(draft.ways), **fields)
    way_proposed(way, person)
    return way


#: More approved ways than this and a rep cannot recite them in a one-on-one.
WAYS_LIMIT = 10


def too_many_ways(behavior: Behavior) -> str:
    """A warning when ``behavior`` has more approved ways than a rep can recite ('' if not)."""
    n = behavior.ways.filter(status=Way.Status.APPROVED).count()
    if n <= WAYS_LIMIT:
        return ""
    return (
        f"“{behavior.name}” now has {n} approved ways: past {WAYS_LIMIT}, reps cannot recite "
        "them all. Retire the weakest in the editor."
    )


def _approve(way: Way, text: str | None) -> None:
    way.status = Way.Status.APPROVED
    way.decline_reason = ""
    if text is not None and text.strip():
        way.text = " ".join(text.split())
    way.save(update_fields=["status", "decline_reason", "text"])


def _same_way(playbook: Playbook, way: Way) -> Way:
    return Way.objects.get(
        behavior__stage__playbook=playbook,
        behavior__stage__key=way.behavior.stage.key,
        behavior__key=way.behavior.key,
        key=way.key,
    )


@transaction.atomic
def approve_way(by: Person, way: Way, text: str | None = None) -> Way:
    """Approve a proposed way, optionally editing its wording; the author keeps the credit.

    A way proposed on the published playbook becomes part of a new published version (the old
    one is archived, so the versions page shows the change as a diff); the org's open draft,
    if any, gets the approval too and stays the next version. Returns the approved way.
    """
    if way.status == Way.Status.APPROVED:
        raise PlaybookError("This way is already approved.")
    playbook = way.behavior.stage.playbook
    if playbook.status == Playbook.Status.ARCHIVED:
        raise PlaybookError("This version is archived; decide on the current playbook.")
    if playbook.status == Playbook.Status.DRAFT:
        _approve(way, text)  # reaches the team when the draft is published
        way_decided(way, approved=True)
        return way
    in_draft = _counterpart_in_draft(way)
    new = _copy_version(playbook, _next_version(playbook.org_id), Playbook.Status.PUBLISHED)
    Playbook.objects.filter(pk=playbook.pk).update(status=Playbook.Status.ARCHIVED)
    approved = _same_way(new, way)
    _approve(approved, text)
    if in_draft is not None:
        _approve(in_draft, text)
        Playbook.objects.filter(pk=in_draft.behavior.stage.playbook_id).update(
            version=new.version + 1
        )
    way_decided(approved, approved=True)
    return approved


@transaction.atomic
def decline_way(by: Person, way: Way, reason: str) -> Way:
    """Decline a proposed way with a reason the author will read."""
    reason = reason.strip()
    if not reason:
        raise PlaybookError("Give the author a reason for declining.")
    if way.status != Way.Status.PROPOSED:
        raise PlaybookError("Only a proposed way can be declined.")
    for w in filter(None, (way, _counterpart_in_draft(way))):
        w.status = Way.Status.RETIRED
        w.decline_reason = reason
        w.save(update_fields=["status", "decline_reason"])
    way_decided(way, approved=False, reason=reason)
    return way


# -- drafts, editing and publishing ----------------------------------------------------------------


def current_draft(org: Org) -> Playbook | None:
    return Playbook.objects.filter(org=org, status=Playbook.Status.DRAFT).first()


@transaction.atomic
def start_draft(org: Org) -> Playbook:
    """The org's open draft, or a new one copied from the published version."""
    draft = current_draft(org)
    if draft is not None:
        return draft
    source = current_playbook(org)
    if source is None:
        raise PlaybookError("There is no published playbook to edit; start from a template.")
    return _copy_version(source, _next_version(org.pk), Playbook.Status.DRAFT)


def _next_version(org_id: int) -> int:
    return (Playbook.objects.filter(org_id=org_id).aggregate(v=Max("version"))["v"] or 0) + 1


def _copy_version(source: Playbook, version: int, status: str) -> Playbook:
    """A copy of ``source`` (stages, behaviors, ways, questions) as ``version``."""
    draft = Playbook.objects.create(
        org_id=source.org_id, name=source.name, version=version, status=status,
        published_at=timezone.now() if status == Playbook.Status.PUBLISHED else None,
    )  # fmt: skip
    for stage in source.stages.order_by("order"):
        new_stage = Stage.objects.create(
            playbook=draft,
            key=stage.key,
            name=stage.name,
            order=stage.order,
            entry_type=stage.entry_type,
            exit_type=stage.exit_type,
        )
        for behavior in stage.behaviors.order_by("order"):
            new_behavior = Behavior.objects.create(
                stage=new_stage, key=behavior.key, name=behavior.name, order=behavior.order
            )
            Way.objects.bulk_create(
                Way(
                    behavior=new_behavior,
                    key=w.key,
                    text=w.text,
                    order=w.order,
                    source=w.source,
                    status=w.status,
                    author_id=w.author_id,
                    decline_reason=w.decline_reason,
                )
                for w in behavior.ways.order_by("order")
            )
            DiagnosticQuestion.objects.bulk_create(
                DiagnosticQuestion(behavior=new_behavior, text=q.text, order=q.order)
                for q in behavior.questions.order_by("order")
            )
    return draft


@transaction.atomic
def publish_draft(draft: Playbook) -> Playbook:
    """Publish the draft as the org's new version; the previous published version is archived."""
    if draft.status != Playbook.Status.DRAFT:
        raise PlaybookError("Only a draft can be published.")
    if not draft.stages.exists():
        raise PlaybookError("A playbook needs at least one stage.")
    Playbook.objects.filter(org_id=draft.org_id, status=Playbook.Status.PUBLISHED).update(
        status=Playbook.Status.ARCHIVED
    )
    draft.status = Playbook.Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.save(update_fields=["status", "published_at"])
    return draft


def discard_draft(draft: Playbook) -> None:
    if draft.status != Playbook.Status.DRAFT:
        raise PlaybookError("Only a draft can be discarded.")
    draft.delete()


EditItem = Stage | Behavior | Way | DiagnosticQuestion


def playbook_of(item: EditItem | Playbook) -> Playbook:
    """The playbook version an item belongs to."""
    if isinstance(item, Playbook):
        return item
    if isinstance(item, Stage):
        return item.playbook
    if isinstance(item, Behavior):
        return item.stage.playbook
    return item.behavior.stage.playbook


def _require_draft(item: EditItem | Playbook) -> None:
    if playbook_of(item).status != Playbook.Status.DRAFT:
        raise PlaybookError("Published and archived versions are not edited; edit the draft.")


def _siblings(item: EditItem) -> list[Model]:
    if isinstance(item, Stage):
        qs = Stage.objects.filter(playbook_id=item.playbook_id)
    elif isinstance(item, Behavior):
        qs = Behavior.objects.filter(stage_id=item.stage_id)
    elif isinstance(item, Way):
        qs = Way.objects.filter(behavior_id=item.behavior_id)
    else:
        qs = DiagnosticQuestion.objects.filter(behavior_id=item.behavior_id)
    return list(qs.order_by("order", "pk"))


def _next_order(manager: object) -> int:
    top = manager.aggregate(o=Max("order"))["o"]  # type: ignore[attr-defined]
    return 0 if top is None else top + 1


#: The fields a leader edits on each kind of item (keys stay: they link versions).
EDITABLE = {
    Stage: ("name", "entry_type", "exit_type"),
    Behavior: ("name",),
    Way: ("text",),
    DiagnosticQuestion: ("text",),
}


def update_item(item: EditItem, **fields: str) -> EditItem:
    """Change the wording (or a stage's funnel step) of a draft item."""
    _require_draft(item)
    allowed = EDITABLE[type(item)]
    for name, value in fields.items():
        if name not in allowed:
            raise PlaybookError(f"{name} cannot be edited here.")
        value = " ".join(str(value).split())
        if not value:
            raise PlaybookError(f"{name.replace('_', ' ').capitalize()} cannot be empty.")
        setattr(item, name, value)
    item.save(update_fields=list(fields))
    return item


def move_item(item: EditItem, delta: int) -> EditItem:
    """Move a draft item up (delta < 0) or down among its siblings; orders become 0..n-1."""
    _require_draft(item)
    items = _siblings(item)
    i = next(k for k, o in enumerate(items) if o.pk == item.pk)
    j = min(max(i + delta, 0), len(items) - 1)
    items.insert(j, items.pop(i))
    for order, obj in enumerate(items):
        if obj.order != order:  # type: ignore[attr-defined]
            type(obj).objects.filter(pk=obj.pk).update(order=order)
    item.order = j
    return item


def delete_item(item: EditItem) -> None:
    _require_draft(item)
    item.delete()


def add_stage(draft: Playbook, name: str, entry_type: str, exit_type: str) -> Stage:
    _require_draft(draft)
    if not (name.strip() and entry_type.strip() and exit_type.strip()):
        raise PlaybookError("A stage needs a name, an entry type and an exit type.")
    taken = set(draft.stages.values_list("key", flat=True))
    return Stage.objects.create(
        playbook=draft,
        key=_unique_key(exit_type if exit_type not in taken else name, taken, "stage"),
        name=name.strip(),
        order=_next_order(draft.stages),
        entry_type=slugify(entry_type),
        exit_type=slugify(exit_type),
    )


def add_behavior(stage: Stage, name: str) -> Behavior:
    _require_draft(stage)
    if not name.strip():
        raise PlaybookError("Name the behavior.")
    taken = set(stage.behaviors.values_list("key", flat=True))
    return Behavior.objects.create(
        stage=stage,
        key=_unique_key(name, taken, "behavior"),
        name=" ".join(name.split()),
        order=_next_order(stage.behaviors),
    )


def add_way(behavior: Behavior, text: str, author: Person | None = None) -> Way:
    """A leader adds an approved way to a draft behavior."""
    _require_draft(behavior)
    if not text.strip():
        raise PlaybookError("Write the way in a sentence.")
    taken = set(behavior.ways.values_list("key", flat=True))
    return Way.objects.create(
        behavior=behavior,
        key=_unique_key(text, taken, "way"),
        text=" ".join(text.split()),
        order=_next_order(behavior.ways),
        author=author,
    )


def add_question(behavior: Behavior, text: str) -> DiagnosticQuestion:
    _require_draft(behavior)
    if not text.strip():
        raise PlaybookError("Write the question.")
    return DiagnosticQuestion.objects.create(
        behavior=behavior, text=" ".join(text.split()), order=_next_order(behavior.questions)
    )


def rename_playbook(draft: Playbook, name: str) -> Playbook:
    _require_draft(draft)
    if not name.strip():
        raise PlaybookError("Name the playbook.")
    draft.name = name.strip()
    draft.save(update_fields=["name"])
    return draft


def import_playbook(org: Org, spec: PlaybookSpec, *, publish: bool = True) -> Playbook:
    """Store an imported playbook as the org's next version (replacing an open draft)."""
    draft = current_draft(org)
    if draft is not None:
        draft.delete()
    return install_playbook(org, spec, publish=publish)
