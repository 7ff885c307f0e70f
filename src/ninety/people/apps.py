from importlib import import_module

from django.apps import AppConfig

# Connects the sign-in receiver (signing in counts as session activity); imports no model.
from ninety.people import sessions  # noqa: F401


class PeopleConfig(AppConfig):
    name = "ninety.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        # The app's signal receivers (a saved or deleted person or team moves the org's data
        # version): connected once the models are ready, as Django's docs have it.
        import_module(f"{self.name}.signals")
