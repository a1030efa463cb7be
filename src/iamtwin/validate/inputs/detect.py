"""Turn paths into policies to check: files and directories, recognized by their content.

A JSON or YAML document is a CloudFormation template when it has a `Resources` object, a
Terraform plan when it has `format_version` and `planned_values`, and a policy when it has a
`Statement` or `Version`. In a directory, files ending in .json, .yaml, .yml or .template are
read and documents that are none of these are skipped; a file named on the command line must be
one of them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from ..context import ValidateOptions
from ..findings import Finding, PolicyType, SourceLocation
from ..source import PolicySource
from .cloudformation import is_template, template_policies
from .codes import FILE_NOT_READABLE, JSON_SYNTAX_ERROR, TEMPLATE_SYNTAX_ERROR, UNRECOGNIZED_INPUT
from .located import DocumentError, Located, read_json_document, read_yaml_document
from .terraform import is_plan, plan_policies

SUFFIXES = (".json", ".yaml", ".yml", ".template")
MAX_BYTES = 64 * 1024 * 1024
_TRUST_ACTIONS = ("sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity", "sts:tagsession")

Loaded = PolicySource | Finding


def load_paths(
    paths: list[str], options: ValidateOptions, policy_type: PolicyType | None, *, skip_unrecognized: bool = False
) -> Iterator[Loaded]:
    """Every policy (or input finding) of the given paths; `-` reads standard input.

    With `skip_unrecognized`, a named file that is no policy, template or plan is skipped as files
    found in a directory are (pre-commit passes every changed JSON and YAML file).
    """
    explicit = not skip_unrecognized
    for name in paths:
        if name == "-":
            yield from _document("<stdin>", sys.stdin.buffer.read(), options, policy_type, explicit=explicit)
            continue
        path = Path(name)
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES):
                yield from _file(found, options, policy_type, explicit=False)
        else:
            yield from _file(path, options, policy_type, explicit=explicit)


def _file(path: Path, options: ValidateOptions, policy_type: PolicyType | None, *, explicit: bool) -> Iterator[Loaded]:
    name = str(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            message = f"`{name}` is larger than {MAX_BYTES // (1024 * 1024)} MB"
            yield Finding(FILE_NOT_READABLE, message, SourceLocation(name))
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Finding(FILE_NOT_READABLE, f"cannot read `{name}`: {exc.strerror or exc}", SourceLocation(name))
        return
    yield from _document(name, data, options, policy_type, explicit=explicit)


def _document(
    name: str, data: bytes, options: ValidateOptions, policy_type: PolicyType | None, *, explicit: bool
) -> Iterator[Loaded]:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        yield Finding(FILE_NOT_READABLE, f"`{name}` is not UTF-8 text", SourceLocation(name, "", line, 1))
        return
    stripped = text.lstrip()
    try:
        if stripped.startswith(("{", "[")) or name.lower().endswith(".json"):
            document = read_json_document(text)
        else:
            document = read_yaml_document(text, name)
    except DocumentError as err:
        issue = JSON_SYNTAX_ERROR if err.code == "JSON_SYNTAX_ERROR" else TEMPLATE_SYNTAX_ERROR
        where = err.location
        location = SourceLocation(
            name, where.path if where else "", where.line if where else None, where.column if where else None
        )
        yield Finding(issue, err.message, location)
        return
    value = document.value
    if is_template(value):
        yield from template_policies(name, document, options)
    elif is_plan(value):
        yield from plan_policies(name, document)
    elif isinstance(value, Mapping) and ("Statement" in value or "Version" in value):
        yield _policy_file(name, text, document, policy_type)
    elif explicit:
        message = f"`{name}` is neither a policy, a CloudFormation template nor a Terraform plan"
        yield Finding(UNRECOGNIZED_INPUT, message, SourceLocation(name, "", 1, 1))


def _policy_file(name: str, text: str, document: Located, policy_type: PolicyType | None) -> PolicySource:
    kind = policy_type or infer_policy_type(document.value)
    return PolicySource(
        name, document.value, kind, document.positions, "", Path(name).name, text, document.duplicate_keys
    )


def infer_policy_type(value: object) -> PolicyType:
    """A policy file's type from its content: a trust policy when every statement with a principal
    only assumes roles, a resource policy when statements name principals, else identity."""
    statements = value.get("Statement") if isinstance(value, Mapping) else None
    items = [statements] if isinstance(statements, Mapping) else statements if isinstance(statements, list) else []
    with_principal = [s for s in items if isinstance(s, Mapping) and ("Principal" in s or "NotPrincipal" in s)]
    if not with_principal:
        return PolicyType.IDENTITY
    for statement in with_principal:
        actions = statement.get("Action")
        listed = [actions] if isinstance(actions, str) else actions if isinstance(actions, list) else []
        if not listed or not all(isinstance(a, str) and a.lower() in _TRUST_ACTIONS for a in listed):
            return PolicyType.RESOURCE
    return PolicyType.TRUST
