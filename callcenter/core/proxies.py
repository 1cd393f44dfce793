"""Which peers are trusted proxies: a list of addresses and CIDR networks (``trusted_proxies``).

Only a request that arrives from one of them may tell the app, in ``X-Forwarded-*`` headers, what the
browser used (its address, HTTPS, the host); callcenter/adapters/http/client.py applies it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from callcenter.core.errors import ConfigError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def address_of(raw: str | None) -> Address | None:
    """An IPv4 or IPv6 address (brackets and a zone index allowed), or None."""
    if not raw:
        return None
    try:
        return ipaddress.ip_address(raw.strip().strip("[]").split("%", 1)[0])
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class TrustedProxies:
    networks: tuple[Network, ...] = ()

    @classmethod
    def parse(cls, spec: str | Iterable[str]) -> TrustedProxies:
        """``"10.0.0.5, 172.18.0.0/16, ::1"`` (or a list of such items); ``ConfigError`` on a bad item."""
        items = spec.split(",") if isinstance(spec, str) else list(spec)
        networks = []
        for item in (i.strip() for i in items):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise ConfigError(
                    f"trusted_proxies: {item!r} is not an address or network", key="trusted_proxies"
                ) from exc
        return cls(tuple(networks))

    def trusts(self, address: str | None) -> bool:
        parsed = address_of(address)
        return parsed is not None and any(parsed in net for net in self.networks)


NO_PROXIES = TrustedProxies()
