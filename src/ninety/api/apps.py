from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "ninety.api"
    label = "api"
    verbose_name = "API"
