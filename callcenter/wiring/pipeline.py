"""The call flow, top to bottom, in one table: each event and what it goes to (HOUSE_STYLE principle 1).

``CALL_FLOW`` reads in the order a call is lived: the AMI event → the call record and the floor → the
recording closed → the transcription job → transcript + draft → registration (受理) → dispatch (派单) →
the unit's inbox → reply → the callback survey (回访) → close; beside it the deadline sweep → cards →
supervision (督办). Each row names the step and the module and function that does it.

The rows the AMI bridge delivers (``Live``, ``Store``, ``Flush``, ``Calls``, ``Resync``) are *wired from
this table*: ``floor_pipeline`` and ``FlowSink`` take their handlers, in row order, from the parts the
composition root built — this table is the only place the order of the bridge's handlers is written.
The other rows (``Elsewhere``) happen in a worker process, through an HTTP command of the work-order
service or on a timer; they are listed so that the whole flow reads here.

The bridge's two stages (ADR 0014; docs/architecture.md, "The floor: two stages"): ``Live`` handlers keep
state in memory and never wait on I/O, run as events arrive; ``Store`` handlers, the burst's ``Calls``
and the ``Flush`` follow in the storing stage, in bursts, retried until they succeed; ``Resync`` after
every (re)login, once everything before it is stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from callcenter.adapters.ami.live_tap import LiveTap
from callcenter.adapters.redis.wallboard import WallboardPublisher
from callcenter.calls.events import CallEvent
from callcenter.calls.service import CallFlow
from callcenter.queue.events import FloorEvent
from callcenter.queue.missed_calls.service import MissedCallFloor
from callcenter.queue.pipeline import FloorFlush, FloorHandler, FloorPipeline
from callcenter.queue.seats.agent_floor import AgentFloor
from callcenter.queue.service_level.recorder import ServiceLevelRecorder

CallsHandler = Callable[[Sequence[CallEvent]], Awaitable[object]]
ResyncHandler = Callable[[str, Collection[str], datetime], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class FlowParts:
    """The handlers the composition root built; ``None``: that part does not run here (setting off)."""

    calls: CallFlow
    seats: AgentFloor
    wallboard: WallboardPublisher
    service_level: ServiceLevelRecorder
    live_tap: LiveTap | None = None
    missed_calls: MissedCallFloor | None = None


# -- how a row is delivered ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Live:
    """Bridge stage 1: a floor event, as it arrives; memory only, never waits on I/O."""

    pick: Callable[[FlowParts], FloorHandler | None]


@dataclass(frozen=True, slots=True)
class Store:
    """Bridge stage 2: a floor event, one at a time, in order; retried until it succeeds."""

    pick: Callable[[FlowParts], FloorHandler | None]


@dataclass(frozen=True, slots=True)
class Calls:
    """Bridge stage 2: the call events of a burst, together (one transaction)."""

    pick: Callable[[FlowParts], CallsHandler]


@dataclass(frozen=True, slots=True)
class Flush:
    """Bridge stage 2: once per burst, after its events: what the storing handlers keep is written."""

    pick: Callable[[FlowParts], FloorFlush | None]


@dataclass(frozen=True, slots=True)
class Resync:
    """After each (re)login, once everything before it is stored: Asterisk's live channels."""

    pick: Callable[[FlowParts], ResyncHandler]


@dataclass(frozen=True, slots=True)
class Elsewhere:
    """Not a bridge handler: a worker process, an HTTP command or a timer does it (``by``)."""

    by: str


Delivery = Live | Store | Calls | Flush | Resync | Elsewhere


@dataclass(frozen=True, slots=True)
class Step:
    on: str  # the event, command or tick
    does: str  # the step of the flow, in words
    where: str  # module:function that does it
    delivery: Delivery


def _live_tap(p: FlowParts) -> FloorHandler | None:
    return p.live_tap.handle if p.live_tap is not None else None


