from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "ninety.coaching"
    label = "coaching"
    verbose_name = "One-on-ones"
