"""The JSON reader: values equal to `json.loads`, positions by path, duplicate keys, syntax errors.

JSON itself is RFC 8259 (https://www.rfc-editor.org/rfc/rfc8259); AWS reads policies as JSON
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iamtwin.policy.errors import PolicySyntaxError
from iamtwin.policy.source import MAX_DEPTH, read_json


def _syntax_error(text: str | bytes) -> tuple[str, int | None, int | None]:
    with pytest.raises(PolicySyntaxError) as caught:
        read_json(text)
    (problem,) = caught.value.problems
    assert problem.code == "JSON_SYNTAX_ERROR"
    return problem.location.path, problem.location.line, problem.location.column


@pytest.mark.parametrize(
    "text",
    [
        "{}",
        "[]",
        ' \t\r\n{"a" : [ 1 , 2 ] }\n',
        '"plain"',
        '"esc \\" \\\\ \\/ \\b \\f \\n \\r \\t"',
        '"\\u00e9\\u00E9 \\ud83d\\ude00 caf\\u00e9"',
        '"\\ud800 lone high, \\udc00 lone low, \\ud800\\u0041 high then letter"',
        '"unicode as is: é 😀 \\u2028"',
        "[0, -0, 1.5, -2.5e10, 1E+2, 3e-4, 12345678901234567890, 0.1]",
        "[true, false, null]",
        '{"a": {"b": {"c": [[], {}, [[{"d": null}]]]}}}',
        '{"": "empty key", "with.dot": 1, "with[1]": 2}',
    ],
)
def test_values_equal_json_loads(text: str) -> None:
    """Valid JSON reads to the same value as Python's json module."""
    assert read_json(text).value == json.loads(text)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
        max_leaves=20,
    ),
    st.sampled_from([None, 2]),
    st.booleans(),
)
def test_round_trip_of_json_dumps(value: object, indent: int | None, ascii_only: bool) -> None:
    """Whatever json.dumps writes (finite numbers) reads back equal to json.loads."""
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    assert read_json(text).value == json.loads(text)


def test_positions_use_dotted_paths_and_indexes() -> None:
    """Paths join keys with `.` and index arrays with `[i]`; lines and columns are 1-based."""
    text = (
        "{\n"
        '  "Statement": [\n'
        '    {"Effect": "Allow"},\n'
        '    {"Condition": {"StringEquals": {"aws:SourceIp": ["10.0.0.1", "10.0.0.2"]}}}\n'
        "  ]\n"
        "}"
    )
    positions = read_json(text).positions
    assert positions[""] == (1, 1)
    assert positions["Statement"] == (2, 16)
    assert positions["Statement[0]"] == (3, 5)
    assert positions["Statement[0].Effect"] == (3, 16)
    assert positions["Statement[1].Condition.StringEquals.aws:SourceIp"] == (4, 53)
    assert positions["Statement[1].Condition.StringEquals.aws:SourceIp[0]"] == (4, 54)
    assert positions["Statement[1].Condition.StringEquals.aws:SourceIp[1]"] == (4, 66)


def test_single_statement_paths_have_no_index() -> None:
    """A Statement object (not an array) gives paths like `Statement.Action[0]`."""
    positions = read_json('{"Statement": {"Action": ["s3:*"]}}').positions
    assert positions["Statement.Action[0]"] == (1, 27)


def test_columns_count_characters_not_bytes() -> None:
    """A column counts characters, so text before it in another script does not shift it."""
    assert read_json('{"é😀": [1]}').positions["é😀[0]"] == (1, 9)


def test_number_texts_keep_numbers_as_written() -> None:
    """Numbers keep their JSON text by path (`1.50` stays `1.50`)."""
    source = read_json('{"a": 1.50, "b": [10, -0, 2E3], "c": "7"}')
    assert source.number_texts == {"a": "1.50", "b[0]": "10", "b[1]": "-0", "b[2]": "2E3"}


def test_duplicate_keys_keep_the_last_value_and_report_each_repetition() -> None:
    """Every repeated key is reported with its path and position; the last value wins."""
    text = '{"a": {"x": 1, "y": 2},\n "a": 3,\n "a": [4], "b": {"c": 1, "c": 2}}'
    source = read_json(text)
    assert source.value == {"a": [4], "b": {"c": 2}}
    found = [(p.code, p.location.path, p.location.line, p.location.column) for p in source.duplicates]
    assert found == [
        ("DUPLICATE_KEY", "a", 2, 2),
        ("DUPLICATE_KEY", "a", 3, 2),
        ("DUPLICATE_KEY", "b.c", 3, 26),
    ]


