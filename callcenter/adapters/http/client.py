"""Who is on the other end of a request, and how the browser reached us: the client's address, whether the
browser's connection is HTTPS, and the origin (scheme://host[:port]) the browser sees.

Behind a TLS proxy the app sees the proxy's address, plain HTTP and possibly the proxy's own Host. The
proxy says what the browser used in ``X-Forwarded-For``, ``X-Forwarded-Proto`` and ``X-Forwarded-Host``;
anybody else could send the same headers, so they are believed only from a peer listed in
``trusted_proxies`` (addresses or CIDR networks, default none: the headers are ignored). With a chain of
proxies (each appending to ``X-Forwarded-For``), the client is the right-most address that is not a trusted
proxy; ``X-Forwarded-Proto`` and ``-Host`` are taken from the right-most value (the one the proxy next to
us wrote). docs/operations.md, "Behind a TLS proxy", shows an nginx setup.

Other modules use ``client_address`` (login rate limits, logs), ``is_secure`` (the ``Secure`` cookie
flag) and ``public_origin`` (the same-origin check of state-changing requests, csrf.py).
"""

from __future__ import annotations

from aiohttp import web

from callcenter.core.proxies import NO_PROXIES, TrustedProxies, address_of

TRUSTED_PROXIES = web.AppKey("trusted_proxies", TrustedProxies)


def _proxies(request: web.Request) -> TrustedProxies:
    return request.app.get(TRUSTED_PROXIES, NO_PROXIES)


def _from_proxy(request: web.Request) -> bool:
    return _proxies(request).trusts(request.remote)


def _last(request: web.Request, header: str) -> str | None:
    """The right-most value of a comma-separated forwarding header, or None."""
    values = [v.strip() for v in ",".join(request.headers.getall(header, [])).split(",") if v.strip()]
    return values[-1] if values else None


def client_address(request: web.Request) -> str:
    """The browser's address: the peer's, or — from a trusted proxy — the right-most address of
    ``X-Forwarded-For`` that is not itself a trusted proxy. Never a value a client could choose freely."""
    peer = request.remote or ""
    if not _from_proxy(request):
        return peer
    proxies = _proxies(request)
    hops = [v.strip() for v in ",".join(request.headers.getall("X-Forwarded-For", [])).split(",")]
    for hop in reversed([h for h in hops if h]):
        parsed = address_of(hop)
        if parsed is None:
            return peer  # a malformed chain: believe none of it
        if not proxies.trusts(str(parsed)):
            return str(parsed)
    return peer


def is_secure(request: web.Request) -> bool:
    """Whether the browser's connection is HTTPS: TLS to us, or ``X-Forwarded-Proto: https`` from a
    trusted proxy."""
    if request.secure:
        return True
    return _from_proxy(request) and (_last(request, "X-Forwarded-Proto") or "").lower() == "https"


def public_host(request: web.Request) -> str:
    """``host[:port]`` as the browser wrote it: ``X-Forwarded-Host`` from a trusted proxy, else ``Host``."""
    forwarded = _last(request, "X-Forwarded-Host") if _from_proxy(request) else None
    return (forwarded or request.host).lower()


def public_origin(request: web.Request) -> str:
    """This app's origin as the browser sees it, in the form browsers send in ``Origin``."""
    scheme = "https" if is_secure(request) else "http"
    return normal_origin(f"{scheme}://{public_host(request)}")


def normal_origin(origin: str) -> str:
    """``scheme://host[:port]`` lower-cased, a default port (80, 443) left out; "" if not an origin."""
    scheme, sep, rest = origin.strip().lower().partition("://")
    if not sep or scheme not in ("http", "https") or not rest or "/" in rest:
        return ""
    default = ":443" if scheme == "https" else ":80"
    return f"{scheme}://{rest.removesuffix(default)}"
