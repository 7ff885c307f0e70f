"""The REST API root: ``/api/``, with the OpenAPI schema at ``/api/openapi.json``.

Every operation documents the error statuses the API may answer (a test runs schemathesis
against this schema and fails on an undocumented status or a server error): 401 without a live
token or session, 403 when the caller may see but not change, 404 when the object is not there
or not visible to the caller, 422 when a parameter or body does not validate or is out of range
(dates, periods, weeks, ids), 413 for a body over the size limit, 429 when rate-limited, 503
when the database cannot take the request or it ran out of time.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from ninety.api.auth import API_AUTH
from ninety.coaching.api import router as coaching_router
from ninety.conversations.api import router as conversations_router
from ninety.delegation.api import router as delegation_router
from ninety.diagnosis.api import router as diagnosis_router
from ninety.experiments.api import router as experiments_router
from ninety.goals.api import router as goals_router
from ninety.ingest.api import router as ingest_router
from ninety.people.api import router as people_router
from ninety.people.inputs import OutOfRange
from ninety.people.reliability import DB_ERRORS, RequestTimedOut, unavailable_reason
from ninety.playbook.api import router as playbook_router

ERRORS: dict[str, str] = {
    "401": "No live token or session: sign in, or send `Authorization: Bearer nty_…`.",
    "403": "You may see this but not do that.",
    "404": "Not there, or not visible to you.",
    "422": "A parameter or the body does not validate, or is out of range.",
    "429": "Too many requests: slow down.",
    "503": "The database cannot take the request now, or it ran out of time.",
}
BODY_ERRORS: dict[str, str] = {
    "400": "The body cannot be read (bad CSV, YAML or JSON lines).",
    "409": "It conflicts with the current state.",
    "413": "The body is over the size limit.",
}


class NinetyAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for path, operations in schema["paths"].items():
            if path.endswith(("/openapi.json", "/docs")):
                continue
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                writes = method.lower() in ("post", "put", "patch")
                extra = ERRORS | (BODY_ERRORS if writes else {})
                for status, text in extra.items():
                    responses.setdefault(status, {"description": text})
        return schema


api = NinetyAPI(
    title="Ninety API",
    version="1",
    description=(
        "Coach the 90%: people, teams, playbook, activities and diagnosis. Authenticate with a "
        "personal access token (`Authorization: Bearer nty_…`, created on your Tokens page) or a "
        "browser session. Every endpoint shows only what the caller may see. Dates are between "
        "2000-01-01 and 2100-12-31; anything outside is a 422."
    ),
    auth=API_AUTH,
    openapi_url="/openapi.json",
    docs_url="/docs",
    urls_namespace="api",
)
api.add_router("/", people_router)
api.add_router("/", diagnosis_router)
api.add_router("/", playbook_router)
api.add_router("/", delegation_router)
api.add_router("/", experiments_router)
api.add_router("/", goals_router)
api.add_router("/", coaching_router)
api.add_router("/", ingest_router)
api.add_router("/", conversations_router)


@api.exception_handler(OutOfRange)
def _out_of_range(request: HttpRequest, exc: OutOfRange) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=422)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    # SQLite raises OverflowError and PostgreSQL DataError for a number no column can hold.
    return api.create_response(request, {"detail": "a number is out of range"}, status=422)


@api.exception_handler(RequestDataTooBig)
def _body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, {"detail": "the body is over the size limit"}, status=413)


def _unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, DB_ERRORS) and unavailable_reason(exc) is None:
        raise exc
    reason = (
        "the request ran out of time"
        if isinstance(exc, RequestTimedOut)
        else (unavailable_reason(exc))
    )
    return api.create_response(request, {"detail": reason}, status=503)


for _error in (RequestTimedOut, *DB_ERRORS):
    api.add_exception_handler(_error, _unavailable)
