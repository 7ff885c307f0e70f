from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def cache_table(app_config: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """``ninety migrate`` also creates the report cache's table when it lives in the database
    (once, after the app holding the data versions its keys are made of)."""
    from django.conf import settings
    from django.core.management import call_command

    if app_config.name != "ninety.activity":
        return
    if any(c["BACKEND"].endswith("DatabaseCache") for c in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)


class DiagnosisConfig(AppConfig):
    name = "ninety.diagnosis"
    label = "diagnosis"
    verbose_name = "Diagnosis and pace"

    def ready(self) -> None:
        # Django sends post_migrate only for apps with models; this one has none.
        post_migrate.connect(cache_table, dispatch_uid="ninety-report-cache-table")
