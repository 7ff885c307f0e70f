from django.apps import AppConfig


class ExperimentsConfig(AppConfig):
    name = "ninety.experiments"
    label = "experiments"
    verbose_name = "Behavior experiments"
