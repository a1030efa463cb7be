"""The JSON 1.1 codec against botocore's own serializer and parser, over Organizations' operations.

AWS behaviour: https://docs.aws.amazon.com/organizations/latest/APIReference/CommonErrors.html and
https://docs.aws.amazon.com/organizations/latest/APIReference/API_InvalidInputException.html
(constraint failures are InvalidInputException with a Reason such as INPUT_REQUIRED or
INVALID_PATTERN); the JSON 1.1 wire format (operation in `X-Amz-Target`, timestamps as epoch
seconds, errors with `__type`) is the one botocore's `json` protocol reads and writes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from iamtwin.api.json_protocol import (
    JsonError,
    decode_json_request,
    encode_json_error,
    encode_json_response,
    find_json_operation,
)
from iamtwin.api.query_protocol import service_model

MODEL = service_model("organizations")
TARGET = "AWSOrganizationsV20161128"

REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("DescribeOrganization", {}),
    ("CreateOrganization", {"FeatureSet": "ALL"}),
    ("ListRoots", {"MaxResults": 5, "NextToken": "10"}),
    (
        "CreateOrganizationalUnit",
        {"ParentId": "r-ab12", "Name": "Prod", "Tags": [{"Key": "team", "Value": "platform"}]},
    ),
    ("DeleteOrganizationalUnit", {"OrganizationalUnitId": "ou-ab12-abcdefgh"}),
    (
        "CreateAccount",
        {"Email": "prod@example.com", "AccountName": "prod", "RoleName": "Admin", "IamUserAccessToBilling": "DENY"},
    ),
    ("DescribeCreateAccountStatus", {"CreateAccountRequestId": "car-123456789012abcdefgh"}),
    (
        "MoveAccount",
        {"AccountId": "123456789012", "SourceParentId": "r-ab12", "DestinationParentId": "ou-ab12-abcdefgh"},
    ),
    (
        "CreatePolicy",
        {"Content": '{"Version":"2012-10-17"}', "Description": "d", "Name": "n", "Type": "SERVICE_CONTROL_POLICY"},
    ),
    ("UpdatePolicy", {"PolicyId": "p-abcdefgh", "Name": "renamed"}),
    ("ListPolicies", {"Filter": "RESOURCE_CONTROL_POLICY"}),
    ("AttachPolicy", {"PolicyId": "p-FullAWSAccess", "TargetId": "123456789012"}),
    ("ListPoliciesForTarget", {"TargetId": "ou-ab12-abcdefgh", "Filter": "SERVICE_CONTROL_POLICY", "MaxResults": 20}),
    ("EnablePolicyType", {"RootId": "r-ab12", "PolicyType": "RESOURCE_CONTROL_POLICY"}),
]


def _serialized(operation: str, params: dict[str, Any]) -> tuple[str, bytes]:
    request = create_serializer("json").serialize_to_request(params, MODEL.operation_model(operation))
    body = request["body"]
    return request["headers"]["X-Amz-Target"], body if isinstance(body, bytes) else body.encode("utf-8")


def _decoded(operation: str, body: bytes) -> dict[str, Any]:
    return decode_json_request(MODEL.operation_model(operation), body, invalid_input="InvalidInputException")


@pytest.mark.parametrize(("operation", "params"), REQUESTS, ids=[name for name, _ in REQUESTS])
def test_what_botocore_sends_decodes_to_its_parameters(operation: str, params: dict[str, Any]) -> None:
    """botocore's JSON serializer in, the same parameters out, the operation found by its target."""
    target, body = _serialized(operation, params)
    found = find_json_operation(MODEL, target)
    assert found.name == operation
    assert decode_json_request(found, body, invalid_input="InvalidInputException") == params


RESULTS: list[tuple[str, dict[str, Any]]] = [
    (
        "DescribeOrganization",
        {
            "Organization": {
                "Id": "o-abcdefghij",
                "Arn": "arn:aws:organizations::123456789012:organization/o-abcdefghij",
                "FeatureSet": "ALL",
                "MasterAccountId": "123456789012",
                "AvailablePolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
            }
        },
    ),
    (
        "CreateAccount",
        {
            "CreateAccountStatus": {
                "Id": "car-123456789012abcdefgh",
                "State": "SUCCEEDED",
                "RequestedTimestamp": datetime(2026, 11, 23, 13, 0, 0, tzinfo=UTC),
                "CompletedTimestamp": datetime(2026, 11, 23, 13, 0, 1, 250000, tzinfo=UTC),
                "AccountId": "123456789012",
            }
        },
    ),
    (
        "ListPolicies",
        {
            "Policies": [
                {
                    "Id": "p-FullAWSAccess",
                    "Arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
                    "Name": "FullAWSAccess",
                    "Description": "Allows access to every operation",
                    "Type": "SERVICE_CONTROL_POLICY",
                    "AwsManaged": True,
                }
            ],
            "NextToken": "1",
        },
    ),
    ("ListRoots", {"Roots": []}),
]


