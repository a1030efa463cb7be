"""ARN formats with `${Var}` placeholders: matching an ARN or a policy's ARN pattern against them, and filling them in.

A placeholder stands for the text of its own segment: within the partition, region and account
fields, anything but `:`; within the resource, anything but `:` and `/`. Names AWS allows to
contain `/` (object keys, IAM paths, log group names, …) take `/` too, and the last of them takes
the rest of the ARN. The formats come from the Service Authorization Reference, e.g.
`arn:${Partition}:s3:::${BucketName}/${ObjectName}`
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).

A policy's ARN pattern fits a format when some ARN matches both. The pattern's wildcards follow
the rule the engine applies to the Resource element (`iamtwin.policy.arn`): in the partition,
service, Region and account fields `*` and `?` stay within the field (a `*` ending a field may run
on past its colon); in the resource part they span `/` and `:`
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards).
So `arn:aws:elasticloadbalancing:*:*:listener/net/lb*/*` fits listeners, and
`arn:aws:ec2:*:*:snapshot/*` fits snapshots, whose ARNs have no account. For this question the
placeholder that ends a format may also hold `/` and `:`: AWS appends sub-resources and qualifiers
to many names the reference writes as one placeholder (Lambda `function:name:alias`, OpenSearch
`domain/name/_plugin/…`, SSM `servicesetting/ssm/opsdata/…`, AWS Config `config-rule/aws-service-rule/…`,
RDS `snapshot:awsbackup:job-…`). S3 bucket and DynamoDB table names never do
(https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html,
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html),
so a bucket ARN still is no object and an index ARN no table.
"""

from __future__ import annotations

import re
from functools import lru_cache

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")

# Placeholders whose values may contain `/`: S3 object keys, IAM names with their path, CloudWatch
# Logs group and stream names, ECR repository names, SSM parameter names, Secrets Manager secret names.
_PATH_VALUED = (
    "WithPath",
    "ObjectName",
    "LogGroupName",
    "LogStreamName",
    "RepositoryName",
    "ParameterName",
    "SecretId",
)
# Names that never hold `/` or `:`, even as the last placeholder of a format.
_PLAIN_NAMES = ("BucketName", "TableName")


def placeholders(arn_format: str) -> tuple[str, ...]:
    """The names of the placeholders of a format, in order (`Partition`, `Region`, …)."""
    return tuple(_PLACEHOLDER.findall(arn_format))


def _segment_regex(name: str, in_header: bool, last: bool) -> str:
    if in_header:
        return "[^:]*"
    if any(marker in name for marker in _PATH_VALUED):
        return ".+" if last else "[^:]+"
    return "[^:/]+"


@lru_cache(maxsize=8192)
def format_regex(arn_format: str) -> re.Pattern[str]:
    """The regular expression an ARN of this format matches (case-sensitive, as ARNs are)."""
    out: list[str] = []
    position = 0
    matches = list(_PLACEHOLDER.finditer(arn_format))
    for index, match in enumerate(matches):
        out.append(re.escape(arn_format[position : match.start()]))
        in_header = arn_format.count(":", 0, match.start()) < 5
        last = index == len(matches) - 1 and match.end() == len(arn_format)
        out.append(f"({_segment_regex(match.group(1), in_header, last)})")
        position = match.end()
    out.append(re.escape(arn_format[position:]))
    return re.compile("^" + "".join(out) + "$")


def literal_length(arn_format: str) -> int:
    """How much of a format is fixed text: the more, the more specific its match."""
    return len(_PLACEHOLDER.sub("", arn_format))


def matches_format(arn: str, arn_format: str) -> bool:
    """Whether an ARN has the shape of a format."""
    return format_regex(arn_format).match(arn) is not None


def format_values(arn: str, arn_format: str) -> dict[str, str] | None:
    """The placeholder values an ARN gives a format, or None when it does not match."""
    match = format_regex(arn_format).match(arn)
    if match is None:
        return None
    return dict(zip(placeholders(arn_format), match.groups(), strict=True))


def fill_format(arn_format: str, values: dict[str, str], missing: str | None = None) -> str | None:
    """The ARN a format gives with these values; a placeholder without one becomes `missing`, or None."""
    absent = False

    def substitute(match: re.Match[str]) -> str:
        nonlocal absent
        value = values.get(match.group(1))
        if value is None:
            if missing is None:
                absent = True
                return ""
            return missing
        return value

    filled = _PLACEHOLDER.sub(substitute, arn_format)
    return None if absent else filled


