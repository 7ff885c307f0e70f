"""What imports tell people: a background import (the page, the API) finished or failed, to
whoever started it."""

from __future__ import annotations

from django.urls import reverse

from ninety.ingest.models import ImportBatch
from ninety.notify.models import Kind
from ninety.notify.services import Message, notify


def import_ended(batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("created_by").filter(pk=batch_id).first()
    if batch is None or batch.created_by is None or batch.active:
        return
    failed = batch.status in (ImportBatch.Status.FAILED, ImportBatch.Status.INTERRUPTED)
    if failed:
        title = f"Import of {batch.file_name} failed"
        body = batch.message[:300]
    else:
        title = f"Import of {batch.file_name}: {batch.get_status_display().lower()}"
        body = f"{batch.imported} imported, {batch.updated} updated, {batch.rejected} rejected."
    notify(
        Kind.IMPORT_FAILED if failed else Kind.IMPORT_FINISHED, [batch.created_by],
        org_id=batch.org_id, key=f"import_ended:{batch.pk}",
        message=Message(title, body, reverse("import-batch", kwargs={"batch_id": batch.pk})),
    )  # fmt: skip
