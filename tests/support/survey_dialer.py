"""A hand-written fake of our own ``SurveyDialer`` port (callcenter/ticketing/surveys/ports.py), for the
survey service's tests; the Asterisk adapter is tested against a real Asterisk by the telephony side."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

from callcenter.ticketing.surveys.model import AttemptOutcome
from callcenter.ticketing.surveys.ports import SurveyAnswer, SurveyCall, SurveyIntro

Scripted = AttemptOutcome | SurveyAnswer | BaseException


class FakeSurveyDialer:
    """Answers each call with the next scripted answer (an outcome, a whole answer, or an exception to
    raise). ``hold`` keeps calls ringing until released (to see calls in progress, and shutdown)."""

    def __init__(self, *script: Scripted, servers: Iterable[str] = ("a",)) -> None:
        self.script = list(script)
        self.calls: list[SurveyCall] = []
        self.servers = list(servers)
        self.up = True
        self.hold: asyncio.Event | None = None
        self.hung_up: list[str] = []  # channel ids of calls cancelled mid-way (shutdown)
        self.prepared: list[SurveyIntro] = []  # intros made ahead
        self.prepare_fails = False

    def reachable(self) -> list[str]:
        return list(self.servers) if self.up else []

    async def prepare(self, intro: SurveyIntro) -> None:
        self.prepared.append(intro)
        if self.prepare_fails:
            raise OSError("the voice is not available")

    async def place(self, order: SurveyCall) -> SurveyAnswer:
        self.calls.append(order)
        try:
            if self.hold is not None:
                await self.hold.wait()
        except asyncio.CancelledError:
            self.hung_up.append(order.channel_id)
            raise
        item = self.script.pop(0) if self.script else AttemptOutcome.NO_ANSWER
        if isinstance(item, BaseException):
            raise item
        return item if isinstance(item, SurveyAnswer) else SurveyAnswer(item)


@dataclass
class FakeLiveCalls:
    """Our own ``LiveCalls`` port: the numbers on a call with the hotline now."""

    numbers: set[str] = field(default_factory=set)

    async def on_call(self, number: str) -> bool:
        return number in self.numbers
