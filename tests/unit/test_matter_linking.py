"""What one link does to the matters (并单, ADR 0010): open, join, nothing, or merge; hand-made links
never merge; the escalated matter, else the older one, survives a merge."""

from __future__ import annotations

import pytest

from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.duplicates import MatterId
from callcenter.ticketing.matters.linking import LinkPlan, LinkStep, Placed, plan_link, survivor
from callcenter.ticketing.matters.model import AlreadyInOtherMatter

NEW, OLD = TicketId(20), TicketId(10)
M1, M2 = MatterId(1), MatterId(2)


def placed(ticket_id: TicketId, matter: int | None, escalated: bool = False) -> Placed:
    return Placed(ticket_id, None if matter is None else MatterId(matter), escalated)


@pytest.mark.parametrize("merge", [True, False])
@pytest.mark.parametrize(
    ("new", "old", "plan"),
    [
        (None, None, LinkPlan(LinkStep.OPEN, None, (OLD, NEW))),
        (None, 1, LinkPlan(LinkStep.JOIN, M1, (NEW,))),
        (1, 1, LinkPlan(LinkStep.ALREADY, M1)),
    ],
    ids=["both alone: open", "join the matched order's matter", "same matter: nothing"],
)
def test_links_that_need_no_merge(new: int | None, old: int | None, plan: LinkPlan, merge: bool) -> None:
    assert plan_link(placed(NEW, new), placed(OLD, old), merge) == plan


@pytest.mark.parametrize(
    ("new", "old", "plan"),
    [
        (placed(NEW, 2), placed(OLD, None), LinkPlan(LinkStep.JOIN, M2, (OLD,))),
        (placed(NEW, 2), placed(OLD, 1), LinkPlan(LinkStep.MERGE, M1, absorbed=M2)),
        (placed(NEW, 1), placed(OLD, 2), LinkPlan(LinkStep.MERGE, M1, absorbed=M2)),
        (placed(NEW, 2, True), placed(OLD, 1), LinkPlan(LinkStep.MERGE, M2, absorbed=M1)),
    ],
    ids=["the matched order joins the new one's", "merge into the older", "either way", "escalated stays"],
)
def test_registration_links_converge(new: Placed, old: Placed, plan: LinkPlan) -> None:
    assert plan_link(new, old, merge=True) == plan


@pytest.mark.parametrize("old", [None, 1])
def test_a_hand_made_link_of_an_order_in_another_matter_is_refused(old: int | None) -> None:
    with pytest.raises(AlreadyInOtherMatter):
        plan_link(placed(NEW, 2), placed(OLD, old), merge=False)


@pytest.mark.parametrize(
    ("a", "b", "stays"),
    [
        ((1, False), (2, False), 1),
        ((2, False), (1, False), 1),
        ((1, False), (2, True), 2),
        ((1, True), (2, True), 1),
    ],
)
def test_survivor(a: tuple[int, bool], b: tuple[int, bool], stays: int) -> None:
    kept, gone = survivor(MatterId(a[0]), a[1], MatterId(b[0]), b[1])
    assert kept == stays and {kept, gone} == {a[0], b[0]}
