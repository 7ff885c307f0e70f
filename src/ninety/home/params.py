"""Query parameters the home pages share: the result period and the day to read it as of."""

from __future__ import annotations

from datetime import date

from django.http import Http404, HttpRequest

from ninety.core.periods import Period, parse_day
from ninety.diagnosis.services import default_as_of


def period_and_as_of(request: HttpRequest) -> tuple[Period, date]:
    try:
        as_of = parse_day(request.GET["as_of"]) if "as_of" in request.GET else None
    except ValueError as exc:
        raise Http404("as_of: expected YYYY-MM-DD") from exc
    as_of = as_of or default_as_of()
    try:
        period = Period.parse(request.GET["period"], as_of) if "period" in request.GET else None
    except ValueError as exc:
        raise Http404(str(exc)) from exc
    return period or Period.of(as_of), as_of
