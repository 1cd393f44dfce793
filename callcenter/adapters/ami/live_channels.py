"""What Asterisk's live channels (CoreShowChannels, taken at every resync) say about our calls. Pure.

A call answered while the AMI link was down sent its AgentConnect to nobody: without this, its record
would stay "queued" and end as abandoned. The agent's leg of an app_queue call runs the application
``AppQueue`` and, once answered, sits in a bridge with the caller; it shares the caller's Linkedid (our
call id). Such a leg at resync time is an answered call, connected to that seat.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from callcenter.calls.events import AgentConnected
from callcenter.core.ids import CallId

AGENT_LEG_APPLICATION = "appqueue"  # app_queue's outgoing leg to a member ("(Outgoing Line)")


def live_call_ids(channels: Iterable[Mapping[str, str]]) -> frozenset[str]:
    """Linkedids of every live channel (headers lower-cased, as ``normalise`` gives them)."""
    return frozenset(h["linkedid"] for h in _channels(channels) if h.get("linkedid"))


def answered_legs(channels: Iterable[Mapping[str, str]], at: datetime) -> tuple[AgentConnected, ...]:
    """An ``AgentConnected`` for each bridged agent leg of a queue call. The answer time is not in the
    snapshot: the leg's age (from when it was dialled) bounds it from below, so it is used."""
    return tuple(
        AgentConnected(
            call_id=CallId(h["linkedid"]),
            at=at - timedelta(seconds=_seconds(h.get("duration", ""))),
            queue="",  # the record keeps the queue it joined
            agent=h["channel"].rpartition("-")[0] or h["channel"],
            hold_seconds=0,
        )
        for h in _channels(channels)
        if _is_answered_agent_leg(h)
    )


def _channels(messages: Iterable[Mapping[str, str]]) -> list[Mapping[str, str]]:
    return [h for h in messages if h.get("event", "").lower() == "coreshowchannel"]


def _is_answered_agent_leg(headers: Mapping[str, str]) -> bool:
    return (
        headers.get("application", "").lower() == AGENT_LEG_APPLICATION
        and bool(headers.get("bridgeid"))
        and bool(headers.get("linkedid"))
        and bool(headers.get("channel"))
    )


def _seconds(duration: str) -> int:
    """``HH:MM:SS`` (CoreShowChannel Duration) → seconds; anything else → 0."""
    parts = duration.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return 0
    hours, minutes, seconds = (int(p) for p in parts)
    return hours * 3600 + minutes * 60 + seconds
