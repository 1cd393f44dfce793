"""What one link does to the matters (并单), decided purely from where the two orders are now (ADR 0010).

Under a burst (a power cut, a gas smell: dozens of similar calls in minutes) a new order may already be in
a matter before its own match runs: a later similar order matched it first. Its own match may then find an
order of another matter, or one still on its own. Refusing that link (as a hand-made link is refused) left
two matters for one incident; registration's links therefore converge instead:

- neither order in a matter: a matter is opened for both;
- one of them in a matter: the other joins it;
- both in the same matter: nothing changes;
- in two different matters: the two are merged into one. The one that stays is the one already escalated to
  supervision (督办), so that its supervision keeps pointing at the living matter; otherwise the older one
  (the lower id). The other is marked merged, with its orders moved over.

A link made by hand (an agent's 并单) never merges two matters: the agent undoes the wrong link first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from callcenter.core.ids import TicketId
from callcenter.ticketing.matters.duplicates import MatterId
from callcenter.ticketing.matters.model import AlreadyInOtherMatter


class LinkStep(StrEnum):
    OPEN = "open"  # a new matter for both orders
    JOIN = "join"  # the order on its own joins the other's matter
    ALREADY = "already"  # both in the same matter: nothing to do
    MERGE = "merge"  # two matters become one


@dataclass(frozen=True, slots=True)
class Placed:
    """An order and the matter it is in now (read under its lock), with whether that matter is escalated."""

    ticket_id: TicketId
    matter_id: MatterId | None
    escalated: bool = False


@dataclass(frozen=True, slots=True)
class LinkPlan:
    step: LinkStep
    into: MatterId | None  # the matter that holds both orders afterwards (None: the one OPEN creates)
    joining: tuple[TicketId, ...] = ()  # orders on their own that move into ``into``
    absorbed: MatterId | None = None  # MERGE: the matter whose orders all move into ``into``


def plan_link(new: Placed, old: Placed, merge: bool) -> LinkPlan:
    """The step one link takes; ``merge`` False (a hand-made link) refuses a new order already elsewhere."""
    if new.matter_id is not None and new.matter_id == old.matter_id:
        return LinkPlan(LinkStep.ALREADY, new.matter_id)
    if new.matter_id is not None and not merge:
        raise AlreadyInOtherMatter("the order is in another matter", matter_id=new.matter_id)
    if new.matter_id is None and old.matter_id is None:
        return LinkPlan(LinkStep.OPEN, None, (old.ticket_id, new.ticket_id))
    if new.matter_id is None or old.matter_id is None:
        lone, placed = (new, old) if new.matter_id is None else (old, new)
        return LinkPlan(LinkStep.JOIN, placed.matter_id, (lone.ticket_id,))
    stays, goes = survivor(new.matter_id, new.escalated, old.matter_id, old.escalated)
    return LinkPlan(LinkStep.MERGE, stays, absorbed=goes)


def survivor(a: MatterId, a_escalated: bool, b: MatterId, b_escalated: bool) -> tuple[MatterId, MatterId]:
    """(the matter that stays, the one merged into it): the escalated one, else the older (lower id)."""
    (_, stays), (_, goes) = sorted([(not a_escalated, a), (not b_escalated, b)])
    return stays, goes