def _missed_calls(p: FlowParts) -> FloorHandler | None:
    return p.missed_calls.handle if p.missed_calls is not None else None


HTTP = "an HTTP command to the work-order service (adapters/http/workorders.py)"

# fmt: off
CALL_FLOW: Final[tuple[Step, ...]] = (
    # ①–④ an AMI event, as it arrives (adapters/ami/bridge.py translates it twice: call and floor)
    Step("floor event", "seats: the agent board, after-call work",
         "queue.seats.agent_floor:AgentFloor.handle", Live(lambda p: p.seats.handle)),
    Step("floor event", "waiting callers and the wallboard, live",
         "adapters.redis.wallboard:WallboardPublisher.handle", Live(lambda p: p.wallboard.handle)),
    Step("CallerAnswered", "live taps: both voices to the live ASR worker (live_asr on)",
         "adapters.ami.live_tap:LiveTap.handle", Live(_live_tap)),
    Step("call events", "the call record, each call loaded and stored once per burst",
         "calls.service:CallFlow.handle_many", Calls(lambda p: p.calls.handle_many)),
    Step("floor event", "the service-level tally and ledger (answered within 15 s)",
         "queue.service_level.recorder:ServiceLevelRecorder.handle", Store(lambda p: p.service_level.handle)),
    Step("CallerAbandoned, key 1", "the missed-call list (漏接回拨; missed_call_enabled)",
         "queue.missed_calls.service:MissedCallFloor.handle", Store(_missed_calls)),
    Step("end of a burst", "what the ledger changed, stored in one transaction",
         "queue.service_level.recorder:ServiceLevelRecorder.flush", Flush(lambda p: p.service_level.flush)),
    Step("AMI (re)login", "calls whose channels vanished while away are closed",
         "calls.service:CallFlow.reconcile", Resync(lambda p: p.calls.reconcile)),
    # ⑤–⑦ after the call
    Step("RecordingFinished, CallHungUp", "recording closed: a durable transcription job queued",
         "calls.service:CallFlow.queue_transcription", Elsewhere("the call record's handler (Calls)")),
    Step("sweep tick", "jobs that could not be queued (Redis down) queued again",
         "calls.service:CallFlow.requeue_waiting", Elsewhere("the transcription sweep (wiring/sweeps.py)")),
    Step("transcription job", "the recording transcribed; the live worker's parts stitched in",
         "commands.asr_worker:run_worker", Elsewhere("the ASR worker processes (wiring/workers.py)")),
    Step("transcript", "transcript + draft stored in one transaction",
         "ticketing.orders.intake:CallTranscription.process", Elsewhere("the ASR worker")),
    # ⑧–⑩ the work order
    Step("RegisterTicket", "registration (受理), classification, 并单",
         "ticketing.orders.service:WorkOrders.register", Elsewhere(HTTP)),
    Step("DispatchTicket", "dispatch (派单, 一单通达)",
         "ticketing.orders.service:WorkOrders.dispatch", Elsewhere(HTTP)),
    Step("TicketDispatched", "the handling unit's live inbox",
         "adapters.redis.inbox:RedisInbox.publish", Elsewhere("the work-order service's notices")),
    Step("AcknowledgeTicket, ReplyTicket", "签收, handling, reply",
         "ticketing.orders.service:WorkOrders.act", Elsewhere(HTTP)),
    Step("ReplyTicket on an order of a matter", "the same reply concludes the matter's open orders (并单)",
         "ticketing.matters.answers:MatterAnswers.reply", Elsewhere(HTTP)),
    Step("重办 of an order of a matter", "the matter's other concluded orders reopened (并单)",
         "ticketing.matters.answers:MatterAnswers.on_saved",
         Elsewhere("the work-order service's listeners (wiring/workorders.py)")),
    Step("TicketReplied, TicketResolvedOnCall", "the survey filed (自动回访; once per reply round)",
         "ticketing.surveys.service:SurveyScheduler.on_saved",
         Elsewhere("the work-order service's listeners (wiring/surveys.py)")),
    Step("survey due", "the citizen called and asked (自动回访): answer kept, retry, or the manual list",
         "ticketing.surveys.campaign:SurveyCampaign.run",
         Elsewhere("the survey dialer (wiring/surveys.py; only with a SurveyDialer)")),
    Step("survey answered", "满意 / 基本满意 close, 不满意 reopens (重办) with 督办; every call audited",
         "ticketing.surveys.outcomes:order_commands", Elsewhere("the survey dialer, via WorkOrders.act_all")),
    Step("RecordCallback", "the callback survey (回访) recorded by staff: the manual list",
         "ticketing.orders.followup:record_callback", Elsewhere(HTTP)),
    Step("satisfied, or given up", "close (办结)",
         "ticketing.orders.lifecycle:transition", Elsewhere(HTTP)),
    # beside the flow
    Step("deadline sweep tick", "yellow and red cards, overdue supervision (督办)",
         "ticketing.supervision.alerts:DeadlineWatch.run_once",
         Elsewhere("the deadline watch (wiring/sweeps.py)")),
    Step("missed call due", "the missed caller dialled back (漏接回拨)",
         "queue.missed_calls.service:MissedCallDialer.run",
         Elsewhere("the missed-call dialer (wiring/missed_calls.py)")),
)
# fmt: on


