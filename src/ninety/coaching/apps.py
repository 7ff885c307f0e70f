from importlib import import_module

from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "ninety.coaching"
    label = "coaching"
    verbose_name = "One-on-ones"

    def ready(self) -> None:
        # A roster change ends the one-on-ones a leader can no longer run.
        import_module(f"{self.name}.signals")
