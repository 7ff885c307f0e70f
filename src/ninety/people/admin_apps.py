"""The Django admin's app config, pointing it at the operators-only site (models load later)."""

from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    default_site = "ninety.people.admin_site.OperatorAdminSite"
