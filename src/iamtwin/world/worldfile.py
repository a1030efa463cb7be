"""World files: a YAML or JSON description of accounts and an organization, for humans.

`load_world(...)` reads and validates a file and returns a `WorldFile`, whose
`simulation_input(principal, action, resource, context)` builds the input that
`iamtwin.simulate` takes (issue 2 point 9) for one request. The shape::

    organization:                                   # optional
      id: o-abcdefghij                              # optional; derived when absent
      management_account: "100000000000"
      policies: {Name: {type: scp | rcp, document: {...}, id: p-...}}
      root: {id: r-abcd, scps: [...], rcps: [...], accounts: [...],
             ous: [{name, id, scps, rcps, accounts, ous}]}
        # accounts: "200000000001" or {id: "200000000001", scps: [...], rcps: [...]}
        # a node without `scps` has FullAWSAccess, as AWS attaches by default
    accounts:
      - id: "111122223333"
        name: saas
        users:     [{name, path, tags, groups, inline_policies: {name: document}, managed_policies,
                     permissions_boundary}]
        groups:    [{name, path, inline_policies, managed_policies}]
        roles:     [{name, path, trust_policy, tags, inline_policies, managed_policies, permissions_boundary,
                     max_session_duration, service_linked}]
        policies:  [{name, path, document, tags}]   # customer-managed
        resources: [{arn, tags, policy, runs_as}]   # policy: the resource-based policy; runs_as: the
                                                    # role ARN (EC2 instance: instance profile ARN) it runs as

Managed policy references are a policy name of the same account, its ARN, or the ARN of an AWS
managed policy in `aws_managed.AWS_MANAGED_POLICIES`. Documents are YAML mappings or JSON text.
Every problem raises a WorldFileError with a code from `WorldErrorCode` and the path (and YAML
line) of the offending value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .assemble import ContextInput
from .errors import WorldErrorCode, WorldFileError
from .fields import Fields
from .inputs import InputBuilder
from .model import World
from .read_accounts import read_accounts
from .read_org import read_organization
from .source import WorldSource, parse_world_text, read_world_text

_TOP_KEYS = frozenset({"organization", "accounts"})


class WorldFile:
    """A validated world and the source it came from."""

    def __init__(self, world: World, source: WorldSource) -> None:
        self.world = world
        self.source = source
        self._builder = InputBuilder(world)

    def simulation_input(
        self,
        principal: str,
        action: str,
        resource: str | None = None,
        context: ContextInput | None = None,
        *,
        session_tags: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """The simulation input of one request, built from the world.

        `context` keys `aws:PrincipalTag/k` and `aws:ResourceTag/k` set (and override) principal
        and resource tags; `session_tags` are the tags of a role session, overriding role tags.
        """
        return self._builder.build(principal, action, resource, context or {}, session_tags)


def world_from_source(source: WorldSource) -> WorldFile:
    """Validate already-read values into a WorldFile."""
    data = source.data
    if data is None:
        data = {}
    top = Fields(source, "", data, _TOP_KEYS)
    organization = read_organization(source, top)
    accounts = read_accounts(source, top)
    if organization is None and top.raw("accounts") is None:
        top.fail(WorldErrorCode.MISSING_KEY, "a world file needs `accounts` or `organization`")
    return WorldFile(World(accounts, organization), source)


def load_world(path_or_text: str | os.PathLike[str] | Mapping[str, Any]) -> WorldFile:
    """Read and validate a world file.

    A path (`Path`, or a str without a newline that does not start with `{`) is read from disk;
    any other str is YAML or JSON text; a mapping is taken as already-parsed values.
    """
    if isinstance(path_or_text, Mapping):
        return world_from_source(WorldSource(path_or_text))
    if isinstance(path_or_text, str):
        return world_from_source(read_world_text(path_or_text))
    return world_from_source(read_world_text(Path(os.fspath(path_or_text))))


def load_world_text(text: str, *, origin: str = "<text>") -> WorldFile:
    """Read and validate world file text (YAML or JSON)."""
    return world_from_source(parse_world_text(text, origin=origin))


__all__ = ["WorldFile", "WorldFileError", "load_world", "load_world_text", "world_from_source"]
