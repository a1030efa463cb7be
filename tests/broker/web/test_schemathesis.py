"""Schemathesis against /api/v1/openapi.json: no server error, every answer as the document says.

For each operation, Schemathesis generates calls that follow the schema (positive) and that break
it (negative), sent with alice's or bob's ID token (from the real provider) or none. Every response
must be a documented status and content type with a body matching its schema, never a 5xx. The run
is derandomized and bounded in examples.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import WebBroker, id_token

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 25


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_no_server_error_and_answers_follow_the_document(web: WebBroker, mode: GenerationMode) -> None:
    """Generated calls of every operation: documented, schema-valid answers only."""
    document = web.client().get("/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 12  # every route but the document itself
    tokens = {who: {"Authorization": f"Bearer {id_token(web, who)}"} for who in ("alice", "bob")}
    statuses: dict[int, int] = {}

    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode), who=st.sampled_from(["alice", "bob", "alice", None]))
        def check(case: Any, who: str | None) -> None:
            headers = tokens[who] if who else {}
            response = case.call(base_url=web.url, headers=headers, timeout=30)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            case.validate_response(response, checks=CHECKS, headers=headers)

        check()
    assert 401 in statuses and 200 in statuses
