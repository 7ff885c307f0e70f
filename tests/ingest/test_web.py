"""The import page: upload, preview with the suggested mapping, import, summary, rejects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ninety.activity.models import Activity
from ninety.ingest.models import ImportBatch
from tests.conftest import World


@pytest.mark.django_db
def test_a_leader_previews_then_imports_a_hubspot_export(
    acme: World, client_for: Any, data: Path
) -> None:
    client = client_for(acme.admin)
    upload = SimpleUploadedFile("calls.csv", (data / "hubspot_calls.csv").read_bytes())
    page = client.post("/import/", {"kind": "activities", "step": "preview", "file": upload})
    assert page.status_code == 200
    html = page.content.decode()
    assert "hubspot-calls" in html and "Activity assigned to" in html and "29831201" in html
    assert not Activity.objects.exists()
    ctx = page.context
    done = client.post(
        "/import/",
        {
            "kind": "activities",
            "step": "import",
            "token": ctx["token"],
            "name": "calls.csv",
            "mapping": ctx["mapping_yaml"],
        },
    )
    assert done.status_code == 302
    assert Activity.objects.filter(source="hubspot").count() == 4
    summary = client.get(done["Location"])
    assert b'data-testid="imported">4<' in summary.content


@pytest.mark.django_db
def test_a_leader_downloads_the_rejected_rows(acme: World, client_for: Any, data: Path) -> None:
    client = client_for(acme.leader)
    upload = SimpleUploadedFile("bad.csv", (data / "malformed_activities.csv").read_bytes())
    done = client.post("/import/", {"kind": "activities", "step": "import", "file": upload})
    batch = ImportBatch.objects.get()
    assert done["Location"] == f"/import/{batch.pk}/"
    assert (batch.imported, batch.rejected) == (2, 8)
    csv_response = client.get(f"/import/{batch.pk}/rejects.csv")
    body = b"".join(csv_response.streaming_content).decode()
    assert "among the people you lead" in body and "'=HYPERLINK" in body


@pytest.mark.django_db
def test_a_leader_may_not_import_people(acme: World, client_for: Any, data: Path) -> None:
    upload = SimpleUploadedFile("people.csv", (data / "people.csv").read_bytes())
    response = client_for(acme.leader).post(
        "/import/", {"kind": "people", "step": "import", "file": upload}
    )
    assert response.status_code == 403
    assert not ImportBatch.objects.exists()
