"""Shared pieces of the format tests: the hand-written samples and a stand-in AWS managed catalogue."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from iamtwin.world.formats.auth_details import read_auth_details
from iamtwin.world.model import Account, ManagedPolicy

SAMPLES = Path(__file__).parent / "samples"
AUTH_DETAILS = SAMPLES / "auth-details.json"
ORGANIZATION = SAMPLES / "organization"

_CATALOGUE = {
    "arn:aws:iam::aws:policy/AdministratorAccess": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
    "arn:aws:iam::aws:policy/PowerUserAccess": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"}
    ],
}


def catalogue(arn: str) -> ManagedPolicy | None:
    """Two AWS managed policies, as the catalogue would give them; None for any other ARN."""
    statements = _CATALOGUE.get(arn)
    if statements is None:
        return None
    document = {"Version": "2012-10-17", "Statement": statements}
    return ManagedPolicy(arn.rsplit("/", 1)[-1], arn, document, aws_managed=True, default_version_id="v3")


def load_sample() -> dict[str, Any]:
    """A fresh copy of the hand-written get-account-authorization-details sample."""
    value: dict[str, Any] = json.loads(AUTH_DETAILS.read_text(encoding="utf-8"))
    return value


def read(data: Any, **options: Any) -> Account:
    """Read get-account-authorization-details output with the stand-in catalogue."""
    options.setdefault("aws_managed", catalogue)
    return read_auth_details(data, **options)


def pages(response: dict[str, Any], sizes: tuple[int, ...]) -> list[dict[str, Any]]:
    """The response split into pages of the given sizes, marked truncated but for the last."""
    keys = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
    items = [(key, entry) for key in keys for entry in response[key]]
    pages = []
    start = 0
    for number, size in enumerate(sizes):
        page: dict[str, Any] = {key: [] for key in keys}
        for key, entry in items[start : start + size]:
            page[key].append(entry)
        start += size
        last = number == len(sizes) - 1
        page["IsTruncated"] = not last
        if not last:
            page["Marker"] = f"AQoDYXdzEJr{number}EXAMPLE"
        pages.append(page)
    assert start == len(items)
    return pages


def copy_organization(tmp_path: Path) -> Path:
    """A copy of the sample organization directory, to change freely."""
    target = tmp_path / "org"
    shutil.copytree(ORGANIZATION, target)
    return target
