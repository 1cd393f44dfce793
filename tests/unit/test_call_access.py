"""Who may see a call, its recording and its transcript (staff/call_access.py)."""

from __future__ import annotations

import pytest

from callcenter.core.actors import CALL_REVIEWERS, Actor, Role, StaffId, UnitId
from callcenter.staff.call_access import may_see_call, reviews_every_call

AGENT = Actor(StaffId("agent1"), Role.AGENT)


@pytest.mark.parametrize(
    ("viewer", "answered_by", "sees"),
    [
        (AGENT, "agent1", True),  # the agent who answered
        (AGENT, "agent2", False),  # another agent's call
        (AGENT, None, False),  # answered before who answered was recorded
        (Actor(StaffId("dispatcher1"), Role.DISPATCHER), "agent1", False),
        (Actor(StaffId("dispatcher1"), Role.DISPATCHER), "dispatcher1", True),  # took it at a seat
        (Actor(StaffId("supervisor1"), Role.SUPERVISOR), "agent1", True),
        (Actor(StaffId("supervisor1"), Role.SUPERVISOR), None, True),
        (Actor(StaffId("admin"), Role.ADMIN), None, True),
        (Actor(StaffId("unit-a"), Role.UNIT_STAFF, UnitId("u")), "unit-a", False),
    ],
)
def test_a_call_is_seen_by_who_answered_it_and_by_the_reviewers(
    viewer: Actor, answered_by: str | None, sees: bool
) -> None:
    assert may_see_call(viewer, answered_by) is sees


def test_only_the_reviewers_see_every_call() -> None:
    def actor(role: Role) -> Actor:
        return Actor(StaffId("x"), role, UnitId("u") if role is Role.UNIT_STAFF else None)

    assert {r for r in Role if reviews_every_call(actor(r))} == CALL_REVIEWERS
    assert {Role.SUPERVISOR, Role.ADMIN} == CALL_REVIEWERS
