"""Backup and restore (``ninety export`` / ``ninety restore``): every table of an org out and
back exactly, into the same database, beside the original, or into another instance; never a
reference into another org; nothing written from a damaged or tampered backup."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db.models import F, Value
from django.db.models.functions import Concat

from ninety.backup.export import ExportError, export_org
from ninety.backup.restore import RestoreError, restore_org
from ninety.backup.tables import LEFT_OUT, ORG_TABLES, SOFT_REFERENCES, backup_tables
from ninety.coaching.models import PrivateNote
from ninety.coaching.queries import private_note
from ninety.coaching.services import add_commitment, open_meeting, record_recital, save_notes
from ninety.core.simulate import SimConfig, simulate, write_dataset
from ninety.home.audit import org_entries
from ninety.ingest.loader import load_dataset_dir
from ninety.people.models import Org, Person, Team
from ninety.people.permissions import visible_people
from ninety.playbook.models import Behavior
from tests.coaching.conftest import sams_meeting
from tests.conftest import World
from tests.test_permission_lists import _populate

NOTE = "Sam sounded tired — ask about the new territory. 🚩"


@pytest.fixture
def full(world: World, tmp_path: Path) -> World:
    """The personas' world with every kind of row: experiments, a one-on-one opened with a
    recital, a commitment and a private note, delegations, time, grants, the audit log."""
    _populate(world)
    meeting = sams_meeting(world)
    open_meeting(meeting, by=world.leader, as_of=date(2026, 11, 20))
    behavior = Behavior.objects.filter(stage__playbook__org=world.org).first()
    assert behavior is not None
    record_recital(meeting, by=world.leader, behavior=behavior, recited=behavior.ways.all()[:1])
    add_commitment(
        meeting, by=world.leader, kind="behavior_change", text="Open with a local customer"
    )
    save_notes(meeting, by=world.leader, shared="Good call", private=NOTE)
    return world


def _simulated_org(tmp_path: Path) -> None:
    """An org 'sim' with activities, deals, quotas, rollups and import batches."""
    write_dataset(simulate(SimConfig(reps=4, months=1, seed=3)), tmp_path / "sim-data")
    load_dataset_dir(tmp_path / "sim-data", org_name="Sim", slug="sim")


def _files(folder: Path) -> dict[str, str]:
    """Each table file's text (the manifest aside: it carries the export's time)."""
    return {p.name: p.read_text() for p in sorted(folder.iterdir()) if p.name != "manifest.json"}


def _export(slug: str, folder: Path, **kw: Any) -> dict[str, str]:
    export_org(Org.objects.get(slug=slug), folder, **kw)
    return _files(folder)


def _remove(slug: str) -> None:
    """The org gone as a whole: its rows, its logins and its audit log."""
    org = Org.objects.get(slug=slug)
    log = list(org_entries(org).values_list("pk", flat=True))
    users = list(User.objects.filter(person__org=org).values_list("pk", flat=True))
    with disable_auditlog():
        org.delete()
        User.objects.filter(pk__in=users).delete()
    LogEntry.objects.filter(pk__in=log).delete()


@pytest.mark.parametrize("slug", ["acme", "sim"])
def test_a_restore_where_the_org_was_removed_is_exact(
    full: World, tmp_path: Path, slug: str
) -> None:
    _simulated_org(tmp_path)
    before = _export(slug, tmp_path / "out")
    others = {o: _export(o, tmp_path / o) for o in ("acme", "other", "sim") if o != slug}
    assert sum(t.count("\n") for t in before.values()) > 50
    _remove(slug)
    result = restore_org(tmp_path / "out")
    assert result["ids_kept"]
    assert _export(slug, tmp_path / "again") == before
    for o, files in others.items():
        assert _export(o, tmp_path / f"{o}-after") == files


def _ranked(files: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Each table's rows with every id (own, foreign, plain) replaced by its rank in the table it
    names: two backups whose ids moved compare equal only if every reference moved with them."""
    tables = {t.file_name: t for t in backup_tables()}
    rows = {name: [json.loads(x) for x in text.splitlines()] for name, text in files.items()}
    rank = {
        t.label: {r["id"]: i for i, r in enumerate(sorted(rows[n], key=lambda r: r["id"]))}
        for n, t in tables.items()
        if n in rows and not t.is_link
    }
    out = {}
    for name, table_rows in rows.items():
        table = tables[name]
        refs = table.references()
        for r in table_rows:
            for column, target in refs.items():
                r[column] = None if r[column] is None else rank[target][r[column]]
            for (label, column), target_of in SOFT_REFERENCES.items():
                target = target_of(r) if label == table.label else None
                if target in rank and r[column] is not None:
                    r[column] = rank[target].get(int(r[column]), "outside")
                    if column == "object_id":
                        r["object_pk"] = str(r[column])
            if not table.is_link:
                r["id"] = rank[table.label][r["id"]]
        out[name] = sorted(table_rows, key=lambda r: json.dumps(r, sort_keys=True))
    return out