def _parsed(operation: str, body: bytes, status: int = 200) -> dict[str, Any]:
    response = {"body": body, "headers": {}, "status_code": status}
    result: dict[str, Any] = create_parser("json").parse(response, MODEL.operation_model(operation).output_shape)
    result.pop("ResponseMetadata", None)
    return result


@pytest.mark.parametrize(("operation", "result"), RESULTS, ids=[name for name, _ in RESULTS])
def test_what_the_server_answers_botocore_parses_back(operation: str, result: dict[str, Any]) -> None:
    """encode_json_response out, botocore's JSON parser in: the same result, timestamps included."""
    assert _parsed(operation, encode_json_response(MODEL.operation_model(operation), result)) == result


def test_timestamps_are_epoch_seconds_and_operations_without_output_answer_empty() -> None:
    """JSON 1.1 writes timestamps as numbers; DeleteOrganizationalUnit answers `{}`."""
    body = encode_json_response(MODEL.operation_model("CreateAccount"), RESULTS[1][1])
    status = json.loads(body)["CreateAccountStatus"]
    assert status["RequestedTimestamp"] == 1795438800  # 2026-11-23T13:00:00Z
    assert status["CompletedTimestamp"] == 1795438801.25
    assert encode_json_response(MODEL.operation_model("DeleteOrganizationalUnit"), {}) == b"{}"


def test_errors_parse_with_their_code_message_and_reason() -> None:
    """`__type` becomes the error code botocore raises; Message and Reason travel with it."""
    body = encode_json_error("ConstraintViolationException", "no", reason="MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    parsed = _parsed("DetachPolicy", body, 400)
    assert parsed["Error"] == {"Code": "ConstraintViolationException", "Message": "no"}
    assert json.loads(body)["Reason"] == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"


@pytest.mark.parametrize(
    ("operation", "body", "reason"),
    [
        ("CreateOrganizationalUnit", {"Name": "x"}, "INPUT_REQUIRED"),
        ("CreateOrganizationalUnit", {"ParentId": "nowhere", "Name": "x"}, "INVALID_PATTERN"),
        ("CreateOrganizationalUnit", {"ParentId": "r-ab12", "Name": ""}, "MIN_LENGTH_EXCEEDED"),
        ("CreateOrganizationalUnit", {"ParentId": "r-ab12", "Name": "x" * 129}, "MAX_LENGTH_EXCEEDED"),
        ("ListRoots", {"MaxResults": 21}, "MAX_VALUE_EXCEEDED"),
        ("ListRoots", {"MaxResults": 0}, "MIN_VALUE_EXCEEDED"),
        ("ListPolicies", {"Filter": "EVERYTHING"}, "INVALID_ENUM"),
    ],
)
def test_constraint_failures_are_invalid_input_with_a_reason(operation: str, body: dict[str, Any], reason: str) -> None:
    """Required members, lengths, values, patterns and enums, as Organizations reports them."""
    with pytest.raises(JsonError) as caught:
        _decoded(operation, json.dumps(body).encode())
    assert (caught.value.code, caught.value.reason, caught.value.status) == ("InvalidInputException", reason, 400)


@pytest.mark.parametrize(
    "body",
    [b"[1]", b"{not json", b'{"ParentId": 5, "Name": "x"}', b'{"ParentId": "r-ab12", "Name": "x", "Tags": {}}'],
)
def test_unreadable_bodies_are_serialization_errors(body: bytes) -> None:
    """A body that is not an object, not JSON, or has a value of the wrong type: SerializationException."""
    with pytest.raises(JsonError) as caught:
        _decoded("CreateOrganizationalUnit", body)
    assert caught.value.code == "SerializationException"


def test_unknown_members_are_ignored_and_an_empty_body_is_no_parameters() -> None:
    """Members the model lacks are dropped; an empty body reads as `{}`."""
    assert _decoded("ListRoots", b'{"Surprise": true}') == {}
    assert _decoded("DescribeOrganization", b"") == {}


@pytest.mark.parametrize("target", [f"{TARGET}.Nope", "Other.ListRoots", "ListRoots", ""])
def test_unknown_targets_are_unknown_operations(target: str) -> None:
    """A target outside the service's prefix or operations: UnknownOperationException."""
    with pytest.raises(JsonError) as caught:
        find_json_operation(MODEL, target)
    assert caught.value.code == "UnknownOperationException"


def test_a_result_the_model_cannot_describe_is_an_internal_failure() -> None:
    """A member the output shape lacks, or a value of the wrong type, is our fault: 500, not a silent drop."""
    operation = MODEL.operation_model("ListRoots")
    with pytest.raises(JsonError) as caught:
        encode_json_response(operation, {"Roots": [], "Extra": 1})
    assert (caught.value.code, caught.value.status) == ("InternalFailure", 500)
    with pytest.raises(JsonError) as caught:
        encode_json_response(operation, {"Roots": "r-ab12"})
    assert caught.value.code == "InternalFailure"
