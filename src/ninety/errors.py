"""The 404 page: says why when the code gave a reason a person can use (Django renders
403.html and 500.html itself); and the one-line log of a 403."""

from __future__ import annotations

import logging
import re

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.template import loader

# get_object_or_404's own message names a model ("No OneOnOne matches the given query."):
# not a reason a person can use, so the page gives its general one instead.
_MODEL_MESSAGE = re.compile(r"^No \w+ matches the given query\.?$")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    first = exception.args[0] if exception is not None and exception.args else ""
    # An unknown address raises with a dict of the patterns tried: no reason to show.
    reason = first if isinstance(first, str) and not _MODEL_MESSAGE.match(first) else ""
    return HttpResponseNotFound(loader.render_to_string("404.html", {"reason": reason}, request))


class ShortForbidden(logging.Filter):
    """On ``django.request``: a 403 is a person reaching past their role, an expected answer, not
    a fault; its line stays (who hit what) and loses the traceback Django attaches to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
