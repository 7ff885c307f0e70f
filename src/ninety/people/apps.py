from django.apps import AppConfig

# Connects the sign-in receiver (signing in counts as session activity); imports no model.
from ninety.people import sessions  # noqa: F401


class PeopleConfig(AppConfig):
    name = "ninety.people"
    label = "people"
    verbose_name = "People"
