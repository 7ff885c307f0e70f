from django.apps import AppConfig


class DelegationConfig(AppConfig):
    name = "ninety.delegation"
    label = "delegation"
    verbose_name = "Delegation and attention"
