"""The wallboard alarm (告警) on the service-level figures (docs/adr/0013-service-level-definition.md).

Pure: the figures come from the tally (``tally.ServiceLevelTally``), the bar from the configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.queue.service_level.ledger import ServiceLevelFigures


@dataclass(frozen=True, slots=True)
class AlarmPolicy:
    """The wallboard alarm (告警): a figure below ``target + margin`` on at least ``min_offered`` calls."""

    target: float = 0.95
    margin: float = 0.02
    min_offered: int = 20


def at_risk(rolling: ServiceLevelFigures, today: ServiceLevelFigures, policy: AlarmPolicy) -> bool:
    """True when the rolling-24-h connection rate or today's 15-second rate is at risk of the bar."""
    bar = policy.target + policy.margin
    return _below(rolling.offered, rolling.connection_rate, bar, policy) or _below(
        today.offered, today.rate_in_threshold, bar, policy
    )


def _below(offered: int, rate: float | None, bar: float, policy: AlarmPolicy) -> bool:
    return rate is not None and offered >= policy.min_offered and rate < bar
