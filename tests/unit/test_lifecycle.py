"""The work-order life cycle (ADR 0008) as a specification: paths, refusals, access, views, invariants."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callcenter.core.actors import Actor, Role, StaffId, UnitId
from callcenter.core.clock import SHANGHAI
from callcenter.core.errors import ConcurrentUpdate, DomainError, InvalidInput, InvalidTransition
from callcenter.core.ids import TicketId
from callcenter.ticketing.errors import (
    ExtensionLimitExceeded,
    NotLeadUnit,
    ReturnLimitReached,
    RoleForbidden,
    TicketNotVisible,
)
from callcenter.ticketing.orders import commands as c
from callcenter.ticketing.orders.events import (
    CallbackRecorded,
    ContributionRecorded,
    TicketDispatched,
    TicketEvent,
    TicketReturned,
    audit_details,
)
from callcenter.ticketing.orders.lifecycle import (
    PERMISSIONS,
    TRANSITIONS,
    Restore,
    action_of,
    check_version,
    transition,
)
from callcenter.ticketing.orders.record import (
    DEFAULT_POLICY,
    AnnotationKind,
    CallbackOutcome,
    CitizenContact,
    ExtensionStatus,
    LifecyclePolicy,
    ReturnOutcome,
    TicketLifecycle,
)
from callcenter.ticketing.orders.views import mask_phone, view_for
from callcenter.ticketing.states import Action, TicketStatus

S = TicketStatus
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI)
LEAD, HELPER, OTHER = UnitId("housing-bureau"), UnitId("xinhua-subdistrict"), UnitId("water-company")

AGENT = Actor(StaffId("agent-1001"), Role.AGENT)
DISPATCHER = Actor(StaffId("disp-1"), Role.DISPATCHER)
SUPERVISOR = Actor(StaffId("sup-1"), Role.SUPERVISOR)
ADMIN = Actor(StaffId("admin"), Role.ADMIN)
LEAD_STAFF = Actor(StaffId("u-housing"), Role.UNIT_STAFF, LEAD)
HELPER_STAFF = Actor(StaffId("u-xinhua"), Role.UNIT_STAFF, HELPER)
OTHER_STAFF = Actor(StaffId("u-water"), Role.UNIT_STAFF, OTHER)

Step = tuple[c.Command, Actor]


def draft() -> TicketLifecycle:
    return TicketLifecycle(TicketId(7), citizen=CitizenContact("张三", "13800138000"))


def run(
    ticket: TicketLifecycle, *steps: Step, policy: LifecyclePolicy = DEFAULT_POLICY
) -> tuple[TicketLifecycle, list[TicketEvent]]:
    events = []
    for i, (command, actor) in enumerate(steps):
        ticket, event = transition(ticket, command, actor, T0 + timedelta(minutes=i), policy)
        events.append(event)
    return ticket, events


REGISTER: Step = (c.RegisterTicket(), AGENT)
DISPATCH: Step = (c.DispatchTicket(LEAD, (HELPER,)), DISPATCHER)
ACK: Step = (c.AcknowledgeTicket(), LEAD_STAFF)
START: Step = (c.StartHandling(), LEAD_STAFF)
REPLY: Step = (c.ReplyTicket("路灯已修复"), LEAD_STAFF)
RETURN: Step = (c.ReturnTicket("不属于本单位职责"), LEAD_STAFF)
SCHEDULE: Step = (c.ScheduleCallbackSurvey(), AGENT)
SATISFIED: Step = (c.RecordCallback(CallbackOutcome.SATISFIED), AGENT)
UNREACHABLE: Step = (c.RecordCallback(CallbackOutcome.UNREACHABLE), AGENT)
DISSATISFIED: Step = (c.RecordCallback(CallbackOutcome.DISSATISFIED, "灯还是不亮"), AGENT)

PATHS: dict[TicketStatus, tuple[Step, ...]] = {
    S.DRAFT: (),
    S.REGISTERED: (REGISTER,),
    S.RESOLVED_ON_CALL: (REGISTER, (c.ResolveOnCall("办理地点在市民中心"), AGENT)),
    S.DISPATCHED: (REGISTER, DISPATCH),
    S.ACKNOWLEDGED: (REGISTER, DISPATCH, ACK),
    S.IN_PROGRESS: (REGISTER, DISPATCH, ACK, START),
    S.RETURNED: (REGISTER, DISPATCH, RETURN),
    S.REPLIED: (REGISTER, DISPATCH, ACK, START, REPLY),
    S.CALLBACK_PENDING: (REGISTER, DISPATCH, ACK, START, REPLY, SCHEDULE),
    S.CLOSED: (REGISTER, DISPATCH, ACK, START, REPLY, SCHEDULE, SATISFIED),
}


def reach(status: TicketStatus) -> TicketLifecycle:
    return run(draft(), *PATHS[status])[0]


# -- happy paths ------------------------------------------------------------------------------------


def test_answered_on_the_call_closes_without_dispatch() -> None:
    ticket, events = run(draft(), *PATHS[S.RESOLVED_ON_CALL])
    assert ticket.status is S.RESOLVED_ON_CALL and ticket.version == 3
    assert ticket.resolution == "办理地点在市民中心" and ticket.lead_unit is None
    assert [(e.audit.from_status, e.audit.to_status) for e in events] == [
        (S.DRAFT, S.REGISTERED),
        (S.REGISTERED, S.RESOLVED_ON_CALL),
    ]


def test_dispatch_to_close_with_joint_handling() -> None:
    contribution: Step = (c.RecordContribution("已协助现场勘查"), HELPER_STAFF)
    steps = (REGISTER, DISPATCH, ACK, START, contribution, REPLY, SCHEDULE, SATISFIED)
    ticket, events = run(draft(), *steps)
    assert ticket.status is S.CLOSED and ticket.version == 1 + len(steps)
    assert [e.audit.version for e in events] == list(range(2, 2 + len(steps)))
    assert [e.audit.action for e in events] == [
        Action.REGISTER, Action.DISPATCH, Action.ACKNOWLEDGE, Action.START_HANDLING,
        Action.CONTRIBUTE, Action.REPLY, Action.SCHEDULE_CALLBACK, Action.CALLBACK_SATISFIED,
    ]  # fmt: skip
    assert ticket.lead_unit == LEAD and ticket.assisting_units == (HELPER,)
    assert [r.text for r in ticket.replies] == ["路灯已修复"]
    assert ticket.contributions[0].unit == HELPER
    assert isinstance(events[4], ContributionRecorded) and events[4].audit.to_status is S.IN_PROGRESS


def test_every_event_carries_who_when_and_the_states() -> None:
    _, (_, dispatched) = run(draft(), REGISTER, DISPATCH)
    assert isinstance(dispatched, TicketDispatched)
    audit = dispatched.audit
    assert (audit.ticket_id, audit.actor, audit.at) == (TicketId(7), DISPATCHER, T0 + timedelta(minutes=1))
    assert (audit.from_status, audit.to_status, audit.version) == (S.REGISTERED, S.DISPATCHED, 3)
    assert audit_details(dispatched) == {
        "lead_unit": LEAD,
        "assisting_units": (HELPER,),
        "reassigned_from": None,
    }


def test_registering_may_correct_the_contact_and_mark_it_confidential() -> None:
    contact = CitizenContact("李四", "13912345678")
    ticket, _ = run(draft(), (c.RegisterTicket(contact, confidential=True), AGENT))
    assert ticket.citizen == contact and ticket.confidential


def test_dispatch_validates_units() -> None:
    with pytest.raises(InvalidInput):
        run(reach(S.REGISTERED), (c.DispatchTicket(LEAD, (LEAD,)), DISPATCHER))
    with pytest.raises(InvalidInput):
        run(reach(S.REGISTERED), (c.DispatchTicket(UnitId(" ")), DISPATCHER))
    ticket, _ = run(reach(S.REGISTERED), (c.DispatchTicket(LEAD, (HELPER, OTHER, HELPER)), AGENT))
    assert ticket.assisting_units == (HELPER, OTHER)


# -- returns (退单), reassignment (改派), rejection ------------------------------------------------------


@pytest.mark.parametrize("returned_from", [S.DISPATCHED, S.ACKNOWLEDGED])
def test_return_then_reassign_to_another_unit(returned_from: TicketStatus) -> None:
    ticket, events = run(reach(returned_from), RETURN)
    assert ticket.status is S.RETURNED and ticket.return_count == 1
    assert isinstance(events[0], TicketReturned) and events[0].return_number == 1
    ticket, (event,) = run(ticket, (c.ReassignTicket(OTHER), DISPATCHER))
    assert ticket.status is S.DISPATCHED and ticket.lead_unit == OTHER and ticket.assisting_units == ()
    assert ticket.returns[0].outcome is ReturnOutcome.REASSIGNED and ticket.returns[0].reassigned_to == OTHER
    assert isinstance(event, TicketDispatched) and event.reassigned_from == LEAD
    with pytest.raises(TicketNotVisible):
        run(ticket, ACK)  # the returning unit is out of it now
    assert run(ticket, (c.AcknowledgeTicket(), OTHER_STAFF))[0].status is S.ACKNOWLEDGED


@pytest.mark.parametrize("returned_from", [S.DISPATCHED, S.ACKNOWLEDGED])
def test_rejected_return_goes_back_where_it_was(returned_from: TicketStatus) -> None:
    ticket, _ = run(reach(returned_from), RETURN, (c.RejectReturn("职责清单明确属于住建"), DISPATCHER))
    assert ticket.status is returned_from and ticket.lead_unit == LEAD
    assert ticket.returns[0].outcome is ReturnOutcome.REJECTED
    assert ticket.returns[0].from_status is returned_from


def test_a_return_needs_a_reason() -> None:
    with pytest.raises(InvalidInput) as refused:
        run(reach(S.DISPATCHED), (c.ReturnTicket("  "), LEAD_STAFF))
    assert refused.value.code == "reason_required"


def test_reassigning_to_the_returning_unit_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        run(reach(S.RETURNED), (c.ReassignTicket(LEAD), DISPATCHER))
    assert refused.value.code == "reassign_to_same_unit"


def test_a_unit_cannot_return_once_handling_started() -> None:
    with pytest.raises(InvalidTransition) as refused:
        run(reach(S.IN_PROGRESS), RETURN)
    assert refused.value.code == "invalid_transition"


def test_return_ping_pong_is_limited_and_kept_in_history() -> None:
    reject: Step = (c.RejectReturn("请按职责办理"), DISPATCHER)
    ticket, _ = run(reach(S.DISPATCHED), RETURN, reject, RETURN, reject, RETURN, reject)
    with pytest.raises(ReturnLimitReached) as refused:
        run(ticket, RETURN)
    assert refused.value.code == "return_limit_reached" and refused.value.details["limit"] == 3
    assert [r.outcome for r in ticket.returns] == [ReturnOutcome.REJECTED] * 3
    supervised, _ = run(ticket, (c.SuperviseTicket("退单三次，督办住建局"), SUPERVISOR))
    assert supervised.annotations[0].kind is AnnotationKind.SUPERVISION


def test_the_return_limit_is_configurable() -> None:
    strict = LifecyclePolicy(max_returns=1)
    ticket, _ = run(reach(S.RETURNED), (c.ReassignTicket(OTHER), DISPATCHER), policy=strict)
    with pytest.raises(ReturnLimitReached):
        run(ticket, (c.ReturnTicket("也不归我们"), OTHER_STAFF), policy=strict)


# -- extensions (延期) ---------------------------------------------------------------------------------


def ask(days: int) -> Step:
    return (c.RequestExtension(days, "需协调多部门"), LEAD_STAFF)


def approve(days: int | None = None) -> Step:
    return (c.ApproveExtension(days), SUPERVISOR)


def test_extension_is_recorded_without_moving_the_ticket() -> None:
    ticket, (event,) = run(reach(S.IN_PROGRESS), ask(5))
    assert ticket.status is S.IN_PROGRESS and event.audit.to_status is S.IN_PROGRESS
    assert ticket.pending_extension is not None and ticket.pending_extension.working_days == 5
    ticket, _ = run(ticket, approve(3))
    assert ticket.approved_extension_days == 3 and ticket.pending_extension is None


def test_extensions_are_limited_in_total() -> None:
    ticket, _ = run(reach(S.ACKNOWLEDGED), ask(6), approve(), ask(4), approve())
    assert ticket.approved_extension_days == 10
    with pytest.raises(ExtensionLimitExceeded) as refused:
        run(ticket, ask(1))
    assert refused.value.code == "extension_limit_exceeded"
    with pytest.raises(ExtensionLimitExceeded):
        run(reach(S.ACKNOWLEDGED), ask(11))


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        ((ask(2), ask(2)), "extension_pending"),
        ((approve(),), "no_pending_extension"),
        (((c.RejectExtension("理由不充分"), SUPERVISOR),), "no_pending_extension"),
        ((ask(2), approve(3)), "invalid_input"),
        ((ask(0),), "invalid_input"),
        ((ask(2), (c.ApproveExtension(), LEAD_STAFF)), "role_forbidden"),
        ((ask(2), (c.RejectExtension(""), SUPERVISOR)), "reason_required"),
    ],
)
def test_extension_refusals(steps: tuple[Step, ...], code: str) -> None:
    with pytest.raises(DomainError) as refused:
        run(reach(S.IN_PROGRESS), *steps)
    assert refused.value.code == code


def test_rejected_and_lapsed_extensions_grant_nothing() -> None:
    rejected, _ = run(reach(S.IN_PROGRESS), ask(2), (c.RejectExtension("理由不充分"), SUPERVISOR))
    lapsed, _ = run(reach(S.IN_PROGRESS), ask(2), REPLY)
    assert rejected.extensions[0].status is ExtensionStatus.REJECTED
    assert lapsed.extensions[0].status is ExtensionStatus.LAPSED
    assert rejected.approved_extension_days == lapsed.approved_extension_days == 0


# -- callback (回访) and reopening (重办) --------------------------------------------------------------


def test_dissatisfied_callback_reopens_to_the_same_lead_unit() -> None:
    ticket, (event,) = run(reach(S.CALLBACK_PENDING), DISSATISFIED)
    assert ticket.status is S.DISPATCHED and ticket.lead_unit == LEAD
    assert isinstance(event, CallbackRecorded) and event.outcome is CallbackOutcome.DISSATISFIED
    ticket, _ = run(ticket, ACK, START, (c.ReplyTicket("已更换灯具"), LEAD_STAFF), SCHEDULE, SATISFIED)
    assert ticket.status is S.CLOSED and len(ticket.replies) == 2


def test_unreachable_citizen_closes_after_the_allowed_attempts() -> None:
    ticket, events = run(reach(S.CALLBACK_PENDING), UNREACHABLE, UNREACHABLE)
    assert ticket.status is S.CALLBACK_PENDING
    assert [e.attempt for e in events if isinstance(e, CallbackRecorded)] == [1, 2]
    ticket, (last,) = run(ticket, UNREACHABLE)
    assert ticket.status is S.CLOSED and last.audit.action is Action.CALLBACK_GIVEN_UP


def test_basically_satisfied_closes_like_satisfied_but_keeps_its_own_value() -> None:
    ticket, (event,) = run(
        reach(S.CALLBACK_PENDING), (c.RecordCallback(CallbackOutcome.BASIC_SATISFIED), AGENT)
    )
    assert ticket.status is S.CLOSED and event.audit.action is Action.CALLBACK_BASICALLY_SATISFIED
    assert ticket.callback_attempts[-1].outcome is CallbackOutcome.BASIC_SATISFIED


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (CallbackOutcome.SATISFIED, S.RESOLVED_ON_CALL),
        (CallbackOutcome.BASIC_SATISFIED, S.RESOLVED_ON_CALL),
        (CallbackOutcome.DISSATISFIED, S.REGISTERED),
        (CallbackOutcome.UNREACHABLE, S.RESOLVED_ON_CALL),
    ],
)
def test_callback_of_an_order_concluded_on_the_call(outcome: CallbackOutcome, status: TicketStatus) -> None:
    """直接办结 stays concluded after the 回访; 不满意 sends it back to dispatch (the dispatcher's queue)."""
    ticket, (event,) = run(reach(S.RESOLVED_ON_CALL), (c.RecordCallback(outcome, "意见"), AGENT))
    assert ticket.status is status and isinstance(event, CallbackRecorded)


def test_a_survey_call_is_recorded_without_moving_the_order() -> None:
    call = c.RecordSurveyCall(4, 2, "no_answer", recording="/r/4-2.wav")
    ticket, (event,) = run(reach(S.REPLIED), (call, AGENT))
    assert ticket.status is S.REPLIED and event.audit.action is Action.SURVEY_CALL
    assert audit_details(event)["recording"] == "/r/4-2.wav"


def test_callback_attempts_restart_with_each_reply() -> None:
    ticket, _ = run(reach(S.CALLBACK_PENDING), UNREACHABLE, UNREACHABLE, DISSATISFIED)
    ticket, _ = run(ticket, ACK, START, REPLY, SCHEDULE, UNREACHABLE)
    assert ticket.status is S.CALLBACK_PENDING and ticket.callback_round_attempts == 1
    assert len(ticket.callback_attempts) == 4


@pytest.mark.parametrize(
    ("start", "back_to"),
    [
        (S.CLOSED, S.DISPATCHED),
        (S.REPLIED, S.DISPATCHED),
        (S.CALLBACK_PENDING, S.DISPATCHED),
        (S.RESOLVED_ON_CALL, S.REGISTERED),
    ],
)
def test_supervisor_reopens(start: TicketStatus, back_to: TicketStatus) -> None:
    ticket, _ = run(reach(start), (c.ReopenTicket("回复与事实不符"), SUPERVISOR))
    assert ticket.status is back_to and ticket.lead_unit == reach(start).lead_unit


def test_only_a_supervisor_reopens() -> None:
    with pytest.raises(RoleForbidden):
        run(reach(S.CLOSED), (c.ReopenTicket("市民再次来电"), AGENT))


@pytest.mark.parametrize(
    "command",
    [c.SuperviseTicket("请加快办理"), c.ReviewTicket("答复规范"), c.AssessTicket("计入当月考核")],
)
@pytest.mark.parametrize("status", [s for s in S if s is not S.DRAFT])
def test_annotations_never_move_the_ticket(command: c.Command, status: TicketStatus) -> None:
    before = reach(status)
    after, (event,) = run(before, (command, SUPERVISOR))
    assert after.status is status and after.version == before.version + 1
    assert len(after.annotations) == 1 and event.audit.to_status is status


# -- roles and units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "step", "error", "code"),
    [
        (S.DISPATCHED, (c.AcknowledgeTicket(), AGENT), RoleForbidden, "role_forbidden"),
        (S.DISPATCHED, (c.AcknowledgeTicket(), ADMIN), RoleForbidden, "role_forbidden"),
        (S.DISPATCHED, (c.AcknowledgeTicket(), HELPER_STAFF), NotLeadUnit, "not_lead_unit"),
        (S.DISPATCHED, (c.AcknowledgeTicket(), OTHER_STAFF), TicketNotVisible, "ticket_not_visible"),
        (S.IN_PROGRESS, (c.ReplyTicket("已办"), HELPER_STAFF), NotLeadUnit, "not_lead_unit"),
        (S.ACKNOWLEDGED, (c.ReturnTicket("非本单位"), HELPER_STAFF), NotLeadUnit, "not_lead_unit"),
        (S.IN_PROGRESS, (c.RecordContribution("协助"), OTHER_STAFF), TicketNotVisible, "ticket_not_visible"),
        (S.REGISTERED, (c.DispatchTicket(LEAD), LEAD_STAFF), TicketNotVisible, "ticket_not_visible"),
        (S.DISPATCHED, (c.SuperviseTicket("快"), LEAD_STAFF), RoleForbidden, "role_forbidden"),
        (S.RETURNED, (c.ReassignTicket(OTHER), AGENT), RoleForbidden, "role_forbidden"),
        (S.DRAFT, (c.RegisterTicket(), DISPATCHER), RoleForbidden, "role_forbidden"),
        (S.REPLIED, (c.ScheduleCallbackSurvey(), LEAD_STAFF), RoleForbidden, "role_forbidden"),
    ],
)
def test_access_is_checked(status: TicketStatus, step: Step, error: type[DomainError], code: str) -> None:
    with pytest.raises(error) as refused:
        run(reach(status), step)
    assert refused.value.code == code


