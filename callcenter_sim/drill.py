"""Running a drill (演练) against an Asterisk: seats register and log in, citizens call, figures come out.

The drill watches the floor through its own AMI connection (the production ``AmiBridge`` with its
translation to floor and call events), so answer delays are Asterisk's own timestamps and the report
speaks the same language as the wallboard. Seats are logged in to the hotline queue with ``QueueAdd``
(a member name ``sim:<seat>``) and logged out again at the end, whatever happens.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from callcenter.adapters.ami.actions import AmiActions, AmiEndpoint
from callcenter.adapters.ami.bridge import AmiBridge
from callcenter.adapters.ami.translate import HotlineMatch
from callcenter.calls.events import CallArrived, CallEvent, CallHungUp
from callcenter.core.clock import SystemClock
from callcenter.queue.events import FloorEvent
from callcenter_sim.plan import DrillPlan
from callcenter_sim.report import DrillReport, build_report
from callcenter_sim.sipp import Citizens, Seats

log = logging.getLogger(__name__)

SYNC_TIMEOUT_S = 20.0
SETTLE_S = 2.0  # after the last call: late AMI events (AgentComplete, Hangup) still arrive


@dataclass(frozen=True, slots=True)
class DrillTarget:
    """The Asterisk a drill runs against (loopback) and the seats it may use."""

    ami: AmiEndpoint
    sip_port: int
    seat_secrets: Mapping[str, str] = field(repr=False)  # each seat phone's own SIP secret
    seats: tuple[str, ...]  # PJSIP endpoints of agent phones that exist on that Asterisk
    queue: str = "hotline"
    hotline_number: str = "12345"
    context: str = "from-pstn"
    greeting_s: float = 7.0  # greeting + recording notice before the queue


@dataclass
class FloorWatch:
    """Everything the drill's AMI connection saw, in order."""

    floor: list[FloorEvent]
    numbers: dict[str, str]  # call id → caller number
    causes: dict[str, int]  # caller number → hang-up cause

    def on_floor(self, event: FloorEvent) -> None:
        self.floor.append(event)

    def on_call(self, event: CallEvent) -> None:
        if isinstance(event, CallArrived):
            self.numbers[event.call_id] = event.caller_number
        elif isinstance(event, CallHungUp) and event.call_id in self.numbers:
            self.causes[self.numbers[event.call_id]] = event.cause


class WatchSink:
    """The drill bridge's sink (``BridgeSink``): floor and call events to the watch in the storing stage;
    nothing is kept live, nothing is stored."""

    def __init__(self, watch: FloorWatch) -> None:
        self._watch = watch

    async def live(self, event: FloorEvent) -> None:
        return None

    async def floor(self, event: FloorEvent) -> None:
        self._watch.on_floor(event)

    async def calls(self, events: Sequence[CallEvent]) -> None:
        for event in events:
            self._watch.on_call(event)

    async def flush(self) -> None:
        return None

    async def resynced(self, server: str, live_call_ids: frozenset[str], at: datetime) -> None:
        return None


@dataclass(frozen=True, slots=True)
class DrillRun:
    report: DrillReport
    workdir: Path
    watch: FloorWatch


async def run_drill(
    target: DrillTarget, plan: DrillPlan, speech: Path | None, workdir: Path | None = None
) -> DrillRun:
    """Place every planned call, answer them with ``plan.spec.agents`` seats, return the report."""
    seats = pick_seats(target.seats, plan.spec.agents)
    workdir = workdir or Path(tempfile.mkdtemp(prefix="cc-drill-"))
    watch = FloorWatch([], {}, {})
    clock = SystemClock()
    bridge = AmiBridge(
        AmiActions(target.ami, clock),
        HotlineMatch(contexts=frozenset({target.context}), numbers=frozenset({target.hotline_number})),
        WatchSink(watch),
        clock,
    )
    await bridge.start()
    try:
        async with asyncio.timeout(SYNC_TIMEOUT_S):
            await bridge.synced.wait()
        citizens = await _drill(bridge, target, plan, seats, speech, workdir)
        await asyncio.sleep(SETTLE_S)
        await bridge.drained()
    finally:
        await bridge.stop()
    report = build_report(plan, watch.floor, watch.causes, citizens.markers(), citizens.counters())
    return DrillRun(report, workdir, watch)


def pick_seats(available: Sequence[str], wanted: int) -> tuple[str, ...]:
    if wanted > len(available):
        from callcenter.core.errors import InvalidInput

        raise InvalidInput(
            f"drill: {wanted} agents asked for, the Asterisk has {len(available)} seat phones "
            f"({', '.join(available[:5])}…); use --own-asterisk for a larger floor"
        )
    return tuple(available[:wanted])


async def _drill(
    bridge: AmiBridge,
    target: DrillTarget,
    plan: DrillPlan,
    seats: tuple[str, ...],
    speech: Path | None,
    workdir: Path,
) -> Citizens:
    worst = drill_time_bound(plan, target.greeting_s)
    longest_call = max(c.handle_s for c in plan.calls)
    phones = Seats({s: target.seat_secrets[s] for s in seats}, workdir, max_call_s=longest_call + 60)
    citizens = Citizens(plan, workdir, target.greeting_s, speech, max_wait_s=worst)
    phones.start(target.sip_port, run_for_s=min(worst, 7000))
    try:
        await asyncio.to_thread(phones.wait_registered, 20.0)
        for seat in seats:
            await bridge.actions.queue_add(target.queue, f"PJSIP/{seat}", f"sim:{seat}")
        citizens.start(target.sip_port, target.hotline_number)
        code = await asyncio.to_thread(citizens.wait, worst + 2 * target.greeting_s + 60)
        log.info("drill: citizens' sipp exited with %s", code)
    finally:
        citizens.stop()
        for seat in seats:
            try:
                await bridge.actions.queue_remove(target.queue, f"PJSIP/{seat}")
            except Exception as exc:  # the report still comes out; say what is left behind
                log.warning("drill: could not log %s out of %s: %s", seat, target.queue, exc)
        await asyncio.to_thread(phones.unregister, target.sip_port)
    return citizens


def drill_time_bound(plan: DrillPlan, greeting_s: float) -> float:
    """How long a drill may take before it is stopped: the offered span, plus the agents serving every
    call one after another, plus a greeting and a minute of slack."""
    serving = sum(c.handle_s + 1.0 for c in plan.calls) / plan.spec.agents
    return plan.offered_span_s + serving + greeting_s + max(c.handle_s for c in plan.calls) + 60.0
