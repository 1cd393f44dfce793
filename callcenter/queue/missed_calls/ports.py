"""The ports of the missed-call feature (漏接回拨): the list in storage and the telephony that dials.

Adapters: callcenter/adapters/db/missed_calls.py (``SqlMissedCalls``: both store protocols) and
callcenter/adapters/ami/missed_calls.py (``AmiOriginator``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from callcenter.queue.missed_calls.rules import (
    AttemptOutcome,
    MissedCall,
    MissedCallPolicy,
    MissedCallRequest,
    MissedCallState,
)


class MissedCallStore(Protocol):
    """The missed-call list (callcenter/adapters/db/missed_calls.py)."""

    async def record_miss(self, missed: MissedCall, policy: MissedCallPolicy) -> MissedCallRequest | None: ...
    async def get(self, missed_call_id: int) -> MissedCallRequest | None: ...
    async def by_channel(self, channel_id: str) -> MissedCallRequest | None: ...
    async def open_for_number(self, number: str) -> MissedCallRequest | None: ...
    async def due(self, now: datetime, limit: int) -> list[MissedCallRequest]: ...
    async def expired(self, now: datetime, limit: int) -> list[MissedCallRequest]: ...
    async def save(self, request: MissedCallRequest) -> MissedCallRequest:
        """Write if the stored version is still ``request.version`` (else ConcurrentUpdate)."""
        ...


@dataclass(frozen=True, slots=True)
class DialOrder:
    """One Originate: the citizen's ``number`` from Asterisk ``server``; ``channel_id`` names the leg."""

    server: str
    number: str
    channel_id: str
    missed_call_id: int
    attempt: int


@dataclass(frozen=True, slots=True)
class DialResult:
    outcome: AttemptOutcome
    reason_code: int | None = None


class Originator(Protocol):
    """Places call-back calls through Asterisk (callcenter/adapters/ami/missed_calls.py)."""

    def reachable(self) -> Sequence[str]:
        """Servers whose AMI is connected now."""
        ...

    async def dial(self, order: DialOrder) -> DialResult:
        """The Originate's outcome; TelephonyUnavailable when nothing could be sent."""
        ...


class MissedCallList(MissedCallStore, Protocol):
    """The missed-call list as the desk reads it (newest first, with the missed entries of a request)."""

    async def listing(
        self,
        state: MissedCallState | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 200,
    ) -> list[MissedCallRequest]: ...
    async def sources(self, missed_call_id: int) -> list[MissedCall]: ...
