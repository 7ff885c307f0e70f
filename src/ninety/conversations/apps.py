from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "ninety.conversations"
    default_auto_field = "django.db.models.BigAutoField"
