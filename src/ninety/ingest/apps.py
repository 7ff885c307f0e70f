from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ninety.ingest"
    label = "ingest"
    verbose_name = "Imports"
