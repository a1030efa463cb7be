"""The IAM action and resources of calls to services iamtwin does not emulate (table in test_other_services_cases.yaml).

Each case's request is serialized by botocore exactly as boto3 sends it, then identified and
derived by iamtwin: the catalogue's action for the operation, the resources from the operation's
identifying parameters and the catalogue's ARN formats, `*` where the action has no resource type.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import botocore.session
import pytest
import yaml
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.serialize import create_serializer

from iamtwin.api import other_services

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "test_other_services_cases.yaml").read_text())
ACCOUNT = "123456789012"


def _wire(service: str, operation: str, params: dict[str, Any]) -> tuple[Any, str, str, str, dict[str, str], bytes]:
    model = botocore.session.get_session().get_service_model(service)
    request = create_serializer(model.protocol).serialize_to_request(params, model.operation_model(operation))
    prepare_request_dict(request, endpoint_url="http://127.0.0.1:8777")
    prepared = create_request_object(request).prepare()
    url = urlsplit(prepared.url)
    body = prepared.body or b""
    headers = {k.lower(): v for k, v in prepared.headers.items()}
    return (
        model,
        prepared.method,
        unquote(url.path),
        url.query,
        headers,
        body.encode() if isinstance(body, str) else body,
    )


def test_cases_cover_many_services() -> None:
    """At least 20 operations across 8 services, each citing an AWS page."""
    assert len({(c["service"], c["operation"]) for c in CASES}) >= 20
    assert len({c["service"] for c in CASES}) >= 8
    assert all(c["doc"].startswith("https://docs.aws.amazon.com/") for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_action_and_resources(case: dict[str, Any]) -> None:
    """The operation is identified, then authorized as the case's action on the case's resources."""
    model, method, path, query, headers, body = _wire(case["service"], case["operation"], case["params"])
    operation = other_services.identify(model, method, path, query, headers, body)
    assert operation == case["operation"]
    params = other_services.parameters(model, operation, path, query, headers, body)
    action, resources = other_services.action_and_resources(
        model, operation, params, case.get("region", "us-east-1"), ACCOUNT
    )
    assert action == case["action"]
    assert list(resources) == case["resources"]


def test_operation_the_reference_does_not_list_keeps_its_name_on_star() -> None:
    """An operation without a catalogue action is authorized as `service:Operation` on `*`."""
    model = botocore.session.get_session().get_service_model("dynamodb")
    assert other_services.action_and_resources(model, "DescribeEndpoints", {}, "us-east-1", ACCOUNT) == (
        "dynamodb:DescribeEndpoints",
        ("*",),
    )


def test_model_for_signing_names() -> None:
    """CloudWatch signs as `monitoring`; unknown signing names have no model."""
    model = other_services.model_for("monitoring")
    assert model is not None and model.service_name == "cloudwatch"
    assert other_services.model_for("no-such-service") is None


def test_cbor_error_body_reads_as_botocore_reads_it() -> None:
    """Over Smithy RPC v2 CBOR the error is a CBOR map botocore parses, with the Query code kept in its header.

    https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html
    """
    from botocore.parsers import RpcV2CBORParser

    model = other_services.model_for("monitoring")
    assert model is not None
    response = other_services._error(model, "smithy-rpc-v2-cbor", 403, "AccessDeniedException", "no " * 20, "rid")
    parsed = RpcV2CBORParser().parse(
        {
            "status_code": response.status_code,
            "headers": {k.lower(): v for k, v in response.headers.items()},
            "body": bytes(response.body),
        },
        None,
    )
    assert parsed["Error"]["Code"] == "AccessDenied"  # CloudWatch is awsQueryCompatible
    assert parsed["Error"]["Message"] == "no " * 20
    assert response.headers["smithy-protocol"] == "rpc-v2-cbor"


def test_wire_protocol_follows_the_request() -> None:
    """A service offering several protocols is answered in the one the request speaks."""
    model = other_services.model_for("monitoring")
    assert model is not None
    assert other_services.wire_protocol(model, "/", {"x-amz-target": "GraniteServiceVersion20100801.DeleteAlarms"}) == (
        "json"
    )
    cbor_path = "/service/GraniteServiceVersion20100801/operation/DeleteAlarms"
    assert other_services.wire_protocol(model, cbor_path, {}) == "smithy-rpc-v2-cbor"
    assert other_services.wire_protocol(model, "/", {"content-type": "application/x-www-form-urlencoded"}) == "query"
