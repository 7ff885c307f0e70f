"""The ``ninety`` command: Django's management commands under Ninety's own name.

``ninety demo``, ``ninety serve``, ``ninety migrate``, ``ninety createadmin``, ``ninety simulate`` …
all work on the database that ``NINETY_DATABASE_URL`` names (SQLite path or PostgreSQL URL).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ninety.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        execute_from_command_line(["ninety", *args])
    except ImproperlyConfigured as exc:
        from django.conf import settings

        if settings.configured:
            # The settings loaded: a command's own error (Django says ImproperlyConfigured of
            # a circular import in a urls module too), whose traceback names the cause.
            raise
        sys.exit(f"ninety: {exc}")  # a bad NINETY_* setting: its message, no traceback


if __name__ == "__main__":
    main()
