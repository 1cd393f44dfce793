"""One door for every state-changing request (POST, PUT, PATCH, DELETE): it must come from this site's own
pages, and carry JSON (or, on a route that takes files, multipart) — checked before anything is read.

Why not the cookie alone: the session cookie is SameSite=Strict, but "site" ignores the port, so a page on
another port of the same host (``http://127.0.0.1:8099``, any other service of the machine) is same-site:
the browser sends the cookie with its form posts. A form can post ``application/x-www-form-urlencoded``,
``multipart/form-data`` or ``text/plain`` without asking (no CORS preflight), so a route that reads no body
(解除并单, retry a missed-call call-back …) or reads a form was open to it.

The rule (OWASP's "verifying origin with standard headers", and Fetch Metadata):

1. ``Origin`` present → it must equal this app's origin as the browser sees it (scheme, host and port;
   behind a TLS proxy from the trusted ``X-Forwarded-*`` headers, client.py). ``Origin: null`` (a sandboxed
   frame, a redirect across sites, a ``data:`` page) is refused.
2. No ``Origin`` → ``Sec-Fetch-Site``, if present, must be ``same-origin`` or ``none`` (the user's own
   navigation, not a page's).
3. Neither header → allowed. Every browser that runs today's pages sends one of them on a cross-origin
   POST: Chromium and Safari send ``Origin`` on every POST, Firefox on every cross-origin one, and all three
   send ``Sec-Fetch-Site`` on every request (Chrome 76, Firefox 90, Safari 16.4). A request with neither
   comes from a program — the tests, curl, a script of an operator — that holds its own session cookie;
   such a client is not a confused deputy, and CSRF is about a browser's ambient cookie only. A browser too
   old to send either is still held back by SameSite=Strict for other sites, and the content-type rule
   below keeps its forms out of every route that reads a body.

Content types: a state-changing request with a body must send it as ``application/json``; on a route
marked with ``takes_files`` (the attachment upload) as ``multipart/form-data`` instead. Otherwise 415
``unsupported_media_type``, before the body is read. An empty body passes whatever type it names: a
bodiless command (``fetch(url, {method: "POST"})`` sends no type, aiohttp's client sends
``application/octet-stream``) carries nothing to misread, and rule 1–3 above stand for it all the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import hdrs, web

from callcenter.adapters.http.client import normal_origin, public_origin
from callcenter.adapters.http.refusals import CrossSiteRequest, UnsupportedMediaType

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
F = TypeVar("F", bound=Callable[..., Any])

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
SAFE_FETCH_SITES = frozenset({"same-origin", "none"})
JSON = "application/json"
MULTIPART = "multipart/form-data"
_BODY_TYPE = "_callcenter_body_type"


def takes_files(handler: F) -> F:
    """Mark a route handler whose body is ``multipart/form-data`` (files) rather than JSON."""
    setattr(handler, _BODY_TYPE, MULTIPART)
    return handler


def body_type_of(request: web.Request) -> str:
    return str(getattr(request.match_info.handler, _BODY_TYPE, JSON))


def check_origin(request: web.Request) -> None:
    """Rules 1–3 of the module's docstring; ``CrossSiteRequest`` when the request came from elsewhere."""
    origin = request.headers.get(hdrs.ORIGIN)
    if origin is not None:
        if normal_origin(origin) != public_origin(request):
            raise CrossSiteRequest("cross-site request refused", origin=origin[:100])
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site.strip().lower() not in SAFE_FETCH_SITES:
        raise CrossSiteRequest("cross-site request refused", fetch_site=site[:20])


def has_body(request: web.Request) -> bool:
    return bool(request.content_length) or hdrs.TRANSFER_ENCODING in request.headers


def check_content_type(request: web.Request) -> None:
    """JSON (or multipart on a ``takes_files`` route) whenever there is a body."""
    if not has_body(request):
        return
    wanted = body_type_of(request)
    if request.content_type != wanted:
        raise UnsupportedMediaType(
            f"this request takes {wanted}", content_type=request.content_type[:60], accepted=wanted
        )


@web.middleware
async def same_origin_writes(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in STATE_CHANGING and request.match_info.http_exception is None:
        check_origin(request)
        check_content_type(request)
    return await handler(request)
