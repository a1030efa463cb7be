"""What a check sees: one policy, the parser's verdict on it, its typed statements and the options."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from ..policy.errors import PolicyProblem, PolicySyntaxError
from ..policy.model import Condition, PolicyDocument, Statement
from ..policy.parse import parse_policy
from ..policy.source import child_path, item_path
from .findings import Finding, IssueCode, PolicyType, SourceLocation
from .source import PolicySource


@dataclass(frozen=True, slots=True)
class ValidateOptions:
    """Settings every check may read: where the policies will be deployed, and who may be granted access."""

    region: str = "us-east-1"
    account_id: str = "123456789012"
    partition: str = "aws"
    # Account IDs and principal ARNs outside the account that may be granted access (`*` for any).
    allowed_external_principals: frozenset[str] = frozenset()
    # The zone of trust for EXTERNAL_PRINCIPAL: `account` or `organization` (with `org_id`).
    zone: str = "account"
    org_id: str = ""
    # CloudFormation parameter values (`--parameters`), overriding the templates' defaults.
    parameters: tuple[tuple[str, str], ...] = ()
    # CloudFormation resource types whose policies are not validated (`--exclude-resource-types`).
    excluded_resource_types: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class RawStatement:
    """A statement object as written, with its JSON path."""

    path: str
    value: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class CheckContext:
    """One policy under validation.

    `problems` are the parser's grammar problems; `statements` holds every statement that
    parses on its own, even when another statement of the policy does not, so later checks still
    see the good ones. `document` is set only when the whole policy parses.
    """

    source: PolicySource
    options: ValidateOptions
    problems: tuple[PolicyProblem, ...]
    document: PolicyDocument | None
    statements: tuple[Statement, ...]
    raw_statements: tuple[RawStatement, ...]

    @property
    def policy_type(self) -> PolicyType:
        """The policy type the policy is checked as."""
        return self.source.policy_type

    @property
    def root(self) -> Mapping[str, object]:
        """The policy's top-level object (empty when the policy is not an object)."""
        value = self.source.value
        return value if isinstance(value, Mapping) else {}

    @property
    def version(self) -> object:
        """The Version element as written (None when absent)."""
        return self.root.get("Version")

    def finding(self, issue: IssueCode, message: str, path: str) -> Finding:
        """A finding at a JSON path of this policy, located in its file."""
        where = self.source.locate(path)
        location = SourceLocation(self.source.file, path, where.line, where.column)
        return Finding(issue, message, location, self.source.resource, self.source.policy)


def build_context(source: PolicySource, options: ValidateOptions) -> CheckContext:
    """Parse a policy with the project's parser and gather what the checks need."""
    problems: tuple[PolicyProblem, ...] = ()
    document: PolicyDocument | None = None
    value = source.value
    if isinstance(value, Mapping):
        try:
            document = parse_policy(value)
        except PolicySyntaxError as err:
            problems = err.problems
    else:
        problems = (PolicyProblem("INVALID_TYPE", "a policy must be an object", source.locate("")),)
    raw = tuple(_raw_statements(value))
    statements = document.statements if document is not None else tuple(_each_statement(value, raw))
    return CheckContext(source, options, problems, document, statements, raw)


def _raw_statements(value: object) -> Iterator[RawStatement]:
    if not isinstance(value, Mapping):
        return
    statement = value.get("Statement")
    if isinstance(statement, Mapping):
        yield RawStatement("Statement", statement)
    elif isinstance(statement, list | tuple):
        for index, item in enumerate(statement):
            if isinstance(item, Mapping):
                yield RawStatement(item_path("Statement", index), item)


_INDEX = re.compile(r"^Statement\[(\d+)\]$")


def _each_statement(value: object, raw: tuple[RawStatement, ...]) -> Iterator[Statement]:
    """Parse each statement alone (the parser rejects a whole policy for one bad statement)."""
    version = value.get("Version") if isinstance(value, Mapping) else None
    for item in raw:
        alone: dict[str, object] = {"Statement": [item.value]}
        if isinstance(version, str):
            alone["Version"] = version
        try:
            parsed = parse_policy(alone).statements[0]
        except PolicySyntaxError:
            continue
        match = _INDEX.match(item.path)
        index = int(match.group(1)) if match else 0
        yield _moved(parsed, index, item.path)


def _moved(statement: Statement, index: int, path: str) -> Statement:
    """A statement parsed alone, given back its place in the whole policy."""
    old = statement.path

    def move(condition: Condition) -> Condition:
        return replace(condition, path=path + condition.path[len(old) :])

    conditions = tuple(move(c) for c in statement.conditions)
    return replace(statement, index=index, path=path, conditions=conditions)


def element_path(statement: Statement, element: str) -> str:
    """The path of an element of a statement (`Statement[1].Action`)."""
    return child_path(statement.path, element)
