from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "ninety.activity"
    label = "activity"
    verbose_name = "Activity, deals and quotas"
