"""parse_policy: the models it builds, and how it reports problems.

Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
"""

from __future__ import annotations

import json
import re

import pytest

from iamtwin.errors import IamtwinError
from iamtwin.policy.errors import PolicySyntaxError
from iamtwin.policy.model import Effect, PrincipalSet, SetQualifier
from iamtwin.policy.parse import parse_policy
from iamtwin.policy.problems import PROBLEM_CODES, ProblemLog, parent_path

POLICY = {
    "Version": "2012-10-17",
    "Id": "example",
    "Statement": [
        {
            "Sid": "ReadTagged",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": ["arn:aws:s3:::bucket/${aws:username}/*"],
            "Condition": {
                "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["team*", "env"]},
                "NumericLessThan": {"s3:max-keys": 10},
                "Bool": {"aws:SecureTransport": True},
            },
        },
        {
            "Effect": "Deny",
            "NotPrincipal": {"AWS": ["arn:aws:iam::111122223333:root"], "Service": "ec2.amazonaws.com"},
            "NotAction": ["iam:*"],
            "NotResource": "*",
        },
    ],
}


def _codes(source: object) -> list[str]:
    with pytest.raises(PolicySyntaxError) as caught:
        parse_policy(source)  # type: ignore[arg-type]
    return [p.code for p in caught.value.problems]


def test_statements_are_built_with_paths_and_indexes() -> None:
    """Statements keep their 0-based index, path, Sid, effect and element pairs."""
    doc = parse_policy(POLICY)
    assert (doc.version, doc.id, doc.statement_is_list) == ("2012-10-17", "example", True)
    first, second = doc.statements
    assert (first.index, first.path, first.sid, first.effect) == (0, "Statement[0]", "ReadTagged", Effect.ALLOW)
    assert first.action == ("s3:GetObject",)
    assert first.resource == ("arn:aws:s3:::bucket/${aws:username}/*",)
    assert first.not_action is None and first.principal is None
    assert (second.index, second.path, second.sid, second.effect) == (1, "Statement[1]", None, Effect.DENY)
    assert second.not_action == ("iam:*",) and second.not_resource == ("*",)
    assert second.not_principal == PrincipalSet(aws=("arn:aws:iam::111122223333:root",), service=("ec2.amazonaws.com",))
    assert doc.substitutes_variables


def test_conditions_are_split_per_key() -> None:
    """Each operator/key pair is one Condition with the operator split and values as strings."""
    conditions = parse_policy(POLICY).statements[0].conditions
    assert [(c.operator, c.base, c.qualifier, c.if_exists) for c in conditions] == [
        ("ForAnyValue:StringLikeIfExists", "StringLike", SetQualifier.FOR_ANY_VALUE, True),
        ("NumericLessThan", "NumericLessThan", None, False),
        ("Bool", "Bool", None, False),
    ]
    assert [c.values for c in conditions] == [("team*", "env"), ("10",), ("true",)]
    assert conditions[0].path == "Statement[0].Condition.ForAnyValue:StringLikeIfExists.aws:TagKeys"


def test_numbers_in_text_keep_their_json_text() -> None:
    """From text, a number condition value is the number as written; booleans are `true`/`false`."""
    text = json.dumps(POLICY).replace('"s3:max-keys": 10', '"s3:max-keys": [10.50, 1e3, false]')
    (_, numeric, _) = parse_policy(text).statements[0].conditions
    assert numeric.values == ("10.50", "1e3", "false")


def test_single_statement_object() -> None:
    """A Statement object is one statement at path `Statement`, and statement_is_list is false."""
    doc = parse_policy({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}})
    assert not doc.statement_is_list
    assert doc.version is None and not doc.substitutes_variables
    assert (doc.statements[0].index, doc.statements[0].path) == (0, "Statement")


def test_principal_star_and_aws_star() -> None:
    """`"*"` is everyone; `{"AWS": "*"}` is kept as the AWS principal `*`."""
    both = {
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "*"},
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*", "Federated": ["cognito-identity.amazonaws.com"]},
                "Action": "*",
            },
        ]
    }
    star, aws_star = parse_policy(both).statements
    assert star.principal == PrincipalSet(everyone=True)
    assert aws_star.principal == PrincipalSet(aws=("*",), federated=("cognito-identity.amazonaws.com",))


def test_text_bytes_and_mapping_give_equal_documents() -> None:
    """The same policy parses to equal models from str, bytes and a mapping; only text has positions."""
    text = json.dumps(POLICY, indent=2)
    from_text, from_bytes, from_mapping = parse_policy(text), parse_policy(text.encode()), parse_policy(POLICY)
    assert from_text == from_bytes == from_mapping
    assert from_text.positions["Statement[1].NotAction[0]"] == (36, 9)
    assert from_mapping.positions == {}


def test_problems_from_text_have_lines_and_from_mappings_only_paths() -> None:
    """Every problem is located: with line and column from text, with a path from a mapping."""
    bad = {"Statement": [{"Effect": "Maybe", "Action": "*"}]}
    with pytest.raises(PolicySyntaxError) as from_text:
        parse_policy(json.dumps(bad))
    with pytest.raises(PolicySyntaxError) as from_mapping:
        parse_policy(bad)
    (text_problem,) = from_text.value.problems
    (mapping_problem,) = from_mapping.value.problems
    assert (text_problem.location.line, text_problem.location.column) == (1, 27)
    assert (mapping_problem.location.path, mapping_problem.location.line) == ("Statement[0].Effect", None)


def test_error_carries_every_problem_and_the_first_as_its_code() -> None:
    """The error is an IamtwinError whose code and location are the first problem's."""
    with pytest.raises(PolicySyntaxError) as caught:
        parse_policy('{"Version": "1", "Statement": [{"Effect": "Allow"}, 3], "Extra": 1}')
    error = caught.value
    assert isinstance(error, IamtwinError)
    assert [p.code for p in error.problems] == [
        "INVALID_VERSION",
        "MISSING_ACTION",
        "INVALID_TYPE",
        "UNKNOWN_ELEMENT",
    ]
    assert error.code == "INVALID_VERSION"
    assert error.location is not None and error.location.path == "Version"
    assert "(and 3 more)" in str(error)
    assert error.to_dict()["code"] == "INVALID_VERSION"


def test_duplicate_keys_are_reported_with_grammar_problems() -> None:
    """A duplicate key is reported even when the kept value is valid, next to other problems."""
    text = '{"Statement": {"Effect": "Allow", "Action": "*", "Effect": "Deny", "Sid": 3}}'
    assert _codes(text) == ["DUPLICATE_KEY", "INVALID_TYPE"]


def test_json_syntax_error_stops_before_grammar() -> None:
    """Text that is not JSON gives only the JSON_SYNTAX_ERROR."""
    assert _codes('{"Statement": [}') == ["JSON_SYNTAX_ERROR"]


@pytest.mark.parametrize(
    ("source", "codes"),
    [
        ([], ["INVALID_TYPE"]),
        ("[]", ["INVALID_TYPE"]),
        ('"policy"', ["INVALID_TYPE"]),
        (None, ["INVALID_TYPE"]),
        ({1: "x", "Statement": {"Effect": "Allow", "Action": "*"}}, ["UNKNOWN_ELEMENT"]),
        ({"Statement": ({"Effect": "Allow", "Action": ("a", "b")},)}, []),
        ({"Statement": {"Effect": "Allow", "Action": {"s3"}}}, ["INVALID_TYPE"]),
        (
            {"Statement": {"Effect": "Allow", "Action": "*", "Condition": {1: {"k": "v"}}}},
            ["UNKNOWN_CONDITION_OPERATOR"],
        ),
        ({"Statement": {"Effect": "Allow", "Action": "*", "Principal": {None: "x"}}}, ["INVALID_PRINCIPAL_KEY"]),
        ({"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"Bool": {"k": object()}}}}, ["INVALID_TYPE"]),
        ({"Statement": {"Effect": "Allow", "Action": "*", "Condition": {"NumericEquals": {"k": 1.5}}}}, []),
    ],
)
def test_odd_mappings_give_typed_problems(source: object, codes: list[str]) -> None:
    """Mappings with non-JSON keys or values give problems, never other exceptions."""
    if not codes:
        parse_policy(source)  # type: ignore[arg-type]
        return
    assert _codes(source) == codes


def test_messages_follow_the_house_style() -> None:
    """Messages are lowercase, have no final period and name no Python types."""
    text = json.dumps(
        {
            "Version": 1,
            "Foo": None,
            "Statement": [
                {"Effect": "allow", "Action": [1], "NotAction": {}, "Principal": "me", "Condition": []},
                {"Sid": "A", "Principal": {"User": 1}, "NotPrincipal": "*", "Resource": "*", "NotResource": 1},
                {"Sid": "A", "Effect": "Deny", "Action": "*", "Condition": {"Nope": {}, "Null": []}},
                {"Effect": "Deny", "Action": "*", "Condition": {"NullIfExists": 1, "Bool": {"a": None, "A": [[]]}}},
            ],
        }
    )
    with pytest.raises(PolicySyntaxError) as caught:
        parse_policy(text)
    problems = caught.value.problems
    assert len({p.code for p in problems}) >= 12
    python_types = re.compile(r"\b(dict|list|str|int|float|bool|NoneType|tuple)\b")
    for problem in problems:
        assert problem.code in PROBLEM_CODES
        assert problem.message[0].islower() or problem.message[0] == "`", problem.message
        assert not problem.message.endswith("."), problem.message
        assert not python_types.search(problem.message), problem.message
        assert problem.location.line is not None


def test_problem_codes_are_snake_case_with_one_line_descriptions() -> None:
    """Every code is SNAKE_CASE and described on one line."""
    for code, description in PROBLEM_CODES.items():
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*", code)
        assert description and "\n" not in description


def test_problem_log_refuses_unregistered_codes() -> None:
    """A code must be registered in PROBLEM_CODES before it is used."""
    with pytest.raises(ValueError):
        ProblemLog({}).add("NOT_A_CODE", "x", "")


def test_problem_log_locates_missing_paths_at_their_parent() -> None:
    """A path without a position (a missing element) takes its closest ancestor's position."""
    log = ProblemLog({"": (1, 1), "Statement[0]": (3, 5)})
    assert log.locate("Statement[0].Effect").line == 3
    assert log.locate("Other.x[2]").column == 1
    assert [parent_path(p) for p in ("a.b[1]", "a.b", "a", "[0]", "x]")] == ["a.b", "a", "", "", ""]
