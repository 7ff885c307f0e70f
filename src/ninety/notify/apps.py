from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "ninety.notify"
    label = "notify"
    verbose_name = "Notifications and calendar feeds"
