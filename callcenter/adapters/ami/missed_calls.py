"""Placing missed-call call-backs (漏接回拨) through AMI: the ``Originator`` port of
callcenter/queue/missed_calls/service.py.

One Async Originate per attempt: the citizen is dialled through the outbound trunk
(``PJSIP/<number>@<trunk>``, asterisk_conf/pjsip.conf) for ``ring_s`` seconds; once answered, the leg
runs the ``callback-leg`` context (asterisk_conf/extensions_callback.conf), which puts the citizen into
the call-back queue (``hotline-callback``). ``ChannelId`` gives the leg the attempt's channel id, so the
queue events of that leg (AgentConnect, QueueCallerAbandon) and its UserEvent name the attempt they belong to.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from callcenter.adapters.ami.actions import AmiActions
from callcenter.core.errors import TelephonyUnavailable
from callcenter.queue.missed_calls.ports import DialOrder, DialResult
from callcenter.queue.missed_calls.rules import AttemptOutcome
from callcenter.queue.missed_calls.steps import outcome_of_reason

log = logging.getLogger(__name__)

LEG_CONTEXT = "callback-leg"
WAIT_MARGIN_S = 15.0  # beyond the ring time, for Asterisk to give up and report


class AmiOriginator:
    def __init__(self, telephony: Mapping[str, AmiActions], trunk: str, caller_id: str, ring_s: int) -> None:
        self._telephony = telephony
        self._trunk = trunk
        self._caller_id = caller_id
        self._ring_s = ring_s

    def reachable(self) -> list[str]:
        return [name for name, actions in self._telephony.items() if actions.synced.is_set()]

    async def dial(self, order: DialOrder) -> DialResult:
        actions = self._telephony.get(order.server)
        if actions is None:
            raise TelephonyUnavailable(f"no AMI bridge for server {order.server!r}", server=order.server)
        try:
            reply = await actions.originate(self.fields(order), self._ring_s + WAIT_MARGIN_S)
        except TimeoutError:
            log.warning("missed call %s: no OriginateResponse within the ring time", order.missed_call_id)
            return DialResult(AttemptOutcome.LOST)
        log.info(
            "missed call %s attempt %d: OriginateResponse %s, reason %s, cause %s",
            order.missed_call_id,
            order.attempt,
            reply.get("response", ""),
            reply.get("reason", ""),
            reply.get("cause", ""),
        )
        return result_of(reply)

    def fields(self, order: DialOrder) -> dict[str, str | list[str]]:
        return {
            "Channel": f"PJSIP/{order.number}@{self._trunk}",
            "Context": LEG_CONTEXT,
            "Exten": "s",
            "Priority": "1",
            "Timeout": str(self._ring_s * 1000),
            "CallerID": f'"{self._caller_id}" <{self._caller_id}>',
            "ChannelId": order.channel_id,
            "Variable": [f"CALLBACK_ID={order.missed_call_id}", f"CALLBACK_ATTEMPT={order.attempt}"],
        }


def result_of(reply: Mapping[str, str]) -> DialResult:
    """OriginateResponse → the attempt's outcome; an error reply to the action itself is a failure."""
    if reply.get("event", "").lower() != "originateresponse":
        log.warning("Originate refused: %s", reply.get("message", ""))
        return DialResult(AttemptOutcome.FAILED)
    try:
        reason = int(reply.get("reason", "0"))
    except ValueError:
        return DialResult(AttemptOutcome.FAILED)
    cause = reply.get("cause", "")
    return DialResult(outcome_of_reason(reason, int(cause) if cause.isdigit() else None), reason)
