from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _cache_table(using: str = "default", **kwargs: Any) -> None:
    """``ninety migrate`` also creates the report cache's table when it lives in the database."""
    from django.conf import settings
    from django.core.management import call_command

    if any(c["BACKEND"].endswith("DatabaseCache") for c in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)


class DiagnosisConfig(AppConfig):
    name = "ninety.diagnosis"
    label = "diagnosis"
    verbose_name = "Diagnosis and pace"

    def ready(self) -> None:
        post_migrate.connect(_cache_table, sender=self)
