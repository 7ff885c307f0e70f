from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "ninety.diagnosis"
    label = "diagnosis"
    verbose_name = "Diagnosis and pace"
