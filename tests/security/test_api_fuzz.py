"""Schemathesis against the API's own OpenAPI schema: no server errors, every status documented.

Every operation is called with generated path, query and body values (in and out of the schema)
by a leader's token, in the small permission world. ``NINETY_FUZZ_EXAMPLES`` sets the examples
per operation (CI: the default, small).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from ninety.api.api import api
from ninety.api.services import create_token
from tests.conftest import World

EXAMPLES = int(os.environ.get("NINETY_FUZZ_EXAMPLES", "12"))

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()


@pytest.fixture
def leader_token(world: World) -> Iterator[str]:
    # Like Django's test client: the WSGI app must not close the test's connection (and its
    # transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield create_token(world.leader, "fuzz")[1]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_has_no_server_errors_and_documents_its_statuses(case, leader_token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {leader_token}"},
        checks=[not_a_server_error, status_code_conformance],
    )
