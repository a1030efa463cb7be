"""CloudFormation intrinsic functions inside policies, resolved where the template says enough.

Resolved offline: pseudo parameters (`AWS::AccountId`, `AWS::Region`, `AWS::Partition`,
`AWS::URLSuffix`, `AWS::NoValue`), `Ref` to parameters with a default, `Ref` and `Fn::GetAtt …Arn`
for common resource types (ARNs built from their documented formats, with the name as a
placeholder when CloudFormation generates it), `Fn::Sub`, `Fn::Join`, `Fn::Select`,
`Fn::Split`, `Fn::FindInMap` and `Fn::If` (its first branch, unless that branch is
`AWS::NoValue`: conditions depend on deployment parameters). Anything else becomes a
placeholder, which no check judges.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..context import ValidateOptions
from ..source import is_unresolved, placeholder

NO_VALUE = object()

# ARN formats by resource type, for `Fn::GetAtt X.Arn` and for types whose `Ref` is the ARN;
# `{name}` is the resource's name property (or a placeholder when CloudFormation makes one up).
_ARNS: dict[str, tuple[str, str]] = {
    "AWS::SQS::Queue": ("QueueName", "arn:{partition}:sqs:{region}:{account}:{name}"),
    "AWS::SNS::Topic": ("TopicName", "arn:{partition}:sns:{region}:{account}:{name}"),
    "AWS::S3::Bucket": ("BucketName", "arn:{partition}:s3:::{name}"),
    "AWS::IAM::Role": ("RoleName", "arn:{partition}:iam::{account}:role/{name}"),
    "AWS::IAM::User": ("UserName", "arn:{partition}:iam::{account}:user/{name}"),
    "AWS::IAM::ManagedPolicy": ("ManagedPolicyName", "arn:{partition}:iam::{account}:policy/{name}"),
    "AWS::Lambda::Function": ("FunctionName", "arn:{partition}:lambda:{region}:{account}:function:{name}"),
    "AWS::DynamoDB::Table": ("TableName", "arn:{partition}:dynamodb:{region}:{account}:table/{name}"),
    "AWS::KMS::Key": ("", "arn:{partition}:kms:{region}:{account}:key/{name}"),
    "AWS::SecretsManager::Secret": ("Name", "arn:{partition}:secretsmanager:{region}:{account}:secret:{name}"),
    "AWS::StepFunctions::StateMachine": (
        "StateMachineName",
        "arn:{partition}:states:{region}:{account}:stateMachine:{name}",
    ),
}
# Types whose `Ref` returns the ARN rather than the name.
_REF_IS_ARN = ("AWS::SNS::Topic", "AWS::IAM::ManagedPolicy", "AWS::StepFunctions::StateMachine")
_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_MAX_DEPTH = 64


@dataclass(slots=True)
class Resolver:
    """Resolves intrinsic functions against one template and the deployment options."""

    template: Mapping[str, object]
    options: ValidateOptions
    parameters: Mapping[str, str] = field(default_factory=dict)

    def resolve(self, value: object, depth: int = 0) -> object:
        """The value with every intrinsic function resolved or replaced by a placeholder."""
        if depth > _MAX_DEPTH:
            return placeholder("nested too deeply")
        if isinstance(value, Mapping):
            if len(value) == 1:
                name = next(iter(value))
                if name == "Ref" or (isinstance(name, str) and name.startswith("Fn::")):
                    return self._function(str(name), value[name], depth)
            out: dict[str, object] = {}
            for key, item in value.items():
                resolved = self.resolve(item, depth + 1)
                if resolved is not NO_VALUE:
                    out[str(key)] = resolved
            return out
        if isinstance(value, list):
            items = [self.resolve(item, depth + 1) for item in value]
            return [item for item in items if item is not NO_VALUE]
        return value

    def _function(self, name: str, argument: object, depth: int) -> object:
        try:
            if name == "Ref" and isinstance(argument, str):
                return self.ref(argument)
            if name == "Fn::GetAtt":
                return self._get_att(argument)
            if name == "Fn::Sub":
                return self._sub(argument, depth)
            if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
                return self._join(argument[0], self.resolve(argument[1], depth + 1))
            if name == "Fn::Select" and isinstance(argument, list) and len(argument) == 2:
                items = self.resolve(argument[1], depth + 1)
                index = self.resolve(argument[0], depth + 1)
                if isinstance(items, list) and str(index).isdigit() and int(str(index)) < len(items):
                    return items[int(str(index))]
            if name == "Fn::Split" and isinstance(argument, list) and len(argument) == 2:
                text = self.resolve(argument[1], depth + 1)
                if isinstance(argument[0], str) and isinstance(text, str) and not is_unresolved(text):
                    return text.split(argument[0])
            if name == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
                first = self.resolve(argument[1], depth + 1)
                return self.resolve(argument[2], depth + 1) if first is NO_VALUE else first
            if name == "Fn::FindInMap" and isinstance(argument, list) and len(argument) in (3, 4):
                return self._find_in_map([self.resolve(a, depth + 1) for a in argument[:3]])
        except (TypeError, ValueError, KeyError):
            pass
        return placeholder(f"{name} {_short(argument)}")

    def ref(self, name: str) -> object:
        """The value of `Ref name`."""
        pseudo = {
            "AWS::AccountId": self.options.account_id,
            "AWS::Region": self.options.region,
            "AWS::Partition": self.options.partition,
            "AWS::URLSuffix": "amazonaws.com.cn" if self.options.partition == "aws-cn" else "amazonaws.com",
        }
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        parameters = self.template.get("Parameters")
        if isinstance(parameters, Mapping) and isinstance(parameters.get(name), Mapping):
            default = parameters[name].get("Default")
            if isinstance(default, str | int | float) and not isinstance(default, bool):
                return str(default)
        resource = self._resource(name)
        if resource is not None:
            kind = resource.get("Type")
            if kind in _REF_IS_ARN:
                return self.arn_of(name)
            named = _ARNS.get(str(kind), ("", ""))[0]
            props = resource.get("Properties")
            if named and isinstance(props, Mapping) and isinstance(props.get(named), str):
                return props[named]
        return placeholder(f"Ref {name}")

    def _resource(self, name: str) -> Mapping[str, object] | None:
        resources = self.template.get("Resources")
        if isinstance(resources, Mapping):
            found = resources.get(name)
            if isinstance(found, Mapping):
                return found
        return None

    def arn_of(self, name: str) -> str:
        """The ARN of a template resource, built from its type's ARN format."""
        resource = self._resource(name)
        kind = str(resource.get("Type")) if resource is not None else ""
        if resource is None or kind not in _ARNS:
            return placeholder(f"{name}.Arn")
        prop, pattern = _ARNS[kind]
        props = resource.get("Properties")
        given = props.get(prop) if prop and isinstance(props, Mapping) else None
        if isinstance(given, Mapping):
            given = self.resolve(given)
        resource_name = given if isinstance(given, str) else placeholder(f"{name} name")
        o = self.options
        return pattern.format(partition=o.partition, region=o.region, account=o.account_id, name=resource_name)

    def _get_att(self, argument: object) -> object:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if isinstance(argument, list) and len(argument) == 2 and argument[1] == "Arn":
            return self.arn_of(str(argument[0]))
        return placeholder(f"Fn::GetAtt {_short(argument)}")

    def _sub(self, argument: object, depth: int) -> object:
        variables: Mapping[str, object] = {}
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], Mapping):
            variables = {str(k): self.resolve(v, depth + 1) for k, v in argument[1].items()}
            argument = argument[0]
        if not isinstance(argument, str):
            return placeholder(f"Fn::Sub {_short(argument)}")

        def replace(match: re.Match[str]) -> str:
            body = match.group(1)
            if body.startswith("!"):
                return "${" + body[1:] + "}"
            if body in variables and isinstance(variables[body], str):
                return str(variables[body])
            if body.endswith(".Arn"):
                return self.arn_of(body[: -len(".Arn")])
            if "." not in body:
                value = self.ref(body)
                if isinstance(value, str):
                    return value
            return placeholder(body)

        return _SUB_VARIABLE.sub(replace, argument)

    def _join(self, delimiter: object, items: object) -> object:
        if not isinstance(delimiter, str) or not isinstance(items, list):
            return placeholder("Fn::Join")
        if not all(isinstance(item, str) for item in items):
            return placeholder("Fn::Join")
        return delimiter.join(str(item) for item in items)

    def _find_in_map(self, keys: list[object]) -> object:
        mappings = self.template.get("Mappings")
        found: object = mappings
        for key in keys:
            if not isinstance(key, str) or not isinstance(found, Mapping):
                return placeholder("Fn::FindInMap")
            found = found.get(key)
        return found if found is not None else placeholder("Fn::FindInMap")


def _short(argument: object) -> str:
    text = str(argument)
    return text if len(text) <= 60 else text[:57] + "..."
