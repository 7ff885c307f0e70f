"""WSGI entry point: ``gunicorn ninety.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ninety.settings")
application = get_wsgi_application()
# Load the URL conf, and with it every view, the analytics, SciPy and pyarrow, while the worker
# boots: Django would do it inside the first request, whose time limit (NINETY_REQUEST_SECONDS)
# it ate on a busy machine (the load test's first requests timed out) — a cold worker's first
# request now costs what any other does.
get_resolver().url_patterns  # noqa: B018
