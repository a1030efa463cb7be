"""ARN formats with `${Var}` placeholders: matching an ARN against them and filling them in.

A placeholder stands for the text of its own segment: within the partition, region and account
fields, anything but `:`; within the resource, anything but `:` and `/`. Names AWS allows to
contain `/` (object keys, IAM paths, log group names, …) take `/` too, and the last of them takes
the rest of the ARN. The formats come from the Service Authorization Reference, e.g.
`arn:${Partition}:s3:::${BucketName}/${ObjectName}`
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
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
