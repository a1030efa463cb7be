"""Read JSON text into Python values, remembering where each value starts.

Python's `json` module cannot say where a value is nor notice a key written twice, and both
matter for policy problems, so this is a small recursive-descent reader of RFC 8259 JSON.

Paths name values the way problems do: object keys joined with `.`, array items as `[i]`
(`Statement[1].Condition.StringEquals.aws:SourceIp[0]`); the root is the empty path.
A key written twice keeps its last value (as `json.loads` and AWS do) and is reported once
per repetition. A syntax error raises PolicySyntaxError with one JSON_SYNTAX_ERROR problem.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import Location
from .errors import PolicyProblem, PolicySyntaxError

# Policies are a few levels deep; the cap keeps hostile input from exhausting the stack.
MAX_DEPTH = 256

_WS = re.compile(r"[ \t\n\r]*")
_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_LITERALS: tuple[tuple[str, object], ...] = (("true", True), ("false", False), ("null", None))
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class JsonSource:
    """A parsed JSON document with the (line, column) of every value and its duplicate keys.

    `number_texts` keeps each number exactly as written (`10`, `1.50`), by path.
    """

    value: object
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    number_texts: Mapping[str, str] = field(default_factory=dict)
    duplicates: tuple[PolicyProblem, ...] = ()


class _Fail(Exception):
    """A syntax error at a character index, raised inside the reader only."""

    def __init__(self, message: str, index: int, path: str) -> None:
        super().__init__(message)
        self.message = message
        self.index = index
        self.path = path


def child_path(path: str, key: str) -> str:
    """The path of member `key` of the object at `path`."""
    return f"{path}.{key}" if path else key


def item_path(path: str, index: int) -> str:
    """The path of item `index` of the array at `path`."""
    return f"{path}[{index}]"


def read_json(source: str | bytes | bytearray) -> JsonSource:
    """Parse JSON text (str, or UTF-8 bytes) into a JsonSource; raise PolicySyntaxError if malformed."""
    text = _decode(source)
    reader = _Reader(text)
    try:
        value = reader.document()
    except _Fail as fail:
        line, column = reader.line_column(fail.index)
        problem = PolicyProblem("JSON_SYNTAX_ERROR", fail.message, Location(fail.path, line, column))
        raise PolicySyntaxError((problem,)) from None
    return reader.result(value)


def _decode(source: str | bytes | bytearray) -> str:
    if isinstance(source, str):
        text = source
    else:
        raw = bytes(source)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = raw[: exc.start].decode("utf-8").removeprefix(_BOM)
            line = before.count("\n") + 1
            column = len(before) - (before.rfind("\n") + 1) + 1
            message = "the document is not valid UTF-8 text"
            problem = PolicyProblem("JSON_SYNTAX_ERROR", message, Location("", line, column))
            raise PolicySyntaxError((problem,)) from None
    # Many editors save a byte order mark; it is not part of the JSON value.
    return text.removeprefix(_BOM)


def _span_end(pattern: re.Pattern[str], text: str, i: int) -> int:
    # The patterns used here match the empty string, so a match always exists.
    match = pattern.match(text, i)
    return match.end() if match else i


def _skip(text: str, i: int) -> int:
    # Most tokens are not followed by whitespace; skip the regex call for them.
    if i < len(text) and text[i] not in " \t\n\r":
        return i
    match = _WS.match(text, i)
    return match.end() if match else i


def _show(char: str) -> str:
    return f"`{char}`" if char.isprintable() and not char.isspace() else f"U+{ord(char):04X}"


class _Reader:
    """One pass over the text; values are located by their first character's index."""

    __slots__ = ("dead", "duplicates", "newlines", "spans", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        # Every value in document order: (path, index, number text or None).
        self.spans: list[tuple[str, int, str | None]] = []
        # Ranges of `spans` belonging to values a later duplicate key replaced.
        self.dead: list[tuple[int, int]] = []
        self.duplicates: list[tuple[str, str, int]] = []
        self.newlines: list[int] | None = None

    def line_column(self, index: int) -> tuple[int, int]:
        """1-based line and column of a character index."""
        if self.newlines is None:
            self.newlines = [m.start() for m in re.finditer("\n", self.text)]
        before = bisect_right(self.newlines, index - 1)
        line_start = self.newlines[before - 1] + 1 if before else 0
        return before + 1, index - line_start + 1

    def document(self) -> object:
        """The value of the whole text; only whitespace may follow it."""
        text = self.text
        start = _skip(text, 0)
        if start == len(text):
            raise _Fail("the document is empty", start, "")
        value, end = self.value(start, "", 0)
        end = _skip(text, end)
        if end != len(text):
            raise _Fail(f"unexpected {_show(text[end])} after the end of the document", end, "")
        return value

    def result(self, value: object) -> JsonSource:
        """Package the value with the positions and numbers of the values that were kept."""
        alive = self._alive()
        positions: dict[str, tuple[int, int]] = {}
        numbers: dict[str, str] = {}
        for n, (path, index, number) in enumerate(self.spans):
            if alive[n]:
                positions[path] = self.line_column(index)
                if number is not None:
                    numbers[path] = number
        duplicates = tuple(
            PolicyProblem(
                "DUPLICATE_KEY",
                f"key `{key}` appears more than once in the same object",
                Location(path, *self.line_column(index)),
            )
            for path, key, index in self.duplicates
        )
        return JsonSource(value, positions, numbers, duplicates)

    def _alive(self) -> list[bool]:
        # A running count over range starts and ends marks the replaced values in one pass.
        delta = [0] * (len(self.spans) + 1)
        for start, end in self.dead:
            delta[start] += 1
            delta[end] -= 1
        alive: list[bool] = []
        depth = 0
        for n in range(len(self.spans)):
            depth += delta[n]
            alive.append(depth == 0)
        return alive

    def value(self, i: int, path: str, depth: int) -> tuple[object, int]:
        """Read the value starting at or after index `i`; return it and the index after it."""
        text = self.text
        i = _skip(text, i)
        if i >= len(text):
            raise _Fail("unexpected end of the document, expected a value", i, path)
        char = text[i]
        if char == "{":
            return self.read_object(i, path, depth)
        if char == "[":
            return self.read_array(i, path, depth)
        if char == '"':
            self.spans.append((path, i, None))
            return self.string(i, path)
        if char == "-" or "0" <= char <= "9":
            return self.number(i, path)
        for word, literal in _LITERALS:
            if text.startswith(word, i):
                self.spans.append((path, i, None))
                return literal, i + len(word)
        raise _Fail(f"unexpected {_show(char)}, expected a value", i, path)

    def number(self, i: int, path: str) -> tuple[object, int]:
        """Read a number, keeping its text."""
        match = _NUMBER.match(self.text, i)
        if match is None:
            raise _Fail("invalid number", i, path)
        written = match.group()
        try:
            number: object = float(written) if match.group(1) or match.group(2) else int(written)
        except ValueError:
            # Python refuses to convert integers of more than a few thousand digits.
            raise _Fail("number is too long", i, path) from None
        self.spans.append((path, i, written))
        return number, match.end()

    def read_object(self, i: int, path: str, depth: int) -> tuple[object, int]:
        """Read an object; a repeated key replaces the earlier value and is recorded."""
        if depth >= MAX_DEPTH:
            raise _Fail(f"values are nested more than {MAX_DEPTH} levels deep", i, path)
        text = self.text
        self.spans.append((path, i, None))
        result: dict[str, object] = {}
        ranges: dict[str, tuple[int, int]] = {}
        i = _skip(text, i + 1)
        if text.startswith("}", i):
            return result, i + 1
        while True:
            if not text.startswith('"', i):
                raise _Fail("expected a member name in double quotes", i, path)
            key_index = i
            key, i = self.string(i, path)
            i = _skip(text, i)
            if not text.startswith(":", i):
                raise _Fail(f"expected `:` after member name `{key}`", i, path)
            member = child_path(path, key)
            first = len(self.spans)
            result[key], i = self.value(i + 1, member, depth + 1)
            if key in ranges:
                self.dead.append(ranges[key])
                self.duplicates.append((member, key, key_index))
            ranges[key] = (first, len(self.spans))
            i = _skip(text, i)
            if text.startswith(",", i):
                i = _skip(text, i + 1)
            elif text.startswith("}", i):
                return result, i + 1
            else:
                raise _Fail("expected `,` or `}` after an object member", i, path)

    def read_array(self, i: int, path: str, depth: int) -> tuple[object, int]:
        """Read an array."""
        if depth >= MAX_DEPTH:
            raise _Fail(f"values are nested more than {MAX_DEPTH} levels deep", i, path)
        text = self.text
        self.spans.append((path, i, None))
        result: list[object] = []
        i = _skip(text, i + 1)
        if text.startswith("]", i):
            return result, i + 1
        while True:
            item, i = self.value(i, item_path(path, len(result)), depth + 1)
            result.append(item)
            i = _skip(text, i)
            if text.startswith(",", i):
                i += 1
            elif text.startswith("]", i):
                return result, i + 1
            else:
                raise _Fail("expected `,` or `]` after an array item", i, path)

    def string(self, i: int, path: str) -> tuple[str, int]:
        """Read a string with its escapes; control characters must be escaped."""
        text = self.text
        start = i
        chunks: list[str] = []
        i += 1
        while True:
            end = _span_end(_PLAIN, text, i)
            if end > i:
                chunks.append(text[i:end])
            i = end
            if i >= len(text):
                raise _Fail("unterminated string", start, path)
            char = text[i]
            if char == '"':
                return "".join(chunks), i + 1
            if char != "\\":
                raise _Fail(f"control character {_show(char)} in a string must be escaped", i, path)
            escape = text[i + 1 : i + 2]
            if escape == "u":
                code, i = self._unicode_escape(i, path)
                chunks.append(chr(code))
            elif escape in _ESCAPES:
                chunks.append(_ESCAPES[escape])
                i += 2
            else:
                shown = _show(escape) if escape else "at the end of the document"
                raise _Fail(f"invalid escape {shown} in a string", i, path)

    def _unicode_escape(self, i: int, path: str) -> tuple[int, int]:
        text = self.text
        if _HEX4.fullmatch(text, i + 2, i + 6) is None:
            raise _Fail("invalid `\\u` escape: expected four hexadecimal digits", i, path)
        code = int(text[i + 2 : i + 6], 16)
        i += 6
        # A high surrogate followed by a low one is one character; a lone one is kept as is,
        # as Python's json does.
        if 0xD800 <= code <= 0xDBFF and text.startswith("\\u", i) and _HEX4.fullmatch(text, i + 2, i + 6):
            low = int(text[i + 2 : i + 6], 16)
            if 0xDC00 <= low <= 0xDFFF:
                return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), i + 6
        return code, i