def test_a_copy_beside_the_original_never_crosses_orgs(full: World, tmp_path: Path) -> None:
    before = _export("acme", tmp_path / "out")
    # The original stays with every id in use; only its slug and login names make way.
    Org.objects.filter(slug="acme").update(slug="acme-old")
    User.objects.filter(person__org__slug="acme-old").update(
        username=Concat(F("username"), Value("-old"))
    )
    old = _export("acme-old", tmp_path / "old")
    result = restore_org(tmp_path / "out")
    assert not result["ids_kept"]
    # The copy's export refuses any reference outside it, so it passing shows none crosses.
    copy = _export("acme", tmp_path / "copy")
    assert _ranked(copy) == _ranked(before)
    assert _export("acme-old", tmp_path / "old-after") == old
    new, orig = Org.objects.get(slug="acme"), Org.objects.get(slug="acme-old")
    dana = Person.objects.get(org=new, name="Dana")
    assert set(visible_people(dana).values_list("org_id", flat=True)) == {new.pk}
    assert Team.objects.filter(org=new, leader__org=orig).count() == 0
    assert not set(Person.objects.filter(org=new).values_list("pk", flat=True)) & set(
        Person.objects.filter(org=orig).values_list("pk", flat=True)
    )


def test_private_notes_come_back_for_their_author_only_or_stay_out(
    full: World, tmp_path: Path
) -> None:
    with_notes = _export("acme", tmp_path / "with")
    without = _export("acme", tmp_path / "without", private_notes=False)
    assert NOTE in with_notes["coaching.privatenote.jsonl"]
    assert "coaching.privatenote.jsonl" not in without
    assert not any(NOTE in text for text in without.values())
    assert oct((tmp_path / "with").stat().st_mode & 0o777) == "0o700"
    assert {oct(p.stat().st_mode & 0o777) for p in (tmp_path / "with").iterdir()} == {"0o600"}
    _remove("acme")
    restore_org(tmp_path / "with")
    meeting = sams_meeting(full).__class__.objects.get(org__slug="acme", rep__name="Sam")
    readers = {p.name for p in Person.objects.filter(org__slug="acme") if private_note(meeting, p)}
    assert readers == {"Dana"}
    _remove("acme")
    restore_org(tmp_path / "without")
    assert not PrivateNote.objects.filter(meeting__org__slug="acme").exists()


