"""The generator of get-account-authorization-details responses: deterministic, and it reads back whole.

Its output follows the AWS CLI reference of the command
(https://docs.aws.amazon.com/cli/latest/reference/iam/get-account-authorization-details.html);
the URL-encoded and paged forms follow
https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from iamtwin.world.formats.auth_details import read_auth_details, write_auth_details

_PATH = Path(__file__).parents[3] / "benchmarks" / "gen_auth_details.py"


@pytest.fixture(scope="module")
def gen() -> ModuleType:
    """The generator module, loaded from `benchmarks/`."""
    spec = importlib.util.spec_from_file_location("gen_auth_details", _PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("gen_auth_details", module)
    spec.loader.exec_module(module)
    return module


def test_the_same_seed_gives_the_same_response(gen: ModuleType) -> None:
    first = gen.generate(roles=120, policies=40, users=30, groups=6, seed=11)
    assert gen.generate(roles=120, policies=40, users=30, groups=6, seed=11) == first
    assert gen.generate(roles=120, policies=40, users=30, groups=6, seed=12) != first


def test_a_small_response_reads_back_with_its_counts(gen: ModuleType) -> None:
    response = gen.generate(roles=300, policies=100, users=60, groups=12, seed=3)
    account = read_auth_details(response, aws_managed=gen.stub_aws_managed)
    assert (len(account.roles), len(account.policies), len(account.users), len(account.groups)) == (300, 100, 60, 12)
    profiles = sum(len(role["InstanceProfileList"]) for role in response["RoleDetailList"])
    assert len(account.instance_profiles) == profiles > 0
    assert sum(role.service_linked for role in account.roles.values()) == len(range(0, 300, 33))
    versions = sum(len(policy["PolicyVersionList"]) for policy in response["Policies"])
    assert sum(len(policy.versions) or 1 for policy in account.policies.values()) == versions
    attached = {p.arn for entity in [*account.users.values(), *account.roles.values()] for p in entity.managed_policies}
    assert {arn for arn in attached if ":aws:policy/" in arn} <= set(gen.AWS_MANAGED)
    assert any(role.permissions_boundary is not None for role in account.roles.values())
    assert read_auth_details(write_auth_details(account), aws_managed=gen.stub_aws_managed) == account


def test_url_encoded_and_paged_forms_read_the_same(gen: ModuleType) -> None:
    response = gen.generate(roles=80, policies=30, users=20, groups=5, seed=5)
    expected = read_auth_details(response, aws_managed=gen.stub_aws_managed)
    encoded = gen.url_encode(response)
    assert isinstance(encoded["Policies"][0]["PolicyVersionList"][0]["Document"], str)
    pages = gen.split_pages(encoded, 37)
    assert len(pages) > 2 and pages[-1]["IsTruncated"] is False and "Marker" in pages[0]
    assert read_auth_details(pages, aws_managed=gen.stub_aws_managed) == expected


def test_main_writes_and_measures(gen: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "details.json"
    args = [str(out), "--roles", "40", "--policies", "20", "--users", "10", "--groups", "3", "--page-size", "25"]
    assert gen.main([*args, "--url-encoded", "--measure"]) == 0
    assert isinstance(json.loads(out.read_text()), list)
    assert "read_auth_details:" in capsys.readouterr().out
