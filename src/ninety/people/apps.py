from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ninety.people"
    label = "people"
    verbose_name = "People"