def test_admin_acts_for_the_hotline() -> None:
    ticket, _ = run(draft(), (c.RegisterTicket(), ADMIN), (c.DispatchTicket(LEAD), ADMIN))
    assert ticket.status is S.DISPATCHED


def test_only_unit_staff_are_bound_to_a_unit() -> None:
    with pytest.raises(InvalidInput):
        Actor(StaffId("x"), Role.UNIT_STAFF)
    with pytest.raises(InvalidInput):
        Actor(StaffId("x"), Role.AGENT, LEAD)


# -- confidential view (保密) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13800138000", "138****8000"), ("02112345678", "021****5678"), ("12345", "*****"), ("", "")],
)
def test_phone_mask_keeps_first_three_and_last_four(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


def test_units_see_a_masked_phone() -> None:
    ticket = reach(S.DISPATCHED)
    assert view_for(ticket, AGENT).citizen == CitizenContact("张三", "13800138000")
    assert view_for(ticket, LEAD_STAFF).citizen == CitizenContact("张三", "138****8000")
    assert view_for(ticket, HELPER_STAFF).citizen == CitizenContact("张三", "138****8000")


def test_units_do_not_see_who_reported_a_confidential_ticket() -> None:
    ticket, _ = run(draft(), (c.RegisterTicket(confidential=True), AGENT), DISPATCH)
    assert view_for(ticket, LEAD_STAFF).citizen is None
    assert view_for(ticket, SUPERVISOR).citizen == ticket.citizen
    with pytest.raises(TicketNotVisible):
        view_for(ticket, OTHER_STAFF)


# -- versions and time --------------------------------------------------------------------------------


def test_expected_version_is_checked() -> None:
    ticket = reach(S.DISPATCHED)
    check_version(ticket, 3)
    with pytest.raises(ConcurrentUpdate) as refused:
        check_version(ticket, 2)
    assert refused.value.code == "concurrent_update"
    assert refused.value.details == {"ticket_id": 7, "expected": 2, "actual": 3}


def test_time_must_be_timezone_aware() -> None:
    with pytest.raises(InvalidInput):
        transition(draft(), c.RegisterTicket(), AGENT, datetime(2026, 11, 24, 9))


# -- the table itself ---------------------------------------------------------------------------------

SAMPLES: dict[Action, tuple[c.Command, Actor, LifecyclePolicy]] = {
    Action.REGISTER: (c.RegisterTicket(), AGENT, DEFAULT_POLICY),
    Action.RESOLVE_ON_CALL: (c.ResolveOnCall("已解答"), AGENT, DEFAULT_POLICY),
    Action.DISPATCH: (c.DispatchTicket(LEAD), DISPATCHER, DEFAULT_POLICY),
    Action.ACKNOWLEDGE: (c.AcknowledgeTicket(), LEAD_STAFF, DEFAULT_POLICY),
    Action.START_HANDLING: (c.StartHandling(), LEAD_STAFF, DEFAULT_POLICY),
    Action.CONTRIBUTE: (c.RecordContribution("协助"), HELPER_STAFF, DEFAULT_POLICY),
    Action.REPLY: (c.ReplyTicket("已办"), LEAD_STAFF, DEFAULT_POLICY),
    Action.RETURN: (c.ReturnTicket("非本单位职责"), LEAD_STAFF, DEFAULT_POLICY),
    Action.REASSIGN: (c.ReassignTicket(OTHER), DISPATCHER, DEFAULT_POLICY),
    Action.REJECT_RETURN: (c.RejectReturn("属于本单位"), DISPATCHER, DEFAULT_POLICY),
    Action.REQUEST_EXTENSION: (c.RequestExtension(2, "需协调"), LEAD_STAFF, DEFAULT_POLICY),
    Action.APPROVE_EXTENSION: (c.ApproveExtension(), SUPERVISOR, DEFAULT_POLICY),
    Action.REJECT_EXTENSION: (c.RejectExtension("不予延期"), SUPERVISOR, DEFAULT_POLICY),
    Action.SCHEDULE_CALLBACK: (c.ScheduleCallbackSurvey(), AGENT, DEFAULT_POLICY),
    Action.CALLBACK_SATISFIED: (*SATISFIED, DEFAULT_POLICY),
    Action.CALLBACK_BASICALLY_SATISFIED: (
        c.RecordCallback(CallbackOutcome.BASIC_SATISFIED),
        AGENT,
        DEFAULT_POLICY,
    ),
    Action.SURVEY_CALL: (c.RecordSurveyCall(1, 1, "no_answer"), AGENT, DEFAULT_POLICY),
    Action.CALLBACK_DISSATISFIED: (*DISSATISFIED, DEFAULT_POLICY),
    Action.CALLBACK_UNREACHABLE: (*UNREACHABLE, DEFAULT_POLICY),
    Action.CALLBACK_GIVEN_UP: (*UNREACHABLE, LifecyclePolicy(max_callback_attempts=1)),
    Action.REOPEN: (c.ReopenTicket("重办"), SUPERVISOR, DEFAULT_POLICY),
    Action.SUPERVISE: (c.SuperviseTicket("督办"), SUPERVISOR, DEFAULT_POLICY),
    Action.REVIEW: (c.ReviewTicket("评单"), SUPERVISOR, DEFAULT_POLICY),
    Action.ASSESS: (c.AssessTicket("考单"), SUPERVISOR, DEFAULT_POLICY),
}
PREPARE: dict[Action, tuple[Step, ...]] = {
    Action.APPROVE_EXTENSION: (ask(2),),
    Action.REJECT_EXTENSION: (ask(2),),
}
NOT_IN_TABLE = [(a, s) for a in Action for s in S if (a, s) not in TRANSITIONS]


def test_every_action_has_a_sample_and_a_permission() -> None:
    assert set(SAMPLES) == set(Action) == set(PERMISSIONS)


@pytest.mark.parametrize(("action", "status"), NOT_IN_TABLE)
def test_pairs_not_in_the_table_are_invalid_transitions(action: Action, status: TicketStatus) -> None:
    """Units are set on every ticket here so that access passes and only the table can refuse."""
    command, actor, policy = SAMPLES[action]
    ticket = TicketLifecycle(TicketId(1), status, lead_unit=LEAD, assisting_units=(HELPER,))
    with pytest.raises(InvalidTransition) as refused:
        transition(ticket, command, actor, T0, policy)
    assert type(refused.value) is InvalidTransition and refused.value.code == "invalid_transition"
    assert refused.value.details == {"action": action, "status": status}


@pytest.mark.parametrize(("action", "status"), sorted(TRANSITIONS))
def test_pairs_in_the_table_lead_where_the_table_says(action: Action, status: TicketStatus) -> None:
    command, actor, policy = SAMPLES[action]
    before = run(reach(status), *PREPARE.get(action, ()))[0]
    after, event = transition(before, command, actor, T0, policy)
    target = TRANSITIONS[(action, status)]
    assert after.status is (before.returns[-1].from_status if target is Restore.BEFORE_RETURN else target)
    assert (event.audit.action, event.audit.from_status) == (action, status)
    assert after.version == before.version + 1


# -- invariants over random command sequences ---------------------------------------------------------

ACTORS = (AGENT, DISPATCHER, SUPERVISOR, ADMIN, LEAD_STAFF, HELPER_STAFF, OTHER_STAFF)
MOVES: list[Step] = [
    *((command, actor) for command, actor, _ in SAMPLES.values()),
    (c.ReassignTicket(HELPER), DISPATCHER),
    (c.ReturnTicket("非本单位"), HELPER_STAFF),
    (c.AcknowledgeTicket(), HELPER_STAFF),
    (c.StartHandling(), HELPER_STAFF),
    (c.ReplyTicket("已办"), HELPER_STAFF),
    (c.RequestExtension(6, "需协调"), LEAD_STAFF),
    (c.ReplyTicket(""), LEAD_STAFF),
]
ALL_MOVES = [(command, actor) for command, _ in MOVES for actor in ACTORS]


def pick(ticket: TicketLifecycle, likely: bool, n: int) -> Step:
    """Mostly a move the table allows in the current state (to reach deep states), else any."""
    if likely:
        allowed = [
            m for m in MOVES if (action_of(ticket, m[0], DEFAULT_POLICY), ticket.status) in TRANSITIONS
        ]
        if allowed:
            return allowed[n % len(allowed)]
    return ALL_MOVES[n % len(ALL_MOVES)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from((True, True, True, False)), st.integers(0, 10_000)), max_size=60))
def test_random_sequences_keep_the_invariants(picks: list[tuple[bool, int]]) -> None:
    """States stay in the enum, each accepted command adds exactly 1 to the version, limits hold,
    and a ticket is never closed without a reply (直接办结 aside, which needs the agent's answer)."""
    ticket = draft()
    for likely, n in picks:
        command, actor = pick(ticket, likely, n)
        try:
            after, event = transition(ticket, command, actor, T0)
        except DomainError:
            continue
        assert after.status in set(S) and after.version == ticket.version + 1 == event.audit.version
        assert (event.audit.from_status, event.audit.to_status) == (ticket.status, after.status)
        ticket = after
        assert ticket.status is not S.CLOSED or ticket.replies
        assert ticket.status is not S.RESOLVED_ON_CALL or ticket.resolution
        assert ticket.return_count <= DEFAULT_POLICY.max_returns
        assert ticket.approved_extension_days <= DEFAULT_POLICY.max_extension_days


def test_a_rejected_command_leaves_the_ticket_as_it_was() -> None:
    ticket = reach(S.IN_PROGRESS)
    with pytest.raises(DomainError):
        transition(ticket, c.ReplyTicket(""), LEAD_STAFF, T0)
    assert ticket == reach(S.IN_PROGRESS)
