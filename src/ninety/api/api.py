"""The REST API root: ``/api/``, with the OpenAPI schema at ``/api/openapi.json``."""

from __future__ import annotations

from ninja import NinjaAPI

from ninety.api.auth import API_AUTH
from ninety.coaching.api import router as coaching_router
from ninety.delegation.api import router as delegation_router
from ninety.diagnosis.api import router as diagnosis_router
from ninety.experiments.api import router as experiments_router
from ninety.ingest.api import router as ingest_router
from ninety.people.api import router as people_router
from ninety.playbook.api import router as playbook_router

api = NinjaAPI(
    title="Ninety API",
    version="1",
    description=(
        "Coach the 90%: people, teams, playbook, activities and diagnosis. Authenticate with a "
        "personal access token (`Authorization: Bearer nty_…`, created on your Tokens page) or a "
        "browser session. Every endpoint shows only what the caller may see."
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
api.add_router("/", coaching_router)
api.add_router("/", ingest_router)
