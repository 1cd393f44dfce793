"""Queue-entry stories told twice, as Asterisk tells them: as floor events (AMI order) and as queue_log
lines, so the live tally and the recount can be held to the same figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from callcenter.core.ids import CallId
from callcenter.queue.events import (
    CallCompleted,
    CallerAbandoned,
    CallerAnswered,
    CallerJoined,
    CallerLeft,
    CallMeBackRequested,
    FloorEvent,
)

SERVER = "a"
AGENT = "PJSIP/agent1001"


@dataclass(frozen=True, slots=True)
class Story:
    """One caller's entry: ``ending`` is answered | abandoned | callback | timeout | empty | waiting."""

    queue: str
    entered_at: datetime  # with a sub-second part, as the AMI Timestamp has it
    ending: str
    hold: int
    number: int

    @property
    def entry_id(self) -> str:
        return f"{int(self.entered_at.timestamp())}.{self.number}"

    @property
    def ended_at(self) -> datetime:
        return self.entered_at + timedelta(seconds=self.hold)


def floor_events(story: Story) -> list[tuple[datetime, int, FloorEvent]]:
    """(when, order, event): Asterisk sends QueueCallerLeave before AgentConnect, after the abandon."""
    q, e, c, end = story.queue, story.entry_id, CallId(f"call-{story.entry_id}"), story.ended_at
    out: list[FloorEvent] = [CallerJoined(SERVER, q, e, c, "13800138000", 1, story.entered_at)]
    if story.ending == "answered":
        out += [CallerLeft(SERVER, q, e, c, end), CallerAnswered(SERVER, q, e, c, AGENT, story.hold, end)]
        out += [CallCompleted(SERVER, q, e, c, AGENT, 30, story.hold, "caller", end + timedelta(seconds=30))]
    elif story.ending == "abandoned":
        out += [
            CallerAbandoned(SERVER, q, e, c, "13800138000", story.hold, 1, end),
            CallerLeft(SERVER, q, e, c, end),
        ]
    elif story.ending == "callback":
        out += [CallerLeft(SERVER, q, e, c, end)]
        out += [CallMeBackRequested(SERVER, q, e, c, "13800138000", end + timedelta(milliseconds=400))]
    elif story.ending in ("timeout", "empty"):
        out += [CallerLeft(SERVER, q, e, c, end)]
    return [(event.at, i, event) for i, event in enumerate(out)]


def queue_log_lines(story: Story) -> list[tuple[datetime, int, str]]:
    start = int(story.entered_at.timestamp())
    end = int(story.ended_at.timestamp())
    head = f"|{story.entry_id}|{story.queue}"
    out = [(start, f"{start}{head}|NONE|ENTERQUEUE||13800138000|1")]
    if story.ending == "answered":
        out.append((end, f"{end}{head}|{AGENT}|CONNECT|{story.hold}|1764500000.99|3"))
        out.append((end + 30, f"{end + 30}{head}|{AGENT}|COMPLETECALLER|{story.hold}|30|1"))
    elif story.ending == "abandoned":
        out.append((end, f"{end}{head}|NONE|ABANDON|1|1|{story.hold}"))
    elif story.ending == "callback":
        out.append((end, f"{end}{head}|NONE|EXITWITHKEY|1|1|1|{story.hold}"))
    elif story.ending == "timeout":
        out.append((end, f"{end}{head}|NONE|EXITWITHTIMEOUT|1|1|{story.hold}"))
    elif story.ending == "empty":
        out.append((end, f"{end}{head}|NONE|EXITEMPTY|1|1|{story.hold}"))
    return [(datetime.fromtimestamp(t, UTC), i, line) for i, (t, line) in enumerate(out)]


def told_live(stories: list[Story]) -> list[FloorEvent]:
    """Every story's floor events, interleaved in time order (each story's own order kept)."""
    timed = [(at, n, i, ev) for n, s in enumerate(stories) for at, i, ev in floor_events(s)]
    return [ev for *_, ev in sorted(timed, key=lambda t: (t[0], t[1], t[2]))]


def told_in_queue_log(stories: list[Story]) -> list[str]:
    timed = [(at, n, i, line) for n, s in enumerate(stories) for at, i, line in queue_log_lines(s)]
    return [line for *_, line in sorted(timed, key=lambda t: (t[0], t[1], t[2]))]