def test_positions_of_replaced_values_are_dropped() -> None:
    """Paths that only existed inside a value replaced by a duplicate key leave the map."""
    source = read_json('{"a": {"x": {"deep": 1}}, "a": {"y": 2}}')
    assert set(source.positions) == {"", "a", "a.y"}
    assert source.positions["a"] == (1, 32)
    assert source.number_texts == {"a.y": "2"}


def test_byte_order_mark_is_skipped_in_text_and_bytes() -> None:
    """A UTF-8 BOM before the document is ignored, and columns do not count it."""
    for source in ('\ufeff{"a": 1}', '\ufeff{"a": 1}'.encode()):
        parsed = read_json(source)
        assert parsed.value == {"a": 1}
        assert parsed.positions["a"] == (1, 7)


def test_bytes_are_read_as_utf8() -> None:
    """Bytes are UTF-8; invalid UTF-8 is a syntax error at the bad byte."""
    assert read_json('{"k": "é"}'.encode()).value == {"k": "é"}
    assert _syntax_error(b'{\n  "k": "\xff"}') == ("", 2, 9)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", ("", 1, 1)),
        ("  \n  ", ("", 2, 3)),
        ('{"a": 1,}', ("", 1, 9)),
        ("[1, 2,]", ("[2]", 1, 7)),
        ('{"a" 1}', ("", 1, 6)),
        ('{"a": 1 "b": 2}', ("", 1, 9)),
        ("[1 2]", ("", 1, 4)),
        ("{a: 1}", ("", 1, 2)),
        ('"abc', ("", 1, 1)),
        ('"a\nb"', ("", 1, 3)),
        ('"bad \\x escape"', ("", 1, 6)),
        ('"\\u12"', ("", 1, 2)),
        ('"\\u12G4"', ("", 1, 2)),
        ("01", ("", 1, 2)),
        ("1.", ("", 1, 2)),
        ("-", ("", 1, 1)),
        (".5", ("", 1, 1)),
        ("+1", ("", 1, 1)),
        ("NaN", ("", 1, 1)),
        ("[Infinity]", ("[0]", 1, 2)),
        ("[-Infinity]", ("[0]", 1, 2)),
        ("tru", ("", 1, 1)),
        ("nul", ("", 1, 1)),
        ('{"a": 1}}', ("", 1, 9)),
        ('{"a": 1} {"b": 2}', ("", 1, 10)),
        ('{"a": [1, {"b": }]}', ("a[1].b", 1, 17)),
        ("\u00a0{}", ("", 1, 1)),
        ("{\ufeff}", ("", 1, 2)),
    ],
)
def test_syntax_errors_are_located(text: str, where: tuple[str, int, int]) -> None:
    """Malformed JSON raises one JSON_SYNTAX_ERROR at the offending character."""
    assert _syntax_error(text) == where


@pytest.mark.parametrize("text", ["", '{"a": 1,}', "NaN", "[1, 2,]", '"\\x"', "{'a': 1}"])
def test_syntax_error_messages_follow_the_house_style(text: str) -> None:
    """Messages are lowercase, without a final period."""
    with pytest.raises(PolicySyntaxError) as caught:
        read_json(text)
    message = caught.value.problems[0].message
    assert message[0].islower() and not message.endswith(".")


def test_deep_nesting_is_a_syntax_error_not_a_crash() -> None:
    """Nesting past MAX_DEPTH is refused with a located error instead of exhausting the stack."""
    text = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    assert _syntax_error(text)[1:] == (1, MAX_DEPTH + 1)
    assert read_json("[" * MAX_DEPTH + "]" * MAX_DEPTH).value is not None
    assert _syntax_error("{" * 100_000)[1] == 1


def test_huge_integer_is_a_syntax_error() -> None:
    """An integer Python refuses to convert is a syntax error, not a ValueError."""
    assert _syntax_error("1" * 10_000) == ("", 1, 1)


def test_large_documents_read_in_linear_time() -> None:
    """A ~100 KB policy, and a 1 MB string, read quickly (no quadratic string building)."""
    statement = {
        "Sid": "S",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": ["arn:aws:s3:::bucket/*"],
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["a", "b"]}, "Bool": {"k": True}},
    }
    text = json.dumps({"Version": "2012-10-17", "Statement": [statement] * 500}, indent=2)
    assert len(text) > 100_000
    started = time.perf_counter()
    source = read_json(text)
    big_string = read_json('"' + "ab\\n" * 300_000 + '"')
    elapsed = time.perf_counter() - started
    assert source.value == json.loads(text)
    assert len(str(big_string.value)) == 900_000
    assert elapsed < 2.0
