"""No policy value crashes a check: every check yields findings for anything JSON can hold.

The issue asks that no input crash the validator; policies reach the checks as arbitrary JSON
(after the parser's and inputs' own checks), so each policy type is fed generated documents built
from the grammar's element names and tricky values
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iamtwin.validate import PolicySource, PolicyType, ValidateOptions, check_policy

ELEMENTS = ["Version", "Statement", "Sid", "Effect", "Action", "NotAction", "Resource", "NotResource"]
ELEMENTS += ["Principal", "NotPrincipal", "Condition", "AWS", "Service", "Federated", "StringEquals"]
ELEMENTS += ["ForAllValues:StringLike", "NullIfExists", "aws:TagKeys", "aws:SourceIp", "s3:prefix"]
TEXTS = ["*", "", "Allow", "Deny", "2012-10-17", "s3:GetObject", "iam:Pass*", "sts:AssumeRole", "${aws:username"]
TEXTS += ["arn:aws:s3:::b/*", "arn:aws:iam::111122223333:role/*", "arn:", "10.0.0.0/8", "1.2.3.4/33", "o-abcdefghij"]
TEXTS += ["ec2.amazonaws.com", "token.actions.githubusercontent.com", "⟦Ref X⟧", "true", "2026-13-01"]

scalars = st.one_of(st.sampled_from(TEXTS), st.text(max_size=8), st.integers(), st.booleans(), st.none(), st.floats())
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(ELEMENTS), inner, max_size=4)),
    max_leaves=20,
)
statements = st.dictionaries(st.sampled_from(ELEMENTS), values, max_size=7)
policies = st.fixed_dictionaries(
    {"Statement": st.one_of(st.lists(statements, max_size=3), statements, values)},
    optional={"Version": st.sampled_from(["2012-10-17", "2008-10-17", "x"]), "Id": values},
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy=policies, kind=st.sampled_from(list(PolicyType)))
def test_checks_never_raise(policy: dict[str, object], kind: PolicyType) -> None:
    """Every check runs to completion and reports only registered codes."""
    options = ValidateOptions(zone="organization", org_id="o-abcdefghij")
    for finding in check_policy(PolicySource("p.json", policy, kind), options):
        assert finding.code.isupper() and finding.message
