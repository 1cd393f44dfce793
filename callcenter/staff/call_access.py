"""Who may see a call, its recording and its transcript (least privilege; docs/desk.md "Who sees calls").

A call's recording and transcript hold the citizen's voice and words. They go to the agent who answered
it (``CallRecord.answered_by``, the staff id logged in to the seat), and to the reviewers
(``CALL_REVIEWERS``: supervisors and admins; quality inspectors when that role exists). Any other hotline
staff member — another agent, a dispatcher — sees only the calls they answered themselves, and is told
"not found" for the rest, exactly as for a call that does not exist. A call answered before the answering
staff member was recorded (``answered_by`` None) is the reviewers' only. Handling units see no calls.
"""

from __future__ import annotations

from callcenter.core.actors import CALL_REVIEWERS, HOTLINE_ROLES, Actor


def reviews_every_call(viewer: Actor) -> bool:
    """Supervisors, admins (and the future QA role) see every call; lists are not filtered for them."""
    return viewer.role in CALL_REVIEWERS


def may_see_call(viewer: Actor, answered_by: str | None) -> bool:
    """The reviewers, and the hotline staff member who answered the call."""
    if reviews_every_call(viewer):
        return True
    return viewer.role in HOTLINE_ROLES and answered_by is not None and answered_by == viewer.id
