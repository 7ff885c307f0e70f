from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "ninety.home"
    label = "home"
    verbose_name = "Home (dashboard and rep page)"
