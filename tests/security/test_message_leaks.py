"""What a refusal says: never the owner of a record the caller may not see, never the name an
upload has on disk, never thousands of column names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ninety.activity.models import Activity
from ninety.api.services import create_token
from ninety.conversations.models import Conversation
from ninety.conversations.services import CallFile, import_call
from ninety.core.conversations.detect import LexicalEmbedder
from ninety.ingest.models import ImportBatch
from tests.conftest import World
from tests.conversations.helpers import SAM_CALL, WHEN
from tests.playbook.matrix_helpers import acme_playbook

GRACE_CALL = SAM_CALL.replace("Sam", "Grace")


def _post_call(client: Any, who: Any, **body: Any) -> Any:
    _, token = create_token(who, "calls")
    return client.post(
        "/api/conversations", json.dumps({"file_name": "call.vtt", "text": SAM_CALL, **body}),
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


@pytest.fixture
def graces_activity(world: World) -> Activity:
    acme_playbook(world)
    return Activity.objects.create(
        org=world.org, person=world.other_rep, occurred_at=WHEN, type="connect",
        external_id="crm-grace-1", source="salesforce",
    )  # fmt: skip


def test_another_teams_activity_is_answered_as_an_unknown_id(
    world: World, client, graces_activity: Activity
) -> None:
    theirs = _post_call(client, world.leader, activity="crm-grace-1")
    unknown = _post_call(client, world.leader, activity="crm-no-such")
    assert theirs.status_code == unknown.status_code == 422
    assert theirs.json()["detail"] == unknown.json()["detail"]
    assert "Grace" not in theirs.content.decode()
    assert not Conversation.objects.exists()


def test_with_a_rep_named_it_imports_as_for_an_unknown_id(
    world: World, client, graces_activity: Activity
) -> None:
    made = _post_call(client, world.leader, activity="crm-grace-1", person=world.rep.pk,
                      occurred_at=WHEN.isoformat())  # fmt: skip
    assert made.status_code == 201, made.content
    conv = Conversation.objects.get()
    assert conv.person_id == world.rep.pk and conv.activity_id != graces_activity.pk
    assert not hasattr(Activity.objects.get(pk=graces_activity.pk), "conversation")


def test_a_transcript_id_taken_by_another_team_names_nobody(
    world: World, client, graces_activity: Activity
) -> None:
    import_call(world.other_leader, CallFile("g.vtt", GRACE_CALL, rep=world.other_rep,
                occurred_at=WHEN, activity_external_id="t-1"), LexicalEmbedder())  # fmt: skip
    response = _post_call(client, world.leader, activity="t-1", person=world.rep.pk,
                          occurred_at=WHEN.isoformat())  # fmt: skip
    assert response.status_code == 422
    assert response.json()["detail"] == "call.vtt: the activity id 't-1' is taken; give another"
    assert Conversation.objects.count() == 1


def _upload(client: Any, path: Path, **extra: str) -> Any:
    with path.open("rb") as f:
        return client.post("/import/", {"kind": "activities", "file": f, **extra})


@pytest.fixture
def imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NINETY_IMPORTS_DIR", str(tmp_path / "imports"))
    return tmp_path


GOOD = "external_id,person,occurred_at,type\nx1,Sam,2026-10-01 09:00,dial\n"
SEMICOLONS = "delimiter: ';'\n"  # read so, the file has one column: the import step refuses it


def test_import_errors_name_the_users_file(world: World, client_for, imports: Path) -> None:
    path = imports / "October calls.csv"
    path.write_text("external_id,person,type\nx1,Sam,dial\n")
    response = _upload(client_for(world.admin), path, step="import", preset="ninety")
    body = response.content.decode()
    assert response.status_code == 400
    assert "October calls.csv: missing column(s) for occurred_at" in body
    assert f"{world.org.pk}-{world.admin.pk}-" not in body  # the upload's name on disk
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("name", ["October calls.csv", None])
def test_the_import_step_after_a_preview_names_the_users_file(
    world: World, client_for, imports: Path, name: str | None
) -> None:
    path = imports / "October calls.csv"
    path.write_text(GOOD)
    client = client_for(world.admin)
    token = _upload(client, path, step="preview").context["token"]
    form = {"kind": "activities", "token": token, "step": "import", "mapping": SEMICOLONS}
    response = client.post("/import/", form | ({"name": name} if name else {}))
    body = response.content.decode()
    assert response.status_code == 400 and token not in body
    assert f"{name or 'the uploaded file'}: missing column(s)" in body
    assert not ImportBatch.objects.exists()


def test_thousands_of_columns_are_listed_as_twenty_and_a_count(
    world: World, client_for, imports: Path
) -> None:
    names = [f"c{i}" for i in range(10_000)]  # the header row fits the 64 KiB first read
    path = imports / "wide.csv"
    path.write_text(",".join(names) + "\n" + ",".join("x" for _ in names) + "\n")
    client = client_for(world.admin)
    response = _upload(client, path, step="import", preset="ninety")
    body = response.content.decode()
    assert response.status_code == 400
    assert "the file has c0, c1, c2," in body and "c19 … and 9,980 more." in body
    assert "c20," not in body and len(response.content) < 10_000
    preview = _upload(client, path, step="preview")
    page = preview.content.decode()
    assert preview.status_code == 200 and "10000 columns" in page
    assert "… and 9950 more columns, not shown." in page
    assert '<th scope="col">c49</th>' in page and ">c50<" not in page
    assert len(preview.content) < 100_000


def test_a_mapping_naming_a_missing_column_lists_twenty(world: World, client_for, imports: Path):  # type: ignore[no-untyped-def]
    names = [f"c{i}" for i in range(100)]
    path = imports / "wide.csv"
    path.write_text(",".join(names) + "\n" + ",".join("x" for _ in names) + "\n")
    mapping = "columns:\n  external_id: nope\n"
    response = _upload(client_for(world.admin), path, step="import", mapping=mapping)
    body = response.content.decode()
    assert response.status_code == 400
    assert "its columns are: c0, c1," in body and "c19 … and 80 more" in body


def test_a_header_row_over_64_kib_is_refused_not_cut(
    world: World, client_for, imports: Path
) -> None:
    names = [f"column{i}" for i in range(32_768)]
    path = imports / "huge.csv"
    path.write_text(",".join(names) + "\n" + ",".join("x" for _ in names) + "\n")
    response = _upload(client_for(world.admin), path, step="preview")
    assert response.status_code == 400 and len(response.content) < 10_000
    assert "huge.csv: the first line is over 64 KiB long" in response.content.decode()
