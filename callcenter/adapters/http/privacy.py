"""Citizens' personal data never travels in a URL (issue 11).

URLs end up in access logs, proxies' logs and browser history. Inputs that may carry a phone number, a name,
an address or the caller's words — a search for a caller, the live transcript sent to the knowledge base, an
address to resolve — are sent in the JSON body of a POST. The old GET forms refuse such parameters with
400 ``personal_data_in_url`` naming the POST to use, so that no client keeps leaking them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from callcenter.core.errors import InvalidInput


class PersonalDataInUrl(InvalidInput):
    """A parameter that may carry personal data came in the query string (HTTP 400)."""

    code = "personal_data_in_url"


def refuse_in_query(request: web.Request, post_path: str, *names: str) -> None:
    """400 when any of ``names`` is in the query string, even empty: it belongs in POST ``post_path``."""
    found = [name for name in names if name in request.query]
    if found:
        raise PersonalDataInUrl(
            f"{', '.join(found)} may carry personal data and is not accepted in a URL; "
            f"send it in the JSON body of POST {post_path}",
            fields=found,
            use=f"POST {post_path}",
        )


def text_fields(body: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, str]:
    """The named fields of a JSON body as query-like strings (a number as its digits; absent or null left
    out), so that a POST and a GET share one parser. A list or an object is refused."""
    out: dict[str, str] = {}
    for name in names:
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise InvalidInput(f"{name} must be text or a whole number", field=name)
        out[name] = str(value)
    return out
