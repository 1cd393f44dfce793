"""The overflow rule (溢出) and the self-service status words, as tables (callcenter/ivr)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from callcenter.core.errors import InvalidInput
from callcenter.core.ids import TicketId
from callcenter.ivr.routing import OverflowPolicy, QueueFigures, decide, estimated_wait, overflow_queue
from callcenter.ivr.self_service import status_for_caller, status_prompt, ticket_number
from callcenter.ticketing.orders.registration import Registration, new_manual_order
from callcenter.ticketing.orders.workorder import WorkOrder
from callcenter.ticketing.states import TicketStatus

POLICY = OverflowPolicy(wait_threshold_s=15, default_handle_s=240, wrapup_s=10)


def q(name: str, waiting: int, free: int, logged: int, talk: int = 0) -> QueueFigures:
    return QueueFigures(name, waiting, free, logged, talk)


@pytest.mark.parametrize(
    ("figures", "expected"),
    [
        (q("hotline", 0, 1, 1), 0.0),  # a free seat: no wait
        (q("hotline", 2, 3, 3), 0.0),  # more free seats than callers ahead
        (q("hotline", 0, 0, 2, talk=90), 50.0),  # 1 ahead (itself) × (90 + 10) / 2 seats
        (q("hotline", 3, 1, 4, talk=90), 75.0),  # 3 + 1 - 1 = 3 ahead × 100 / 4
        (q("hotline", 1, 0, 1), 500.0),  # no average yet: default 240 + 10, 2 ahead
        (q("hotline", 0, 0, 0), None),  # nobody logged in: unbounded
    ],
)
def test_estimated_wait(figures: QueueFigures, expected: float | None) -> None:
    assert estimated_wait(figures, POLICY) == expected


@pytest.mark.parametrize(
    ("target", "general_overflow", "expected"),
    [
        ("hotline-enterprise", "", "hotline"),
        ("hotline-dialect", "", "hotline"),
        ("hotline-foreign", "", "hotline"),
        ("hotline", "", ""),
        ("hotline", "hotline-overflow", "hotline-overflow"),
        ("hotline", "hotline", ""),
        ("hotline-callback", "", ""),  # not an inbound line
    ],
)
def test_overflow_queue(target: str, general_overflow: str, expected: str) -> None:
    policy = OverflowPolicy(general_overflow=general_overflow)
    assert overflow_queue(target, policy) == expected


def test_a_skill_line_with_a_free_seat_keeps_its_caller() -> None:
    decision = decide(q("hotline-enterprise", 0, 1, 1), q("hotline", 0, 5, 5), POLICY)
    assert (decision.queue, decision.overflowed) == ("hotline-enterprise", False)


def test_a_long_skill_wait_overflows_to_a_shorter_general_wait() -> None:
    decision = decide(q("hotline-dialect", 4, 0, 1, talk=120), q("hotline", 0, 1, 6), POLICY)
    assert (decision.queue, decision.overflowed) == ("hotline", True)
    assert decision.target_wait_s == 650.0 and decision.overflow_wait_s == 0.0


def test_nobody_logged_in_on_the_skill_line_overflows() -> None:
    decision = decide(q("hotline-foreign", 0, 0, 0), q("hotline", 3, 0, 2, talk=60), POLICY)
    assert (decision.queue, decision.target_wait_s) == ("hotline", None)


def test_no_move_to_a_longer_wait() -> None:
    decision = decide(q("hotline-enterprise", 1, 0, 2, talk=60), q("hotline", 9, 0, 2, talk=60), POLICY)
    assert (decision.queue, decision.overflowed) == ("hotline-enterprise", False)


def test_both_unbounded_stays() -> None:
    decision = decide(q("hotline-enterprise", 0, 0, 0), q("hotline", 0, 0, 0), POLICY)
    assert decision.queue == "hotline-enterprise"


def test_below_the_threshold_stays_even_if_the_other_is_shorter() -> None:
    decision = decide(q("hotline-enterprise", 0, 0, 20, talk=100), q("hotline", 0, 2, 2), POLICY)
    assert decision.target_wait_s == 5.5 and decision.queue == "hotline-enterprise"


def test_threshold_zero_overflows_on_any_wait() -> None:
    policy = OverflowPolicy(wait_threshold_s=0)
    assert decide(q("hotline-enterprise", 0, 0, 1), q("hotline", 0, 1, 1), policy).overflowed


def test_the_general_line_without_overflow_queue_stays() -> None:
    assert decide(q("hotline", 50, 0, 1), None, POLICY).queue == "hotline"


def test_negative_figures_are_refused() -> None:
    with pytest.raises(InvalidInput):
        q("hotline", -1, 0, 0)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ("42", 42),
        ("42#", 42),
        ("123456789012", 123456789012),
        ("0", None),
        ("042", None),
        ("", None),
        ("*1", None),
        ("1234567890123", None),
        ("12a", None),
    ],
)
def test_ticket_number(keys: str, expected: int | None) -> None:
    assert ticket_number(keys) == (None if expected is None else TicketId(expected))


@pytest.mark.parametrize(
    ("status", "prompt"),
    [
        (None, "ticket_not_found"),
        (TicketStatus.DRAFT, "ticket_not_found"),
        (TicketStatus.REGISTERED, "ticket_accepted"),
        (TicketStatus.DISPATCHED, "ticket_in_progress"),
        (TicketStatus.RETURNED, "ticket_in_progress"),
        (TicketStatus.CALLBACK_PENDING, "ticket_in_progress"),
        (TicketStatus.RESOLVED_ON_CALL, "ticket_concluded"),
        (TicketStatus.CLOSED, "ticket_concluded"),
    ],
)
def test_status_prompt(status: TicketStatus | None, prompt: str) -> None:
    assert status_prompt(status) == prompt


def test_every_status_has_a_prompt_that_exists() -> None:
    from callcenter.ivr.prompts import by_id

    for status in TicketStatus:
        by_id(status_prompt(status))


# --- whose status a caller may hear (issue 11) ------------------------------------------------------------

AT = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


def order(status: TicketStatus, caller: str = "13800138000", confidential: bool = False) -> WorkOrder:
    draft = new_manual_order(Registration("路灯坏了"), caller, AT)
    return replace(draft, life=replace(draft.life, id=TicketId(42), status=status, confidential=confidential))


@pytest.mark.parametrize(
    ("found", "calling", "heard"),
    [
        (order(TicketStatus.DISPATCHED), "13800138000", TicketStatus.DISPATCHED),  # their own order
        (order(TicketStatus.DISPATCHED), "+86 138-0013-8000", TicketStatus.DISPATCHED),  # same line
        (order(TicketStatus.DISPATCHED, caller="+8613800138000"), "13800138000", TicketStatus.DISPATCHED),
        (order(TicketStatus.DISPATCHED), "13900139000", None),  # someone else's order
        (order(TicketStatus.CLOSED, confidential=True), "13800138000", None),  # 保密: never told
        (order(TicketStatus.DISPATCHED, caller=""), "", None),  # anonymous is nobody's
        (order(TicketStatus.DISPATCHED, caller="anonymous"), "anonymous", None),
        (None, "13800138000", None),
    ],
)
def test_a_caller_hears_only_the_status_of_their_own_open_order(
    found: WorkOrder | None, calling: str, heard: TicketStatus | None
) -> None:
    assert status_for_caller(found, calling) == heard


def test_every_refusal_sounds_like_a_missing_order() -> None:
    others = order(TicketStatus.DISPATCHED)
    assert (
        status_prompt(status_for_caller(others, "13900139000")) == status_prompt(None) == "ticket_not_found"
    )