def _tamper(folder: Path, file: str, change: Callable[[list[dict[str, Any]]], None]) -> None:
    """Change a file's rows and (as a forger would) its manifest entry to match."""
    path = folder / file
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    change(rows)
    text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in rows)
    path.write_text(text)
    manifest = json.loads((folder / "manifest.json").read_text())
    for entry in manifest["tables"]:
        if entry["file"] == file:
            entry["sha256"] = hashlib.sha256(text.encode()).hexdigest()
            entry["rows"] = len(rows)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label, _ in ORG_TABLES}


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("another org's person", "people.team.jsonl line 1 column leader_id: people.Person"),
        ("a bad date", "people.person.jsonl line 2 column hired_on: '2026-13-45' is not"),
        ("an edited file", "people.person.jsonl: changed or damaged"),
        ("a newer schema", "written by a newer Ninety (people 9999_future"),
        ("an unknown column", "people.person.jsonl line 1: no column 'salary'"),
        ("a taken login", "the login 'dana' is taken here"),
    ],
)
def test_a_damaged_or_forged_backup_restores_nothing(
    full: World, tmp_path: Path, case: str, message: str
) -> None:
    out = tmp_path / "out"
    _export("acme", out)
    _remove("acme")
    if case == "another org's person":
        _tamper(out, "people.team.jsonl", lambda rows: rows[0].update(leader_id=full.outsider.pk))
    elif case == "a bad date":
        _tamper(out, "people.person.jsonl", lambda rows: rows[1].update(hired_on="2026-13-45"))
    elif case == "an edited file":
        with open(out / "people.person.jsonl", "a") as f:
            f.write("{}\n")
    elif case == "a newer schema":
        manifest = json.loads((out / "manifest.json").read_text())
        manifest["schema"]["people"] = "9999_future"
        (out / "manifest.json").write_text(json.dumps(manifest))
    elif case == "an unknown column":
        _tamper(out, "people.person.jsonl", lambda rows: rows[0].update(salary=1))
    else:
        User.objects.create_user("dana")
    counts = _counts()
    with pytest.raises(RestoreError, match=message.replace("(", r"\(")):
        restore_org(out)
    assert _counts() == counts
    assert not Org.objects.filter(slug="acme").exists()


def test_an_export_refuses_a_reference_into_another_org(full: World, tmp_path: Path) -> None:
    Team.objects.filter(pk=full.crew.pk).update(leader=full.outsider)
    with pytest.raises(
        ExportError,
        match=r"people.Team row .* \(leader_id=.*\): refers to a people.Person outside this org",
    ):
        export_org(full.org, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []


def test_every_model_is_in_the_backup_or_left_out_on_purpose() -> None:
    listed = {t.label for t in backup_tables()} | set(LEFT_OUT)
    models = {m._meta.label for m in apps.get_models(include_auto_created=True)}
    # Link tables of models not in a backup go with them (auth's groups and permissions).
    models -= {"auth.Group_permissions", "auth.User_groups", "auth.User_user_permissions"}
    assert models == listed


def _ninety(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, NINETY_DATABASE_URL=f"sqlite:///{db}", NINETY_DATA_DIR=str(db.parent))
    return subprocess.run(
        [sys.executable, "-m", "ninety", *args], env=env, capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip


def test_the_commands_carry_an_org_into_another_instance_exactly(
    full: World, tmp_path: Path
) -> None:
    # The suite's database (SQLite, or PostgreSQL under make test) to a fresh SQLite instance.
    call_command("export", str(tmp_path / "out"), "--org", "acme")
    before = _files(tmp_path / "out")
    db = tmp_path / "instance" / "ninety.sqlite3"
    db.parent.mkdir()
    assert _ninety(db, "migrate", "-v", "0").returncode == 0
    restored = _ninety(db, "restore", str(tmp_path / "out"))
    assert restored.returncode == 0, restored.stderr
    assert "ids kept" in restored.stdout
    again = _ninety(db, "export", str(tmp_path / "again"), "--org", "acme")
    assert again.returncode == 0, again.stderr
    assert _files(tmp_path / "again") == before
    twice = _ninety(db, "restore", str(tmp_path / "out"))
    assert twice.returncode != 0
    assert "nothing restored: an org 'acme' exists here" in twice.stderr
