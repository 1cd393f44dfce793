"""The call-flow table (callcenter/wiring/pipeline.py) is the one source of the bridge's handlers.

Every row names a module and function that exists; the floor pipeline and the bridge's sink are built
from the rows, in row order; a part that does not run here (live taps off, callbacks off) is left out.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from callcenter.wiring.pipeline import (
    CALL_FLOW,
    Calls,
    Elsewhere,
    FlowParts,
    FlowSink,
    Live,
    Resync,
    Store,
    floor_pipeline,
)

AT = datetime(2030, 1, 1, tzinfo=UTC)


def test_every_row_names_a_function_that_exists() -> None:
    for step in CALL_FLOW:
        module, _, qualname = step.where.partition(":")
        target: Any = importlib.import_module(f"callcenter.{module}")
        for name in qualname.split("."):
            target = getattr(target, name)
        assert callable(target), step.where


def test_the_table_reads_in_call_flow_order() -> None:
    kinds = [type(step.delivery) for step in CALL_FLOW]
    assert kinds.index(Calls) < kinds.index(Resync) < kinds.index(Elsewhere)  # the bridge's rows come first
    assert [type(s.delivery) for s in CALL_FLOW[: kinds.index(Elsewhere)]].count(Calls) == 1
    wheres = [step.where for step in CALL_FLOW]
    assert wheres.index("ticketing.orders.intake:CallTranscription.process") < wheres.index(
        "ticketing.orders.service:WorkOrders.register"
    )
    assert wheres.index("ticketing.orders.service:WorkOrders.dispatch") < wheres.index(
        "ticketing.orders.followup:record_callback"
    )


class Part:
    """A fake of one floor part: records, in one shared log, which handler saw what."""

    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log

    async def handle(self, event: object) -> None:
        self.log.append(f"{self.name}:{event}")

    async def flush(self) -> None:
        self.log.append(f"{self.name}:flush")

    async def handle_many(self, events: Sequence[object]) -> None:
        self.log.append(f"{self.name}:{list(events)}")

    async def reconcile(self, server: str, live: object, at: datetime) -> None:
        self.log.append(f"{self.name}:resync {server}")


def parts(log: list[str], *, live_tap: bool, missed_calls: bool) -> FlowParts:
    part: Any = lambda name: Part(name, log)  # noqa: E731
    return FlowParts(
        calls=part("calls"),
        seats=part("seats"),
        wallboard=part("wallboard"),
        service_level=part("sl"),
        live_tap=part("tap") if live_tap else None,
        missed_calls=part("missed") if missed_calls else None,
    )


async def test_the_sink_hands_events_on_in_table_order() -> None:
    log: list[str] = []
    sink = FlowSink.build(parts(log, live_tap=True, missed_calls=True))
    event: Any = "E"
    await sink.live(event)
    await sink.calls([event])
    await sink.floor(event)
    await sink.flush()
    await sink.resynced("box-1", frozenset(), AT)
    assert log == [
        "seats:E",
        "wallboard:E",
        "tap:E",
        "calls:['E']",
        "sl:E",
        "missed:E",
        "sl:flush",
        "calls:resync box-1",
    ]


async def test_parts_that_do_not_run_here_are_left_out() -> None:
    log: list[str] = []
    pipeline = floor_pipeline(parts(log, live_tap=False, missed_calls=False))
    assert len(pipeline.live) == sum(isinstance(s.delivery, Live) for s in CALL_FLOW) - 1
    assert len(pipeline.handlers) == sum(isinstance(s.delivery, Store) for s in CALL_FLOW) - 1
    event: Any = "E"
    await pipeline.handle_live(event)
    await pipeline.handle(event)
    assert log == ["seats:E", "wallboard:E", "sl:E"]
