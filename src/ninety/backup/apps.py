from django.apps import AppConfig


class BackupConfig(AppConfig):
    name = "ninety.backup"
    label = "backup"
    verbose_name = "Backup and restore of one org"
