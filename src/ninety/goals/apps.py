from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class GoalsConfig(AppConfig):
    name = "ninety.goals"
    label = "goals"
    verbose_name = "Behavior goals and scorecards"

    def ready(self) -> None:
        # Apps above this one (coaching) provide metrics through a ``goal_sources`` module that
        # registers itself here, so goals never import them (like the admin's autodiscovery).
        autodiscover_modules("goal_sources")
