"""Which queue a call joins: the target line, or its overflow when the wait there would be too long (溢出).

Pure rule, no I/O. The figures come from Asterisk itself at the moment the caller is about to join (the
FastAGI handler reads QUEUE_WAITING_COUNT / QUEUE_MEMBER / QUEUE_VARIABLES), so the decision does not depend
on any other state of the application.

Estimated wait (预计等待时长), the usual contact-centre approximation::

    ahead = waiting callers + 1 (this caller) - free seats
    wait  = 0                                  if ahead <= 0 (a seat is free for this caller)
          = ahead * handle_time / logged seats otherwise
          = unbounded                          if no seat is logged in

``handle_time`` is Asterisk's running average talk time of the queue plus the after-call work, or a
configured default while the queue has no completed call yet. The estimate is deliberately simple: it is a
routing hint, not a promise to the caller.

Overflow: a skill line (涉企 enterprise, 方言 dialect, 外语 foreign) overflows to the general line
``hotline`` (whose seats include the skill seats at a lower priority); the general line stays unless a
city configures an overflow queue for it. A call moves only when the target's estimate exceeds the
threshold AND the overflow queue's estimate is shorter: moving a caller to a longer wait helps nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from callcenter.core.errors import InvalidInput

GENERAL = "hotline"


class Line(StrEnum):
    """The inbound queues of issue 5 (asterisk_conf/queues.conf)."""

    GENERAL = "hotline"  # 普通话 general seats
    ENTERPRISE = "hotline-enterprise"  # 涉企 enterprise line
    DIALECT = "hotline-dialect"  # 方言 dialect seats
    FOREIGN = "hotline-foreign"  # 外语 foreign-language seats


INBOUND_QUEUES = frozenset(line.value for line in Line)


@dataclass(frozen=True, slots=True)
class QueueFigures:
    """Live figures of one queue as Asterisk reports them."""

    queue: str
    waiting: int  # QUEUE_WAITING_COUNT
    free: int  # QUEUE_MEMBER(q,free): logged in, not busy, not paused
    logged: int  # QUEUE_MEMBER(q,logged): logged in (busy and paused included)
    talk_seconds: int = 0  # QUEUETALKTIME: Asterisk's running average talk time (0: no call yet)

    def __post_init__(self) -> None:
        if min(self.waiting, self.free, self.logged, self.talk_seconds) < 0:
            raise InvalidInput("queue figures cannot be negative", queue=self.queue)


@dataclass(frozen=True, slots=True)
class OverflowPolicy:
    """``wait_threshold_s``: overflow when the estimate is above this; ``default_handle_s``: the handle
    time used while Asterisk has no average yet; ``wrapup_s``: after-call work added to the talk time;
    ``general_overflow``: where the general line overflows to ("" = it never overflows)."""

    wait_threshold_s: int = 15
    default_handle_s: int = 240
    wrapup_s: int = 0
    general_overflow: str = ""

    def __post_init__(self) -> None:
        if self.wait_threshold_s < 0 or self.default_handle_s < 1 or self.wrapup_s < 0:
            raise InvalidInput("overflow thresholds must be positive")


@dataclass(frozen=True, slots=True)
class RouteDecision:
    """``queue`` to join; ``overflowed`` when it is not the target; the estimates behind it (None =
    unbounded: no seat logged in)."""

    queue: str
    overflowed: bool
    target_wait_s: float | None
    overflow_wait_s: float | None = None


def overflow_queue(target: str, policy: OverflowPolicy) -> str:
    """The queue ``target`` overflows to, or "" when it has none."""
    if target == GENERAL:
        return policy.general_overflow if policy.general_overflow != GENERAL else ""
    return GENERAL if target in INBOUND_QUEUES else ""


def handle_seconds(figures: QueueFigures, policy: OverflowPolicy) -> int:
    talk = figures.talk_seconds or policy.default_handle_s
    return talk + policy.wrapup_s


def estimated_wait(figures: QueueFigures, policy: OverflowPolicy) -> float | None:
    """Seconds this caller would wait in ``figures.queue``; None when no seat is logged in."""
    ahead = figures.waiting + 1 - figures.free
    if ahead <= 0:
        return 0.0
    if figures.logged <= 0:
        return None
    return ahead * handle_seconds(figures, policy) / figures.logged


def _longer(a: float | None, b: float | None) -> bool:
    """Whether wait ``a`` is strictly longer than ``b`` (None = unbounded)."""
    if a is None:
        return b is not None
    return b is not None and a > b


def decide(target: QueueFigures, overflow: QueueFigures | None, policy: OverflowPolicy) -> RouteDecision:
    """Stay in ``target`` unless its estimate exceeds the threshold and ``overflow`` would be shorter."""
    target_wait = estimated_wait(target, policy)
    if overflow is None or overflow.queue == target.queue:
        return RouteDecision(target.queue, False, target_wait)
    overflow_wait = estimated_wait(overflow, policy)
    too_long = target_wait is None or target_wait > policy.wait_threshold_s
    if too_long and _longer(target_wait, overflow_wait):
        return RouteDecision(overflow.queue, True, target_wait, overflow_wait)
    return RouteDecision(target.queue, False, target_wait, overflow_wait)
