"""The vocabulary of the work-order (工单) life cycle: its states and the actions that move it.

This is the full status enum. ``model.TicketStatus`` (draft only, issue 3) is meant to be replaced by it;
``"draft"`` keeps its stored value. Terms follow docs/glossary.md.
"""

from __future__ import annotations

from enum import StrEnum


class TicketStatus(StrEnum):
    DRAFT = "draft"  # 草稿: drafted from the call, waiting for the agent to register it
    REGISTERED = "registered"  # 受理: the hotline accepted the matter; not yet dispatched
    RESOLVED_ON_CALL = "resolved_on_call"  # 直接办结: answered by the agent, closed without dispatch
    DISPATCHED = "dispatched"  # 派单 / 改派 / 重办: with the lead unit, not yet acknowledged
    ACKNOWLEDGED = "acknowledged"  # 签收: the lead unit confirmed receipt
    IN_PROGRESS = "in_progress"  # 办理: the lead unit is handling the matter
    RETURNED = "returned"  # 退单: sent back by the lead unit, awaiting the dispatcher's review
    REPLIED = "replied"  # 回单: the lead unit reported the result
    CALLBACK_PENDING = "callback_pending"  # 回访: the citizen is to be called back
    CLOSED = "closed"  # 办结: concluded after the callback


class Action(StrEnum):
    """What an actor does to a ticket; the key of the transition table, with the state it acts on."""

    REGISTER = "register"  # 受理
    RESOLVE_ON_CALL = "resolve_on_call"  # 直接办结
    DISPATCH = "dispatch"  # 派单
    ACKNOWLEDGE = "acknowledge"  # 签收
    START_HANDLING = "start_handling"  # 办理
    CONTRIBUTE = "contribute"  # 协办 unit's contribution, recorded only
    REPLY = "reply"  # 回单
    RETURN = "return"  # 退单
    REASSIGN = "reassign"  # 改派
    REJECT_RETURN = "reject_return"  # 退单驳回
    REQUEST_EXTENSION = "request_extension"  # 延期申请
    APPROVE_EXTENSION = "approve_extension"  # 延期审批: approved
    REJECT_EXTENSION = "reject_extension"  # 延期审批: refused
    SCHEDULE_CALLBACK = "schedule_callback"  # 回访 scheduled
    CALLBACK_SATISFIED = "callback_satisfied"  # 回访: 满意
    CALLBACK_BASICALLY_SATISFIED = "callback_basically_satisfied"  # 回访: 基本满意 (closes like 满意)
    CALLBACK_DISSATISFIED = "callback_dissatisfied"  # 回访: 不满意 → 重办
    CALLBACK_UNREACHABLE = "callback_unreachable"  # 回访: 联系不上, attempts remain
    CALLBACK_GIVEN_UP = "callback_given_up"  # 回访: 联系不上 on the last allowed attempt
    SURVEY_CALL = "survey_call"  # 自动回访外呼: one automated survey call, recorded (issue 14)
    REOPEN = "reopen"  # 重办
    SUPERVISE = "supervise"  # 督办 / 督单
    REVIEW = "review"  # 评单
    ASSESS = "assess"  # 考单
