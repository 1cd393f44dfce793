"""Several Asterisks behind one hotline: one AMI bridge per server, by server name.

Every bridge feeds the same call flow and floor pipeline: events carry their ``server``, and everything
downstream (call records, seats, waiting callers, the service-level ledger) is keyed by it. Whatever
sends an AMI action for a seat or a call picks the bridge of the server that seat or call belongs to
(``for_server``). One server down leaves the others working; health reports each one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from callcenter.adapters.ami.actions import AmiEndpoint
from callcenter.adapters.ami.bridge import AmiBridge
from callcenter.config.asterisk_servers import KEY, AsteriskServer
from callcenter.core.errors import ConfigError, InvalidInput


def endpoints(
    servers: Sequence[AsteriskServer], shared_secret: str, env: Mapping[str, str]
) -> tuple[AmiEndpoint, ...]:
    """Each server's AMI endpoint; a server's ``secret_env`` is read from ``env`` (secrets only from env)."""
    return tuple(
        AmiEndpoint(s.name, s.host, s.ami_port, s.ami_user, _secret(s, shared_secret, env)) for s in servers
    )


def _secret(server: AsteriskServer, shared_secret: str, env: Mapping[str, str]) -> str:
    if not server.secret_env:
        return shared_secret
    secret = env.get(server.secret_env, "")
    if not secret:
        raise ConfigError(
            f"server {server.name}: the environment variable {server.secret_env} (its AMI secret) is not set",
            key=KEY,
        )
    return secret


class BridgeSet(Mapping[str, AmiBridge]):
    """The AMI bridges by server name, in configured order (the first is the local one)."""

    def __init__(self, bridges: Sequence[AmiBridge]) -> None:
        if not bridges:
            raise ConfigError("at least one Asterisk server is needed", key=KEY)
        self._bridges = {b.endpoint.server: b for b in bridges}
        if len(self._bridges) != len(bridges):
            raise ConfigError("Asterisk server names must be unique", key=KEY)
        self.first = bridges[0]

    @classmethod
    def build(cls, endpoints: Sequence[AmiEndpoint], make: Callable[[AmiEndpoint], AmiBridge]) -> BridgeSet:
        return cls([make(endpoint) for endpoint in endpoints])

    # -- Mapping ---------------------------------------------------------------------------------
    def __getitem__(self, server: str) -> AmiBridge:
        return self._bridges[server]

    def __iter__(self) -> Iterator[str]:
        return iter(self._bridges)

    def __len__(self) -> int:
        return len(self._bridges)

    def for_server(self, server: str) -> AmiBridge:
        """The bridge to send a seat's or a call's actions through; an unknown server is bad input."""
        try:
            return self._bridges[server]
        except KeyError:
            raise InvalidInput(f"unknown Asterisk server {server!r}", field="server") from None

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        for bridge in self._bridges.values():
            await bridge.start()

    async def stop(self) -> None:
        await asyncio.gather(*(bridge.stop() for bridge in self._bridges.values()))

    async def drained(self) -> None:
        await asyncio.gather(*(bridge.drained() for bridge in self._bridges.values()))

    async def all_synced(self) -> None:
        """Wait until every server is logged in and resynced (tests, the demo)."""
        await asyncio.gather(*(bridge.synced.wait() for bridge in self._bridges.values()))

    # -- health ----------------------------------------------------------------------------------
    def synced(self) -> bool:
        return all(bridge.synced.is_set() for bridge in self._bridges.values())

    def down(self) -> tuple[str, ...]:
        """Servers not logged in and resynced right now."""
        return tuple(name for name, bridge in self._bridges.items() if not bridge.synced.is_set())

    def health(self) -> dict[str, dict[str, Any]]:
        return {name: _health(bridge) for name, bridge in self._bridges.items()}


def _health(bridge: AmiBridge) -> dict[str, Any]:
    endpoint = bridge.endpoint
    return {
        "address": f"{endpoint.host}:{endpoint.port}",
        "connected": bridge.connected.is_set(),
        "synced": bridge.synced.is_set(),
        "logins": bridge.logins,
        "resyncs": bridge.resyncs,
    }
