"""JSON request bodies, read once and checked before a handler sees them.

What a handler gets is a JSON object whose every string can be stored (UTF-8 encodable) and which is at
most ``MAX_DEPTH`` levels deep; anything else is a 400 with a stable code, never a 500 deeper down:

* a body that is not JSON (bad syntax, bad UTF-8, a number too long to convert) — ``invalid_input``;
  (``NaN``, ``Infinity`` and ``1e999`` parse as floats, as Python's parser has it: the routes that take
  numbers check them, e.g. staffing's ``staffing_invalid``);
* nesting deeper than ``MAX_DEPTH`` (Python's parser would raise ``RecursionError`` at ~1000 levels; no
  route takes more than three) — ``json_too_deep``;
* a lone UTF-16 surrogate (``"\\ud800"``), which JSON allows but UTF-8, PostgreSQL and Redis do not —
  ``invalid_text``;
* anything but an object at the top — ``invalid_input``.

The content type is checked first: ``application/json`` or 415 (csrf.py checks it for every route too).
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from callcenter.adapters.http.refusals import UnsupportedMediaType
from callcenter.core.errors import InvalidInput

MAX_DEPTH = 32


class JsonTooDeep(InvalidInput):
    code = "json_too_deep"


class InvalidText(InvalidInput):
    """Text that cannot be stored: a lone surrogate (U+D800–U+DFFF) or a NUL character."""

    code = "invalid_text"


def parse(text: str) -> Any:
    """The JSON value of ``text``, checked (module docstring)."""
    try:
        value = json.loads(text)
    except RecursionError as exc:
        raise JsonTooDeep(f"the body is nested more than {MAX_DEPTH} levels deep") from exc
    except ValueError as exc:
        raise InvalidInput("the body is not valid JSON") from exc
    check_value(value)
    return value


def check_value(value: Any) -> None:
    """Depth and storable text of a parsed value (keys included), without recursion."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            check_text(item)
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise JsonTooDeep(f"the body is nested more than {MAX_DEPTH} levels deep")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


def check_text(text: str) -> None:
    """``InvalidText`` for a lone surrogate or a NUL (PostgreSQL refuses both in text)."""
    if "\x00" in text:
        raise InvalidText("text may not contain NUL characters")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidText("text contains an unpaired surrogate (not valid Unicode)") from exc


async def json_object(request: web.Request) -> dict[str, Any]:
    """The request's body as a checked JSON object."""
    if request.content_type != "application/json":
        raise UnsupportedMediaType(
            "the body must be JSON (Content-Type: application/json)", accepted="application/json"
        )
    try:
        text = (await request.read()).decode("utf-8")  # RFC 8259: JSON between systems is UTF-8
    except UnicodeDecodeError as exc:
        raise InvalidInput("the body is not valid UTF-8 JSON") from exc
    body = parse(text)
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object")
    return body
