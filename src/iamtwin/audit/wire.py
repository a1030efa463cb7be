"""The error code and message of an AWS error document, whichever protocol wrote it.

Query and EC2 protocols write `<Code>` and `<Message>` elements, REST-XML the same under `<Error>`,
JSON protocols a `__type` (optionally prefixed `namespace#`) and `message` or `Message`.
"""

from __future__ import annotations

import html
import json
import re

_CODE = re.compile(rb"<Code>(.*?)</Code>", re.S)
_MESSAGE = re.compile(rb"<Message>(.*?)</Message>", re.S)


def error_of(body: bytes) -> tuple[str | None, str | None]:
    """(errorCode, errorMessage) of an error response body; (None, None) when it is not one."""
    text = body.lstrip()
    if text.startswith(b"{"):
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None, None
        if not isinstance(data, dict):
            return None, None
        code = data.get("__type") or data.get("code")
        message = data.get("message") or data.get("Message")
        return (
            str(code).rsplit("#", 1)[-1] if code else None,
            str(message) if message is not None else None,
        )
    code_match, message_match = _CODE.search(text), _MESSAGE.search(text)
    code = html.unescape(code_match.group(1).decode("utf-8", "replace")) if code_match else None
    message = html.unescape(message_match.group(1).decode("utf-8", "replace")) if message_match else None
    return code, message
