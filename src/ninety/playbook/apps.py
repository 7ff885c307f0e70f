from django.apps import AppConfig


class PlaybookConfig(AppConfig):
    name = "ninety.playbook"
    label = "playbook"
    verbose_name = "Playbook"