def partition_of(region: str) -> str:
    """The partition a region belongs to (`aws-cn` for `cn-north-1`, …)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    if region.startswith("eu-isoe-"):
        return "aws-iso-e"
    if region.startswith("us-isof-"):
        return "aws-iso-f"
    return "aws"


# A token of a pattern or format, as the language of one step: a literal character, or any
# character outside `excluded`; `repeat` tokens match that any number of times (zero included).
_Token = tuple[str | None, frozenset[str], bool]
_ANY: frozenset[str] = frozenset()
_NO_COLON = frozenset(":")
_NO_COLON_SLASH = frozenset(":/")


@lru_cache(maxsize=65536)
def _pattern_tokens(pattern: str, cross_fields: bool) -> tuple[_Token, ...]:
    """A policy ARN pattern's tokens, with the engine's wildcard rule (`iamtwin.policy.arn`).

    Without `cross_fields`, a `*` ending a header field stays within it.
    """
    tokens: list[_Token] = []
    fields = pattern.split(":", 5)
    for index, field in enumerate(fields):
        if index:
            tokens.append((":", _ANY, False))
        in_resource = index == 5
        for position, ch in enumerate(field):
            if ch == "*":
                spans = in_resource or (cross_fields and position == len(field) - 1)
                tokens.append((None, _ANY if spans else _NO_COLON, True))
            elif ch == "?":
                tokens.append((None, _ANY if in_resource else _NO_COLON, False))
            else:
                tokens.append((ch, _ANY, False))
    return tuple(tokens)


@lru_cache(maxsize=8192)
def _format_tokens(arn_format: str) -> tuple[_Token, ...]:
    """A format's tokens: placeholders take the characters `format_regex` lets them take."""
    tokens: list[_Token] = []
    position = 0
    matches = list(_PLACEHOLDER.finditer(arn_format))
    for index, match in enumerate(matches):
        tokens.extend((ch, _ANY, False) for ch in arn_format[position : match.start()])
        in_header = arn_format.count(":", 0, match.start()) < 5
        last = index == len(matches) - 1 and match.end() == len(arn_format)
        name = match.group(1)
        if in_header:
            tokens.append((None, _NO_COLON, True))
        elif last and name not in _PLAIN_NAMES:
            tokens.extend(((None, _ANY, False), (None, _ANY, True)))
        else:
            excluded = _NO_COLON if any(m in name for m in _PATH_VALUED) else _NO_COLON_SLASH
            tokens.extend(((None, excluded, False), (None, excluded, True)))
        position = match.end()
    tokens.extend((ch, _ANY, False) for ch in arn_format[position:])
    return tuple(tokens)


def _fields_may_fit(pattern: str, arn_format: str) -> bool:
    """A quick necessary test when fields align: equal literal services, agreeing literal resource prefixes."""
    fields, slots = pattern.split(":", 5), arn_format.split(":", 5)
    if len(fields) != 6 or len(slots) != 6:
        return True
    service, slot = fields[2], slots[2]
    if "*" not in service and "?" not in service and "${" not in slot and service != slot:
        return False
    resource, template = fields[5], slots[5]
    wild = min((i for i in (resource.find("*"), resource.find("?")) if i >= 0), default=len(resource))
    fixed = template.find("${")
    common = min(wild, len(template) if fixed < 0 else fixed)
    return resource[:common] == template[:common]


@lru_cache(maxsize=8192)
def _fit_regex(arn_format: str) -> re.Pattern[str]:
    """The language of a format's tokens as a regular expression, for ARNs without wildcards."""
    parts: list[str] = []
    for literal, excluded, repeat in _format_tokens(arn_format):
        if literal is not None:
            parts.append(re.escape(literal))
        else:
            parts.append(
                ("[^" + re.escape("".join(sorted(excluded))) + "]" if excluded else ".") + ("*" if repeat else "")
            )
    return re.compile("".join(parts), re.DOTALL)


def _overlap(a: _Token, b: _Token) -> bool:
    """Whether some character is in both tokens' languages."""
    if a[0] is not None and b[0] is not None:
        return a[0] == b[0]
    if a[0] is not None:
        return a[0] not in b[1]
    if b[0] is not None:
        return b[0] not in a[1]
    return True


@lru_cache(maxsize=65536)
def pattern_fits_format(pattern: str, arn_format: str, cross_fields: bool = True) -> bool:
    """Whether some ARN matches both a policy's ARN pattern (with `*` and `?`) and a format.

    Decided exactly by searching the product of the two token automata (case-sensitive, as ARNs are).
    `cross_fields=False` asks the narrower question with each header field matched on its own.
    An ARN without wildcards is a pattern that matches only itself.
    """
    wild = min((i for i in (pattern.find("*"), pattern.find("?")) if i >= 0), default=-1)
    if wild < 0:
        return _fit_regex(arn_format).fullmatch(pattern) is not None
    # Both begin with literal text (`arn:aws:s3:::` and `arn:`): where both are literal, they must agree.
    fixed = arn_format.find("${")
    common = min(wild, len(arn_format) if fixed < 0 else fixed)
    if pattern[:common] != arn_format[:common]:
        return False
    if not cross_fields and not _fields_may_fit(pattern, arn_format):
        return False
    left, right = _pattern_tokens(pattern, cross_fields), _format_tokens(arn_format)
    end = (len(left), len(right))
    seen = {(0, 0)}
    stack = [(0, 0)]
    # Depth first, trying the step that consumes a character of both last (so popped first): an
    # ARN that fits is usually found along the first path.
    while stack:
        i, j = stack.pop()
        if (i, j) == end:
            return True
        a = left[i] if i < len(left) else None
        b = right[j] if j < len(right) else None
        steps: list[tuple[int, int]] = []
        if a is not None and a[2]:
            steps.append((i + 1, j))
        if b is not None and b[2]:
            steps.append((i, j + 1))
        if a is not None and b is not None and _overlap(a, b):
            steps.append((i if a[2] else i + 1, j if b[2] else j + 1))
        for step in steps:
            if step not in seen:
                seen.add(step)
                stack.append(step)
    return False
