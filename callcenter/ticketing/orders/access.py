"""Who may act on which ticket: roles per action, and handling units only on their own tickets.

Checks run before the state is looked at, so a unit learns nothing about a ticket that is not its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.core.actors import Actor, Role
from callcenter.ticketing.errors import NotLeadUnit, RoleForbidden, TicketNotVisible
from callcenter.ticketing.orders.record import TicketLifecycle
from callcenter.ticketing.states import Action


@dataclass(frozen=True, slots=True)
class Permission:
    """The roles that may perform an action; ``lead_only`` restricts unit staff to the lead unit (主办)."""

    roles: frozenset[Role]
    lead_only: bool = False


def require_role(actor: Actor, roles: frozenset[Role]) -> Actor:
    """The actor, if their role is one of ``roles``; else ``RoleForbidden``."""
    if actor.role not in roles:
        raise RoleForbidden(f"a {actor.role} may not do this", role=actor.role)
    return actor


def require_visible(ticket: TicketLifecycle, actor: Actor) -> None:
    """Unit staff see only tickets their unit leads or assists (HTTP: 404, not 403)."""
    if actor.role is Role.UNIT_STAFF and actor.unit not in ticket.units:
        raise TicketNotVisible("ticket not found", ticket_id=ticket.id, unit=actor.unit)


def authorize(permission: Permission, action: Action, ticket: TicketLifecycle, actor: Actor) -> None:
    """Visible, then the role, then — for unit staff on lead-only actions — the lead unit."""
    require_visible(ticket, actor)
    if actor.role not in permission.roles:
        raise RoleForbidden(f"a {actor.role} may not {action}", action=action, role=actor.role)
    if permission.lead_only and actor.unit != ticket.lead_unit:
        raise NotLeadUnit(f"only the lead unit may {action}", action=action, unit=actor.unit)
