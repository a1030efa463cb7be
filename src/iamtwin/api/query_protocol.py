"""The AWS Query protocol, as IAM and STS speak it, driven by botocore's service models.

The server calls, for each request::

    model = service_model("iam")
    operation = find_operation(model, form["Action"], form.get("Version"))
    params = decode_query_request(operation, form)            # QueryProtocolError on bad input
    body = encode_query_response(operation, result, request_id)
    # or, on any refusal:
    body = encode_query_error(code, message, request_id, sender=..., namespace=model.metadata["xmlNamespace"])

Shapes, member names, constraints and namespaces all come from botocore's models, never from
hand-written shapes: whatever boto3 sends and parses, this codec reads and writes. Reading is in
`query_decode` (with `query_validate` for the constraints), writing in `query_encode`, the error
in `query_errors`.
"""

from __future__ import annotations

from functools import cache

import botocore.session
from botocore.model import OperationModel, OperationNotFoundError, ServiceModel

from .query_decode import PROTOCOL_PARAMETERS, decode_query_request
from .query_encode import encode_query_error, encode_query_response
from .query_errors import QueryErrorCode, QueryProtocolError

__all__ = [
    "PROTOCOL_PARAMETERS",
    "QueryErrorCode",
    "QueryProtocolError",
    "decode_query_request",
    "encode_query_error",
    "encode_query_response",
    "find_operation",
    "service_model",
]


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def service_model(name: str) -> ServiceModel:
    """botocore's model of the service `name` (`iam`, `sts`), loaded once per process."""
    # An unknown name is a programming error, left as botocore's `UnknownServiceError`.
    return _session().get_service_model(name)


def find_operation(model: ServiceModel, action: str, version: str | None = None) -> OperationModel:
    """The operation a request's `Action` names; `InvalidAction` as AWS answers for one it lacks."""
    api_version = model.metadata["apiVersion"]
    shown_version = version if version is not None else api_version
    if version is not None and version != api_version:
        raise _invalid_action(action, shown_version)
    try:
        return _operation(model, action)
    except OperationNotFoundError:
        raise _invalid_action(action, shown_version) from None


@cache
def _operation(model: ServiceModel, action: str) -> OperationModel:
    # botocore builds a new OperationModel, with its shape caches, on every call; one per action is kept.
    # Only actions the model defines are kept: a lookup that raises is not cached.
    return model.operation_model(action)


def _invalid_action(action: str, version: str) -> QueryProtocolError:
    return QueryProtocolError(QueryErrorCode.INVALID_ACTION, f"Could not find operation {action} for version {version}")