def live_handlers(parts: FlowParts, flow: Sequence[Step] = CALL_FLOW) -> list[FloorHandler]:
    """The bridge's live stage, in table order."""
    picks = [s.delivery.pick(parts) for s in flow if isinstance(s.delivery, Live)]
    return [handler for handler in picks if handler is not None]


def store_handlers(parts: FlowParts, flow: Sequence[Step] = CALL_FLOW) -> list[FloorHandler]:
    """The floor handlers of the storing stage, in table order."""
    picks = [s.delivery.pick(parts) for s in flow if isinstance(s.delivery, Store)]
    return [handler for handler in picks if handler is not None]


def flushes(parts: FlowParts, flow: Sequence[Step] = CALL_FLOW) -> list[FloorFlush]:
    picks = [s.delivery.pick(parts) for s in flow if isinstance(s.delivery, Flush)]
    return [flush for flush in picks if flush is not None]


def floor_pipeline(parts: FlowParts, flow: Sequence[Step] = CALL_FLOW) -> FloorPipeline:
    """The floor's handlers, in table order: live, storing, flushes."""
    live, store, flush = live_handlers(parts, flow), store_handlers(parts, flow), flushes(parts, flow)
    return FloorPipeline(store, live, flush)


class FlowSink:
    """The one sink of every AMI bridge (``BridgeSink``, adapters/ami/bridge.py), built from the table:
    the floor pipeline for live and storing floor events and the flush, the ``Calls`` row for a burst's
    call events, the ``Resync`` row after a (re)login."""

    def __init__(self, floor: FloorPipeline, calls: CallsHandler, resync: ResyncHandler) -> None:
        self.floor_pipeline = floor
        self._calls = calls
        self._resync = resync

    @classmethod
    def build(cls, parts: FlowParts, flow: Sequence[Step] = CALL_FLOW) -> FlowSink:
        (calls,) = [s.delivery.pick(parts) for s in flow if isinstance(s.delivery, Calls)]
        (resync,) = [s.delivery.pick(parts) for s in flow if isinstance(s.delivery, Resync)]
        return cls(floor_pipeline(parts, flow), calls, resync)

    async def live(self, event: FloorEvent) -> None:
        await self.floor_pipeline.handle_live(event)

    async def floor(self, event: FloorEvent) -> None:
        await self.floor_pipeline.handle(event)

    async def calls(self, events: Sequence[CallEvent]) -> None:
        await self._calls(events)

    async def flush(self) -> None:
        await self.floor_pipeline.flush()

    async def resynced(self, server: str, live_call_ids: frozenset[str], at: datetime) -> None:
        await self._resync(server, live_call_ids, at)
