"""Security headers on every response — pages, API answers, errors (404, 405, 500), static files, event
streams — set in ``on_response_prepare``, which aiohttp runs for every response it sends for a matched or
unmatched route, including the ones it writes itself; and no ``Server`` header naming the software and its
version (aiohttp's default ``Python/3.11 aiohttp/3.x``).

A response that set its own policy keeps it (an attachment's download has a sandboxing CSP). Not covered:
the 400 aiohttp answers to a request it cannot parse as HTTP at all (no route, no app); a TLS proxy in
front answers those itself (docs/operations.md).
"""

from __future__ import annotations

from aiohttp import hdrs, web

CSP = (
    "default-src 'self'; media-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
ALWAYS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in ALWAYS.items():
        response.headers.setdefault(name, value)
    if request.path.startswith("/api/"):
        response.headers.setdefault(hdrs.CACHE_CONTROL, "no-store")
    response.headers.popall(hdrs.SERVER, None)


def add_security_headers(app: web.Application) -> None:
    app.on_response_prepare.append(security_headers)
